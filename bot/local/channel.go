package local

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

type channelView struct {
	Name     string
	Rituals  []string
	Messages []messageView
	// Filter narrows the threads to one ritual and/or one person; the
	// options list what it can be set to.
	Filter        channelFilter
	RitualOptions []option
	PersonOptions []option
	Pager         *pager
	// Empty is what the page says while nothing was posted.
	Empty string
}

type channelFilter struct {
	Ritual, Person string
}

func (f channelFilter) Active() bool { return f.Ritual != "" || f.Person != "" }

type option struct {
	Value, Label string
	Selected     bool
}

// channel shows a room: agendas and notices, newest first, each with its
// thread (reminders, the summary at its latest revision), a page at a
// time, optionally narrowed to a ritual and a person.
func (s *Server) channel(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("channel")
	now := s.clock.Now()
	ss := s.sessions.ensure(w, r, now, cookiePath(basePath(r)))
	var ms []*cadence.Message
	err := s.st.View(r.Context(), func(tx cadence.Tx) error {
		var err error
		ms, err = tx.Messages(cadence.MessageFilter{Platform: Platform, To: &cadence.Recipient{Channel: name}, Since: now.Add(-history)})
		return err
	})
	if err != nil {
		s.log.Error().Err(err).Str("channel", name).Msg("channel failed")
		s.problem(w, r, statusOf(err), "Channel unavailable", "The channel could not be read; the error was logged. Try again in a minute.", nil)
		return
	}
	known := slices.Contains(s.channels(), name)
	if !known && len(ms) == 0 {
		s.problem(w, r, http.StatusNotFound, "No such channel", "No ritual posts to #"+name+".", nil)
		return
	}
	p := s.newPage(r, ss, "#"+name, true)
	p.Flash = s.sessions.takeFlash(ss)
	cv := &channelView{Name: name}
	for _, rit := range s.svc.Rituals() {
		if rit.Channel == name {
			cv.Rituals = append(cv.Rituals, rit.Title)
		}
	}
	cv.Empty = "Nothing posted here yet."
	switch {
	case s.notes[name] != "":
		cv.Empty += " " + s.notes[name]
	case len(cv.Rituals) > 0:
		cv.Empty += " Agendas appear when a ritual opens."
	}
	q := r.URL.Query()
	if msg := s.channelFilter(cv, q); msg != "" {
		s.problem(w, r, http.StatusBadRequest, "Filter not understood", msg, nil)
		return
	}
	ts := filterThreads(groupThreads(delivered(ms)), cv.Filter, s.svc.Roster())
	path := p.Base + "/c/" + url.PathEscape(name)
	shown, pg, err := paginate(ts, func(t thread) *cadence.Message { return t.top }, q, path)
	if err != nil {
		s.problem(w, r, http.StatusBadRequest, "Page not found", "In #"+name+": "+err.Error()+".", nil)
		return
	}
	loc := locOf(p.Me)
	if p.Me == nil {
		loc = s.channelZone(name)
	}
	cv.Messages = threadViews(shown, loc, p.Base)
	cv.Pager = pg
	s.attachActions(cv.Messages, p, "/c/"+url.PathEscape(name))
	p.Channel = cv
	s.render(w, r, http.StatusOK, "channel", p)
}

// channelFilter reads ritual and person from q into cv, with the options
// the form offers; a value that names nothing is reported, not ignored,
// so a mistyped link does not look like an empty channel.
func (s *Server) channelFilter(cv *channelView, q url.Values) string {
	cv.Filter = channelFilter{Ritual: q.Get("ritual"), Person: q.Get("person")}
	ritualOK, personOK := cv.Filter.Ritual == "", cv.Filter.Person == ""
	for _, rit := range s.svc.Rituals() {
		sel := rit.ID == cv.Filter.Ritual
		ritualOK = ritualOK || sel
		if rit.Channel == cv.Name || sel {
			cv.RitualOptions = append(cv.RitualOptions, option{rit.ID, rit.Title, sel})
		}
	}
	for _, p := range s.svc.Roster().People() {
		sel := p.ID == cv.Filter.Person
		personOK = personOK || sel
		cv.PersonOptions = append(cv.PersonOptions, option{p.ID, displayName(p), sel})
	}
	switch {
	case !ritualOK:
		return "No ritual has the id " + quote(cv.Filter.Ritual) + ". Pick one from the list on #" + cv.Name + "."
	case !personOK:
		return "Nobody on the roster has the id " + quote(cv.Filter.Person) + ". Pick someone from the list on #" + cv.Name + "."
	}
	return ""
}

// filterThreads keeps the threads of the ritual and those naming the
// person, in any of their messages.
func filterThreads(ts []thread, f channelFilter, roster *cadence.Roster) []thread {
	if !f.Active() {
		return ts
	}
	var name *regexp.Regexp
	if p := roster.Person(f.Person); f.Person != "" && p != nil {
		name = nameRe(displayName(p))
	}
	out := ts[:0:0]
	for _, t := range ts {
		all := append([]*cadence.Message{t.top}, t.replies...)
		if f.Ritual != "" && !slices.ContainsFunc(all, func(m *cadence.Message) bool { return m.RitualID == f.Ritual }) {
			continue
		}
		if name != nil && !slices.ContainsFunc(all, func(m *cadence.Message) bool { return mentions(m, name) }) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// channelZone is the zone of the first ritual posting to the channel, for
// visitors who have not said who they are.
func (s *Server) channelZone(name string) *time.Location {
	for _, rit := range s.svc.Rituals() {
		if rit.Channel == name && rit.Location != nil {
			return rit.Location
		}
	}
	return time.UTC
}
