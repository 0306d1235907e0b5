package local

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
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
	// cookieRefresh is how stale the time in a cookie may get before a
	// page re-signs it: the idle limit counts from it after a restart.
	cookieRefresh = time.Hour
)

// session is one browser. It holds who the visitor said they are, the CSRF
// token its forms carry, and a one-shot notice for the next page
// (POST-redirect-GET).
//
// The cookie carries the session id, the person and when it was last
// seen, signed with a key kept in the store (sessionkey.go), and the CSRF
// token is derived from the id with that key: so a session, and a form
// open in a browser, outlive a restart of the bot. Only the flash is
// lost with the process.
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
	key  []byte // signs cookies and derives CSRF tokens; never logged
	mu   sync.Mutex
	byID map[string]*session
}

func newSessions(key []byte) *sessions { return &sessions{key: key, byID: map[string]*session{}} }

// cookieClaims is what a session cookie says, under its signature.
type cookieClaims struct {
	ID     string `json:"i"`
	Person string `json:"p,omitempty"`
	Seen   int64  `json:"s"` // unix seconds
}

func (s *sessions) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return m.Sum(nil)
}

func (s *sessions) sign(c cookieClaims) string {
	b, _ := json.Marshal(c)
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac("cookie", payload))
}

// verify returns the claims of a cookie this bot signed, or false.
func (s *sessions) verify(v string) (cookieClaims, bool) {
	var c cookieClaims
	payload, sig, ok := strings.Cut(v, ".")
	if !ok {
		return c, false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac("cookie", payload)) {
		return c, false
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return c, false
	}
	return c, true
}

func (s *sessions) csrfFor(id string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac("csrf", id))
}

// get returns the request's session, or nil.
func (s *sessions) get(r *http.Request, now time.Time) *session {
	ss, _ := s.lookup(r, now)
	return ss
}

// lookup returns the request's session and the time its cookie was
// signed at. A session this process does not know yet (it restarted)
// is taken from the cookie.
func (s *sessions) lookup(r *http.Request, now time.Time) (*session, time.Time) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, time.Time{}
	}
	c, ok := s.verify(ck.Value)
	if !ok {
		return nil, time.Time{}
	}
	seen := time.Unix(c.Seen, 0)
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.byID[c.ID]
	if ss == nil {
		if now.Sub(seen) > sessionIdle {
			return nil, time.Time{}
		}
		if len(s.byID) >= maxSessions {
			s.evict(now)
		}
		ss = &session{id: c.ID, csrf: s.csrfFor(c.ID), person: c.Person, lastSeen: seen}
		s.byID[c.ID] = ss
	}
	if now.Sub(ss.lastSeen) > sessionIdle {
		delete(s.byID, c.ID)
		return nil, time.Time{}
	}
	ss.lastSeen = now
	return ss, seen
}

// ensure returns the request's session, creating one (and its cookie) if
// there is none, and re-signs a cookie older than cookieRefresh.
func (s *sessions) ensure(w http.ResponseWriter, r *http.Request, now time.Time, path string) *session {
	if ss, seen := s.lookup(r, now); ss != nil {
		if now.Sub(seen) > cookieRefresh {
			s.setCookie(w, r, ss, now, path)
		}
		return ss
	}
	id := randomToken()
	ss := &session{id: id, csrf: s.csrfFor(id), lastSeen: now}
	s.mu.Lock()
	if len(s.byID) >= maxSessions {
		s.evict(now)
	}
	s.byID[ss.id] = ss
	s.mu.Unlock()
	s.setCookie(w, r, ss, now, path)
	return ss
}

// setPerson records who the visitor is, in the session and its cookie.
func (s *sessions) setPerson(w http.ResponseWriter, r *http.Request, ss *session, person string, now time.Time, path string) {
	s.update(ss, func(ss *session) { ss.person = person })
	s.setCookie(w, r, ss, now, path)
}

func (s *sessions) setCookie(w http.ResponseWriter, r *http.Request, ss *session, now time.Time, path string) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: s.sign(cookieClaims{ID: ss.id, Person: s.person(ss), Seen: now.Unix()}), Path: path,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil,
	})
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
