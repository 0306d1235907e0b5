package local

import (
	"errors"
	"net/http"
	"sort"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

type homeView struct {
	People []personView
	// Upcoming is each ritual's next fire time, so a first visit shows
	// when something will happen.
	Upcoming []upcomingView
	// OnCall is who is on call now and next, one line per rotation.
	OnCall []string
}

type upcomingView struct {
	Title, Channel, When string
}

type personView struct {
	ID, Name, Role, Zone string
	Current              bool
}

// home lists the roster so a visitor can pick who they are.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	now := s.clock.Now()
	ss := s.sessions.ensure(w, r, now, cookiePath(basePath(r)))
	title := "Who are you?"
	if s.access != AccessTrial {
		title = "Channels"
	}
	p := s.newPage(r, ss, title, true)
	p.Flash = s.sessions.takeFlash(ss)
	hv := &homeView{}
	for _, person := range s.svc.Roster().People() {
		hv.People = append(hv.People, personView{
			ID: person.ID, Name: displayName(person), Role: string(person.Role),
			Zone: locOf(person).String(), Current: p.Me != nil && p.Me.ID == person.ID,
		})
	}
	hv.Upcoming = s.upcoming(now)
	hv.OnCall = s.onCall(r.Context(), p.Me, now)
	p.Home = hv
	s.render(w, r, http.StatusOK, "home", p)
}

// upcoming lists the rituals' next fire times in their own zones,
// earliest first; per-person rituals show the ritual zone's wall time.
func (s *Server) upcoming(now time.Time) []upcomingView {
	type item struct {
		at time.Time
		v  upcomingView
	}
	var items []item
	for _, r := range s.svc.Rituals() {
		if r.Schedule == nil {
			continue
		}
		next := r.Schedule.Next(now)
		if next.IsZero() {
			continue
		}
		loc := r.Location
		if loc == nil {
			loc = time.UTC
		}
		when := formatTime(next, loc) + " " + loc.String()
		if r.PerPersonTime {
			when = next.In(loc).Format("Mon 2 Jan") + ", " + next.In(loc).Format("15:04") + " in each person's own zone"
		}
		items = append(items, item{next, upcomingView{Title: r.Title, Channel: r.Channel, When: when}})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].at.Before(items[j].at) })
	out := make([]upcomingView, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

// whoami records the visitor's choice. An empty person forgets it.
func (s *Server) whoami(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.parsePost(w, r)
	if !ok {
		return
	}
	if s.access != AccessTrial {
		// Only the trial on loopback picks; elsewhere who you are comes
		// from the sign-in, and nobody acts as someone else.
		s.log.Warn().Str("remote", r.RemoteAddr).Str("access", string(s.access)).Msg("roster picker refused")
		s.problem(w, r, http.StatusForbidden, "Picking who you are is off", pickerOffText(s.access), nil)
		return
	}
	if !checkCSRF(ss, r.PostForm.Get("csrf")) {
		s.problem(w, r, http.StatusForbidden, "Form expired", csrfText, nil)
		return
	}
	id := r.PostForm.Get("person")
	if id != "" && s.svc.Roster().Person(id) == nil {
		s.problem(w, r, http.StatusBadRequest, "Unknown person", "There is nobody with id "+quote(id)+" on the roster.", nil)
		return
	}
	s.sessions.setPerson(w, r, ss, id, s.clock.Now(), cookiePath(basePath(r)))
	if id == "" {
		redirect(w, r, "/")
		return
	}
	redirect(w, r, "/me")
}

func pickerOffText(a Access) string {
	if a == AccessSignIn {
		return "You act as the person you signed in as; picking someone else from the roster is only for a trial on a loopback address."
	}
	return "These pages are read-only here: the dashboard credential shows them but acts for nobody. Picking someone from the roster is only for a trial on a loopback address; to act, turn on sign-in ([auth] in the config)."
}

const csrfText = "This form is older than your session (it sat unused for over a day, or the page came from elsewhere), so nothing was done. Reload the page and try again."

// parsePost reads a form post within the size limit and returns the
// session (nil when the visitor has none). It answers the request itself
// when the body is unreadable.
// postAs reads a form posted by the person of the session, with its CSRF
// token checked; it answers the request itself and returns false when
// either is missing.
func (s *Server) postAs(w http.ResponseWriter, r *http.Request) (*session, *cadence.Person, bool) {
	ss, ok := s.parsePost(w, r)
	if !ok {
		return nil, nil, false
	}
	me := s.svc.Roster().Person(s.personOf(r, ss))
	if s.access == AccessReadOnly {
		s.problem(w, r, http.StatusForbidden, "Read-only", pickerOffText(s.access), nil)
		return nil, nil, false
	}
	if !checkCSRF(ss, r.PostForm.Get("csrf")) || me == nil {
		s.problem(w, r, http.StatusForbidden, "Form expired", csrfText, nil)
		return nil, nil, false
	}
	return ss, me, true
}

func (s *Server) parsePost(w http.ResponseWriter, r *http.Request) (*session, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		status := http.StatusBadRequest
		text := "The form could not be read: " + err.Error()
		if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
			status, text = http.StatusRequestEntityTooLarge, "The form is larger than 1 MB, far more than any answer needs; nothing was saved."
		}
		s.problem(w, r, status, "Form not accepted", text, nil)
		return nil, false
	}
	return s.sessions.get(r, s.clock.Now()), true
}

func displayName(p *cadence.Person) string {
	if p.Name != "" {
		return p.Name
	}
	return p.ID
}

func quote(s string) string { return "\u201c" + s + "\u201d" }
