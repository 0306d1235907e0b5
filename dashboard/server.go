package dashboard

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Options configure access and extensions. Credentials come from the
// environment (OptionsFromEnv); see CheckAccess.
type Options struct {
	// Token, when set, is accepted as "Authorization: Bearer <token>".
	Token string
	// BasicUser and BasicPass, when both set, are accepted as HTTP basic
	// auth (the browser prompts for them).
	BasicUser, BasicPass string
	// Loopback declares that the listener only accepts local connections
	// (see IsLoopback). Without credentials, the dashboard serves only
	// when Loopback is true and answers 403 otherwise.
	Loopback bool
	// SignedIn reports a request the daemon's sign-in vouches for (a
	// roster person's session): let through, whatever the method.
	SignedIn func(*http.Request) bool
	// SignIn, when set, is where a browser without credentials is sent
	// (with ?next=): sign-in is on, so there is no open trial.
	SignIn func(next string) string

	// Threshold is the digest's (0–100; 0 for none): the people table
	// marks whoever answered fewer prompts on time, as the digest lists
	// them, and the trend chart draws it as a dashed reference line.
	Threshold float64

	// Sections are extra pages (follow-ups, release lane) owned by
	// other packages. IDs must be unique and URL-safe; New panics if not.
	Sections []Section
	// Log receives errors and refused requests; the zero value discards.
	Log zerolog.Logger
}

// Server is the read-only web dashboard over a cadence.Service.
type Server struct {
	svc   cadence.Service
	clock cadence.Clock
	opts  Options
	log   zerolog.Logger
	pages map[string]*template.Template
}

// New builds the dashboard; a nil clock means the system clock. It panics on invalid Options.Sections or
// broken embedded templates, both programming errors.
func New(svc cadence.Service, clock cadence.Clock, opts Options) *Server {
	if err := validateSections(opts.Sections); err != nil {
		panic(err)
	}
	if clock == nil {
		clock = cadence.SystemClock{}
	}
	s := &Server{svc: svc, clock: clock, opts: opts, log: opts.Log.With().Str("component", "dashboard").Logger()}
	s.pages = parseTemplates()
	return s
}

// Handler serves the pages, the API and the assets at paths relative
// to its mount point, with relative links, so it can live under any
// prefix:
//
//	mux.Handle("/dashboard/", http.StripPrefix("/dashboard", d.Handler()))
//
// Pages: / (overview), /people, /s/{section}. API: /api/report.json,
// /api/{team|weeks|rituals|heatmap|people}.{csv|json}, /api/trend.png,
// /api/s/{section}/{table}.{csv|json}. All take the same query
// parameters: from, to (YYYY-MM-DD), ritual, cap, sort, dir.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.overview)
	mux.HandleFunc("GET /people", s.people)
	mux.HandleFunc("GET /s/{section}", s.sectionPage)
	mux.HandleFunc("GET /"+ScorePath, s.scoreHelp)
	mux.HandleFunc("GET /api/report.json", s.apiReport)
	mux.HandleFunc("GET /api/trend.png", s.apiTrendPNG)
	mux.HandleFunc("GET /api/{file}", s.apiTable)
	mux.HandleFunc("GET /api/s/{section}/{file}", s.apiSectionTable)
	assets, _ := fs.Sub(assetFS, "assets")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", cacheFor(time.Hour, http.FileServerFS(assets))))
	return securityHeaders(s.requireAuth(mux))
}

// securityHeaders: the pages need nothing from outside the dashboard
// (no CDN), so the policy allows only same-origin assets.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func cacheFor(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", fmt.Sprintf("private, max-age=%d", int(d.Seconds())))
		next.ServeHTTP(w, r)
	})
}

// load parses the filter and computes the report for a request; without
// people, Report.People is left out (and its records are not read).
func (s *Server) load(r *http.Request, people bool) (Filter, *cadence.Report, error) {
	f, err := ParseFilter(r.URL.Query(), s.clock.Now(), s.svc.Rituals(), s.svc.Roster())
	if err != nil {
		return f, nil, err
	}
	q := f.Query()
	q.WithoutPeople = !people
	rep, err := s.svc.Report(r.Context(), q)
	if err != nil {
		return f, nil, fmt.Errorf("computing the report: %w", err)
	}
	return f, rep, nil
}

// status maps an error to an HTTP status: bad filters and invalid input
// are the caller's, the rest are ours.
func status(err error) int {
	var fe *FilterError
	switch {
	case errors.As(err, &fe), errors.Is(err, cadence.ErrInvalidInput):
		return http.StatusBadRequest
	case errors.Is(err, cadence.ErrNotFound):
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := status(err)
	msg := err.Error()
	if code >= 500 {
		s.log.Error().Err(err).Str("path", r.URL.Path).Msg("dashboard request failed")
		msg = "internal error while building the dashboard; the log has the details"
	}
	http.Error(w, msg, code)
}

// render executes a page into a buffer first, so a template error
// becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, page string, data any) {
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.fail(w, r, fmt.Errorf("rendering %s: %w", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = buf.WriteTo(w)
}

func (s *Server) section(id string) Section {
	i := slices.IndexFunc(s.opts.Sections, func(sec Section) bool { return sec.ID() == id })
	if i < 0 {
		return nil
	}
	return s.opts.Sections[i]
}
