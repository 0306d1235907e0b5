package local

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSessionsExpireWhenIdle(t *testing.T) {
	s := newSessions(testKey)
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	rec := httptest.NewRecorder()
	ss := s.ensure(rec, httptest.NewRequest(http.MethodGet, "/", nil), t0, "/")
	cookies := rec.Result().Cookies()
	require.Len(t, cookies, 1)
	c := cookies[0]
	assert.True(t, c.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
	assert.NotEqual(t, ss.id, ss.csrf, "the CSRF token is not the session id")

	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(c)
	assert.Same(t, ss, s.get(req, t0.Add(23*time.Hour)), "use keeps it alive")
	assert.Same(t, ss, s.get(req, t0.Add(46*time.Hour)))
	assert.Nil(t, s.get(req, t0.Add(71*time.Hour)), "idle for more than a day")
	assert.Empty(t, s.byID)
}

var testKey = []byte("0123456789abcdef0123456789abcdef")

// A restart keeps the sessions: the cookie names the session and the
// person, signed; the CSRF token follows from the id and the key.
func TestSessionsSurviveARestart(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	before := newSessions(testKey)
	rec := httptest.NewRecorder()
	ss := before.ensure(rec, httptest.NewRequest(http.MethodGet, "/", nil), t0, "/")
	rec = httptest.NewRecorder()
	before.setPerson(rec, httptest.NewRequest(http.MethodPost, "/whoami", nil), ss, "ana", t0, "/")
	cookie := rec.Result().Cookies()[0]

	withCookie := func(c *http.Cookie) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(c)
		return r
	}
	after := newSessions(testKey) // the same key, from the store
	got := after.get(withCookie(cookie), t0.Add(time.Hour))
	require.NotNil(t, got)
	assert.Equal(t, ss.id, got.id)
	assert.Equal(t, "ana", got.person)
	assert.True(t, checkCSRF(got, ss.csrf), "a form rendered before the restart is accepted")

	// Someone else's person under the old signature.
	payload, sig, _ := strings.Cut(cookie.Value, ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	require.NoError(t, err)
	tampered := *cookie
	tampered.Value = base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), `"ana"`, `"lena"`, 1))) + "." + sig
	for name, tc := range map[string]struct {
		s   *sessions
		c   *http.Cookie
		now time.Time
	}{
		"another key":             {newSessions([]byte("another key, another database..")), cookie, t0},
		"a tampered cookie":       {newSessions(testKey), &tampered, t0},
		"a cookie idle for a day": {newSessions(testKey), cookie, t0.Add(sessionIdle + time.Minute)},
		"a made-up cookie":        {newSessions(testKey), &http.Cookie{Name: sessionCookie, Value: "c2Vzc2lvbg.c2ln"}, t0},
	} {
		assert.Nil(t, tc.s.get(withCookie(tc.c), tc.now), name)
	}
}

func TestSessionsAreBounded(t *testing.T) {
	s := newSessions(testKey)
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	var first *session
	for i := 0; i < maxSessions+5; i++ {
		ss := s.ensure(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil), t0.Add(time.Duration(i)*time.Millisecond), "/")
		if first == nil {
			first = ss
		}
	}
	assert.Len(t, s.byID, maxSessions)
	assert.NotContains(t, s.byID, first.id, "the least recently seen goes first")
}

func TestCheckCSRF(t *testing.T) {
	ss := &session{csrf: "abc"}
	assert.True(t, checkCSRF(ss, "abc"))
	assert.False(t, checkCSRF(ss, "abd"))
	assert.False(t, checkCSRF(ss, ""))
	assert.False(t, checkCSRF(nil, "abc"))
	assert.False(t, checkCSRF(&session{}, ""), "an empty token never matches")
}

func TestBasePath(t *testing.T) {
	for _, tt := range []struct{ uri, path, want string }{
		{"/me", "/me", ""},
		{"/chat/me?x=1", "/me", "/chat"},
		{"/chat/", "/", "/chat"},
		{"/a/b/c/mlops", "/c/mlops", "/a/b"},
		{"/other", "/me", ""},
	} {
		r := httptest.NewRequest(http.MethodGet, tt.uri, nil)
		r.URL.Path = tt.path
		r.URL.RawPath = ""
		assert.Equal(t, tt.want, basePath(r), tt.uri)
	}
}
