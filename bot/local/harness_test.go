package local_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/local"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// start is Monday 30 Nov 2026 08:30 UTC, when the weekly triage opens.
var start = time.Date(2026, 11, 30, 8, 30, 0, 0, time.UTC)

func mustLoad(t testing.TB, name string) *time.Location {
	l, err := time.LoadLocation(name)
	require.NoError(t, err)
	return l
}

func testRoster(t testing.TB) *cadence.Roster {
	return cadence.NewRoster([]*cadence.Person{
		{ID: "ana", Name: "Ana Popescu", Role: cadence.RoleSpecialist, Location: mustLoad(t, "Europe/Bucharest")},
		{ID: "lena", Name: "Lena Meier", Role: cadence.RoleLead, Location: mustLoad(t, "Europe/Zurich")},
		{ID: "max", Name: "Max Novak", Role: cadence.RoleManager, Location: mustLoad(t, "Europe/Warsaw")},
	})
}

func triageRitual(t testing.TB) *cadence.Ritual {
	return &cadence.Ritual{
		ID: "triage", Title: "Weekly triage", Kind: cadence.KindTriage, Channel: "mlops",
		Location: mustLoad(t, "Europe/Zurich"), Participants: []string{"ana", "lena"},
		Questions: cadence.DefaultQuestions(cadence.KindTriage), Window: 4 * time.Hour,
	}
}

// harness is the local chat served over real HTTP on a fake engine, and a
// browser-like client (cookie jar, follows redirects).
type harness struct {
	t      *testing.T
	eng    *fakeEngine // nil when the harness runs the real engine
	svc    cadence.Service
	st     cadence.Store
	clock  *cadence.ManualClock
	chat   *local.Chat
	srv    *httptest.Server
	client *http.Client
	prefix string // where the chat is mounted: "" or "/chat"
	last   string // body of the last page, for its CSRF token
}

func newHarness(t *testing.T, prefix string) *harness {
	t.Helper()
	chat := local.NewChat()
	eng := &fakeEngine{t: t, roster: testRoster(t), rituals: []*cadence.Ritual{triageRitual(t)},
		st: cadencetest.NewStore(), chat: chat, clock: cadence.NewManualClock(start)}
	h := serve(t, prefix, eng, eng.st, eng.clock, chat)
	h.eng = eng
	return h
}

// serve runs the local chat for svc over HTTP, mounted at prefix.
func serve(t *testing.T, prefix string, svc cadence.Service, st cadence.Store, clock *cadence.ManualClock, chat *local.Chat) *harness {
	t.Helper()
	srv := local.NewServer(svc, st, clock, zerolog.Nop(), local.WithChat(chat))
	h := &harness{t: t, svc: svc, st: st, clock: clock, chat: chat, prefix: prefix}
	mux := http.NewServeMux()
	if prefix == "" {
		mux.Handle("/", srv.Handler())
	} else {
		mux.Handle(prefix+"/", http.StripPrefix(prefix, srv.Handler()))
	}
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	h.client = h.newClient()
	return h
}

func (h *harness) newClient() *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(h.t, err)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

func (h *harness) url(path string) string { return h.srv.URL + h.prefix + path }

func (h *harness) do(req *http.Request) (int, string) {
	h.t.Helper()
	resp, err := h.client.Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	h.last = string(b)
	return resp.StatusCode, h.last
}

func (h *harness) get(path string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.url(path), nil)
	require.NoError(h.t, err)
	return h.do(req)
}

// post sends a form with the CSRF token of the last page unless the form
// sets "csrf" itself.
func (h *harness) post(path string, form url.Values) (int, string) {
	h.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", h.csrf())
	}
	req, err := http.NewRequest(http.MethodPost, h.url(path), strings.NewReader(form.Encode()))
	require.NoError(h.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.do(req)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (h *harness) csrf() string {
	h.t.Helper()
	m := csrfRe.FindStringSubmatch(h.last)
	require.NotNil(h.t, m, "no CSRF token in the last page")
	return m[1]
}

// login picks a person on the home page and returns their inbox.
func (h *harness) login(person string) string {
	h.t.Helper()
	status, _ := h.get("/")
	require.Equal(h.t, http.StatusOK, status)
	status, body := h.post("/whoami", url.Values{"person": {person}})
	require.Equal(h.t, http.StatusOK, status, body)
	return body
}

// textarea matches a textarea whose content is exactly text (HTML-escaped).
func textarea(name, text string) *regexp.Regexp {
	return regexp.MustCompile(`<textarea [^>]*name="` + regexp.QuoteMeta(name) + `"[^>]*>` + regexp.QuoteMeta(escape(text)) + `</textarea>`)
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}
