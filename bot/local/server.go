package local

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// maxFormBytes bounds a form post: a few answers of 4,000 characters
// (up to 4 bytes each, percent-encoded) fit with room to spare.
const maxFormBytes = 1 << 20

// Server serves the local chat's pages. Mount Handler at "/" or under a
// prefix with http.StripPrefix("/chat", srv.Handler()): links and cookies
// follow the prefix the request arrived with.
type Server struct {
	svc      cadence.Service
	st       cadence.Store
	clock    cadence.Clock
	log      zerolog.Logger
	chat     *Chat
	rooms    []string          // channels listed besides the rituals' (WithRooms)
	notes    map[string]string // what an empty room will show (WithRoomNote)
	links    []navLink         // pages of the daemon beside the chat (WithLink)
	sessions *sessions
	mux      *http.ServeMux
	// waitMax bounds a /wait long poll.
	waitMax time.Duration
	// access says who a visitor is: picked from the roster (the trial on
	// loopback), signed in (whoIs), or nobody (read-only pages).
	access  Access
	whoIs   func(*http.Request) string
	signOut string
	forms   bot.ConfigForms // the admin pages (admin.go); nil: off
}

// SessionCookie names the chat's own cookie (CSRF token, notices), path
// "/" when mounted at the root: a sign-in drops it, so nothing set before
// carries over.
const SessionCookie = sessionCookie

// Access is how the chat learns who is acting.
type Access string

const (
	// AccessTrial lets a visitor pick anyone on the roster: only for a
	// trial on a loopback address, and the pages say so.
	AccessTrial Access = "trial"
	// AccessSignIn takes the person from the sign-in (WithSignIn); the
	// picker is refused.
	AccessSignIn Access = "signin"
	// AccessReadOnly shows the channels and acts for nobody: the
	// dashboard credential off loopback without sign-in.
	AccessReadOnly Access = "readonly"
)

// WithSignIn takes who is acting from the request (the sign-in in front
// of the chat), never from the roster picker; signOut is the path the
// sign-out button posts to.
func WithSignIn(whoIs func(*http.Request) string, signOut string) Option {
	return func(s *Server) { s.access, s.whoIs, s.signOut = AccessSignIn, whoIs, signOut }
}

// ReadOnly makes the chat act for nobody: no picker, no forms.
func ReadOnly() Option { return func(s *Server) { s.access = AccessReadOnly } }

// Option configures a Server.
type Option func(*Server)

// WithLink adds a page served beside the chat (the dashboard) to the
// navigation; href is absolute on the server.
func WithLink(label, href string) Option {
	return func(s *Server) { s.links = append(s.links, navLink{Label: label, Href: href}) }
}

// WithChat makes pages refresh when chat delivers a message.
func WithChat(chat *Chat) Option { return func(s *Server) { s.chat = chat } }

// WithRooms lists channels that no ritual posts to in the navigation, such
// as the managers' channel of the weekly digest.
func WithRooms(channels ...string) Option {
	return func(s *Server) { s.rooms = append(s.rooms, channels...) }
}

// WithRoomNote says what will appear in a room while it is still empty
// (the digest's channel gets digests, not agendas).
func WithRoomNote(channel, note string) Option {
	return func(s *Server) {
		if s.notes == nil {
			s.notes = map[string]string{}
		}
		s.notes[channel] = note
	}
}

// NewServer builds the pages on svc (the engine), reading delivered
// messages from st. clock decides "now" for the command box, session
// expiry and the times pages show.
func NewServer(svc cadence.Service, st cadence.Store, clock cadence.Clock, logger zerolog.Logger, opts ...Option) *Server {
	s := &Server{
		svc: svc, st: st, clock: clock,
		log:     logger.With().Str("component", "local-chat").Logger(),
		mux:     http.NewServeMux(),
		waitMax: 25 * time.Second,
		access:  AccessTrial,
	}
	for _, o := range opts {
		o(s)
	}
	key, err := loadSessionKey(context.Background(), st)
	if err != nil {
		// Sessions then last only as long as this process.
		s.log.Warn().Err(err).Msg("no session key in the store; sessions will not survive a restart")
		key = []byte(randomToken())
	}
	s.sessions = newSessions(key)
	s.routes()
	return s
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /{$}", s.home)
	s.mux.HandleFunc("POST /whoami", s.whoami)
	s.mux.HandleFunc("GET /me", s.inbox)
	s.mux.HandleFunc("POST /answer", s.answer)
	s.mux.HandleFunc("POST /decline", s.decline)
	s.mux.HandleFunc("POST /snooze", s.snooze)
	s.mux.HandleFunc("POST /ooo", s.ooo)
	s.mux.HandleFunc("POST /command", s.command)
	s.mux.HandleFunc("GET /c/{channel}", s.channel)
	s.mux.HandleFunc("GET /wait", s.wait)
	s.opsRoutes()
	s.adminRoutes()
	s.mux.HandleFunc("GET /img/{key}", s.image)
	s.mux.Handle("GET /static/", http.FileServerFS(assets))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, http.StatusNotFound, "Page not found", "There is no page at "+r.URL.Path+".", nil)
	})
}

// Handler returns the chat's HTTP handler.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
		s.mux.ServeHTTP(w, r)
	})
}

// basePath is the prefix the handler is mounted under ("" or "/chat"),
// found by comparing the path the client asked for with the one left
// after http.StripPrefix.
func basePath(r *http.Request) string {
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil {
		return ""
	}
	full, rest := u.EscapedPath(), r.URL.EscapedPath()
	if rest == "" || !strings.HasSuffix(full, rest) {
		return ""
	}
	return strings.TrimSuffix(full[:len(full)-len(rest)], "/")
}

func cookiePath(base string) string { return base + "/" }

// page is what every template gets.
type page struct {
	Base    string
	Title   string
	CSRF    string
	Me      *cadence.Person
	Flash   *flash
	Live    bool
	Version uint64
	Nav     []navLink
	Access  Access
	SignOut string // the sign-out form's action, when signed in

	Home    *homeView
	Inbox   *inboxView
	Channel *channelView
	Problem *problemView
	Ops     *opsView
	Admin   *adminView
}

type navLink struct {
	Label, Href string
	Current     bool
}

// newPage fills the parts every page shares. live is false for pages that
// answer a POST, which a reload would post again.
func (s *Server) newPage(r *http.Request, ss *session, title string, live bool) *page {
	p := &page{Base: basePath(r), Title: title, Access: s.access}
	if ss != nil {
		p.CSRF = ss.csrf
	}
	p.Me = s.svc.Roster().Person(s.personOf(r, ss))
	if p.Me != nil && s.access == AccessSignIn {
		p.SignOut = s.signOut
	}
	if s.chat != nil && live {
		p.Live, p.Version = true, s.chat.Version()
	}
	p.Nav = append(p.Nav, navLink{Label: "People", Href: p.Base + "/"})
	if p.Me != nil {
		p.Nav = append(p.Nav, navLink{Label: "Inbox", Href: p.Base + "/me"})
		if s.ops() != nil {
			p.Nav = append(p.Nav, navLink{Label: "Follow-ups & releases", Href: p.Base + "/ops"})
		}
		if s.forms != nil && p.Me.Role.CanRunRituals() {
			p.Nav = append(p.Nav, navLink{Label: "Rituals & people", Href: p.Base + "/admin"})
		}
	}
	for _, c := range s.channels() {
		p.Nav = append(p.Nav, navLink{Label: "#" + c, Href: p.Base + "/c/" + url.PathEscape(c)})
	}
	p.Nav = append(p.Nav, s.links...)
	for i := range p.Nav {
		p.Nav[i].Current = p.Nav[i].Href == p.Base+r.URL.EscapedPath() || (r.URL.Path == "/" && p.Nav[i].Href == p.Base+"/")
	}
	return p
}

// channels are the rooms of rituals that use the local chat (or the
// default chat, which is local when this server runs).
func (s *Server) channels() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range s.svc.Rituals() {
		if (r.Platform == "" || r.Platform == Platform) && r.Channel != "" && !seen[r.Channel] {
			seen[r.Channel] = true
			out = append(out, r.Channel)
		}
	}
	for _, c := range s.rooms {
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// render executes a page template into a buffer first, so a template
// error becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := pages()[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error().Err(err).Str("page", name).Msg("render failed")
		http.Error(w, "The page could not be rendered; the error was logged.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// problemView is an error page; Kept holds form text the visitor typed,
// so a refused post loses nothing.
type problemView struct {
	Heading, Text string
	Kept          []fieldView
}

func (s *Server) problem(w http.ResponseWriter, r *http.Request, status int, heading, text string, kept []fieldView) {
	ss := s.sessions.get(r, s.clock.Now())
	p := s.newPage(r, ss, heading, false)
	p.Problem = &problemView{Heading: heading, Text: text, Kept: kept}
	s.render(w, r, status, "problem", p)
}

// personOf is who is acting: the signed-in person, the one picked in
// the trial, or nobody on read-only pages.
func (s *Server) personOf(r *http.Request, ss *session) string {
	switch s.access {
	case AccessSignIn:
		return s.whoIs(r)
	case AccessTrial:
		return s.sessions.person(ss)
	}
	return ""
}

// redirect finishes a successful POST (POST-redirect-GET).
func redirect(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, basePath(r)+path, http.StatusSeeOther)
}

// statusOf maps domain errors to HTTP statuses, at the edge.
func statusOf(err error) int {
	var fe cadence.FieldErrors
	switch {
	case errors.As(err, &fe):
		return http.StatusUnprocessableEntity
	case errors.Is(err, cadence.ErrInvalidInput):
		return http.StatusBadRequest
	case errors.Is(err, cadence.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, cadence.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, cadence.ErrClosed), errors.Is(err, cadence.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
