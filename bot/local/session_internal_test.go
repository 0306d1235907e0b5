package local

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSessionsExpireWhenIdle(t *testing.T) {
	s := newSessions()
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

func TestSessionsAreBounded(t *testing.T) {
	s := newSessions()
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
