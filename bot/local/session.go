package local

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/cadencebot/cadencebot/bot"
)

const (
	sessionCookie = "cadence_local"
	// sessionIdle drops sessions nobody used for a day; maxSessions bounds
	// memory if something hammers the home page.
	sessionIdle = 24 * time.Hour
	maxSessions = 10000
)

// session is one browser. It holds who the visitor said they are, the CSRF
// token its forms carry, and a one-shot notice for the next page
// (POST-redirect-GET).
type session struct {
	id       string
	csrf     string
	person   string
	flash    *flash
	lastSeen time.Time
}

// flash is shown once on the next page: a confirmation, or a command reply.
type flash struct {
	Kind  string // "ok", "error"
	Text  string
	Reply *bot.Reply
}

type sessions struct {
	mu   sync.Mutex
	byID map[string]*session
}

func newSessions() *sessions { return &sessions{byID: map[string]*session{}} }

// get returns the request's session, or nil.
func (s *sessions) get(r *http.Request, now time.Time) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.byID[c.Value]
	if ss == nil || now.Sub(ss.lastSeen) > sessionIdle {
		delete(s.byID, c.Value)
		return nil
	}
	ss.lastSeen = now
	return ss
}

// ensure returns the request's session, creating one (and its cookie) if
// there is none.
func (s *sessions) ensure(w http.ResponseWriter, r *http.Request, now time.Time, path string) *session {
	if ss := s.get(r, now); ss != nil {
		return ss
	}
	ss := &session{id: randomToken(), csrf: randomToken(), lastSeen: now}
	s.mu.Lock()
	if len(s.byID) >= maxSessions {
		s.evict(now)
	}
	s.byID[ss.id] = ss
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: ss.id, Path: path,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil,
	})
	return ss
}

// evict drops idle sessions, or the least recently seen one if none is
// idle. Called with mu held.
func (s *sessions) evict(now time.Time) {
	var oldest *session
	for id, ss := range s.byID {
		if now.Sub(ss.lastSeen) > sessionIdle {
			delete(s.byID, id)
			continue
		}
		if oldest == nil || ss.lastSeen.Before(oldest.lastSeen) {
			oldest = ss
		}
	}
	if len(s.byID) >= maxSessions && oldest != nil {
		delete(s.byID, oldest.id)
	}
}

// update runs fn on a session under the lock, for writes from handlers.
func (s *sessions) update(ss *session, fn func(*session)) {
	s.mu.Lock()
	fn(ss)
	s.mu.Unlock()
}

// takeFlash returns the pending notice and clears it.
func (s *sessions) takeFlash(ss *session) *flash {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := ss.flash
	ss.flash = nil
	return f
}

// person returns who the session says it is.
func (s *sessions) person(ss *session) string {
	if ss == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return ss.person
}

// checkCSRF reports whether the form's token is the session's.
func checkCSRF(ss *session, token string) bool {
	return ss != nil && token != "" && subtle.ConstantTimeCompare([]byte(ss.csrf), []byte(token)) == 1
}

func randomToken() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic("local chat: no randomness: " + err.Error()) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
