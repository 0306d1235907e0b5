// Package slacktest is a Slack workspace in a box for tests: the Web API
// over real HTTP (the methods cadencebot calls, with Slack's error codes,
// Block Kit checks and rate limits answered with 429 and Retry-After) and
// Socket Mode over a real websocket (hello, envelopes, acks, redelivery,
// disconnect). It is driven by the real slack-go client pointed at URL.
package slacktest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Identities of the fake workspace.
const (
	TeamID  = "T0CADENCE"
	BotUser = "U0CADBOT"
	BotID   = "B0CADBOT"
	AppID   = "A0CADENCE"
)

// Limit is a token bucket: PerMinute refill, Burst capacity.
type Limit struct {
	PerMinute float64
	Burst     int
}

// Failure is an error the next call of a method returns instead of its
// result: an HTTP status (5xx, 429 with RetryAfter seconds) or a Slack
// error code in an ok:false body.
type Failure struct {
	Status     int
	RetryAfter int
	Error      string
	Messages   []string // response_metadata.messages
}

// Channel is a conversation of the workspace.
type Channel struct {
	ID, Name  string
	Private   bool
	Archived  bool
	BotMember bool
	IM        bool
	User      string // the other side of a DM
}

// User is a member of the workspace.
type User struct {
	ID, Name, Email, TZ string
}

// Message is a posted message as the fake stores it.
type Message struct {
	Channel, TS, ThreadTS string
	Text                  string
	Blocks                json.RawMessage
	Metadata              json.RawMessage
	User, BotID           string
	Updates               int
	Files                 []string // IDs of files shared with the message
}

// Ephemeral is a chat.postEphemeral call.
type Ephemeral struct{ Channel, User, ThreadTS, Text string }

// View is a modal opened with views.open or a home tab published. Hash
// changes with every views.update, as Slack's does.
type View struct {
	ID, User, Hash string
	JSON           json.RawMessage
}

// ViewUpdate is a views.update call as it came: which view, the hash it
// carried ("" when none) and the new view.
type ViewUpdate struct {
	ViewID, Hash string
	JSON         json.RawMessage
}

// Server is the fake workspace. Create it with New; Close it when done.
type Server struct {
	BotToken, AppToken string
	// URL is the Web API base for slack.OptionAPIURL (ends in "/api/").
	URL string
	// Now is the workspace clock: rate limits, ts values, trigger expiry.
	Now func() time.Time
	// WritePublic models the chat:write.public scope: without it, posting
	// in a public channel the bot has not joined is not_in_channel.
	WritePublic bool
	// TriggerTTL is how long a trigger_id can open a view (Slack: 3 s).
	TriggerTTL time.Duration
	// PingEvery is how often the websocket pings the client.
	PingEvery time.Duration
	// MaxConnections is how many Socket Mode websockets may be open at
	// once. Slack allows an app 10 and refuses more ("too_many_websockets"),
	// so replicas can each keep their own; envelopes go to the newest.
	// 0 or 1: a new connection replaces the open one.
	MaxConnections int

	srv *httptest.Server

	mu         sync.Mutex
	channels   map[string]*Channel
	users      map[string]*User
	messages   map[string][]*Message // by channel, in ts order
	ephemerals []Ephemeral
	opened     []View
	modals     map[string]*View // by view ID: the modal as it is now
	viewCalls  []ViewUpdate
	published  map[string]View
	triggers   map[string]trigger
	calls      map[string]int
	callTimes  map[string][]time.Time
	limited    map[string]int
	retryAt    map[string]time.Time // method → end of the last Retry-After given
	early      map[string]int       // calls that came before it
	failures   map[string][]Failure
	limits     map[string]Limit
	perChannel map[string]Limit
	buckets    map[string]*bucket
	files      map[string]*File
	fileOrder  []string
	lastTS     int64 // microseconds
	seq        int

	sock socketState
	down atomic.Bool // SetReachable(false)
}

type trigger struct {
	user    string
	expires time.Time
}

// New starts a fake workspace with the given tokens.
func New(botToken, appToken string) *Server {
	s := &Server{
		BotToken: botToken, AppToken: appToken,
		Now:        time.Now,
		TriggerTTL: 3 * time.Second,
		PingEvery:  100 * time.Millisecond,
		channels:   map[string]*Channel{},
		users:      map[string]*User{},
		messages:   map[string][]*Message{},
		published:  map[string]View{},
		modals:     map[string]*View{},
		triggers:   map[string]trigger{},
		calls:      map[string]int{},
		callTimes:  map[string][]time.Time{},
		limited:    map[string]int{},
		retryAt:    map[string]time.Time{},
		early:      map[string]int{},
		failures:   map[string][]Failure{},
		limits:     map[string]Limit{},
		perChannel: map[string]Limit{},
		buckets:    map[string]*bucket{},
		files:      map[string]*File{},
	}
	s.sock.init()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/link/", s.serveSocket)
	mux.HandleFunc("/upload/v1/", s.serveUpload)
	s.srv = httptest.NewServer(gate(&s.down, mux))
	s.URL = s.srv.URL + "/api/"
	return s
}

// Close stops the server and drops every websocket.
func (s *Server) Close() {
	s.sock.closeAll()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// AddChannel adds a channel.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cc := c
	s.channels[c.ID] = &cc
}

// AddUser adds a user.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	uu := u
	s.users[u.ID] = &uu
}

// SetLimit makes method answer 429 beyond lim for the workspace.
func (s *Server) SetLimit(method string, lim Limit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits[method] = lim
}

// SetChannelLimit makes method answer 429 beyond lim per channel.
func (s *Server) SetChannelLimit(method string, lim Limit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perChannel[method] = lim
}

// FailNext queues failures returned by the next calls of method.
func (s *Server) FailNext(method string, f ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], f...)
}

// Calls counts the calls of a method, answered or not.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// CallTimes returns when each call of a method came, by the fake's clock.
func (s *Server) CallTimes(method string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.callTimes[method]...)
}

// RateLimited counts the 429s the rate limits (not FailNext) answered.
func (s *Server) RateLimited(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited[method]
}

// EarlyCalls counts calls of method made before the Retry-After of an
// earlier 429 on it had passed: Slack's docs ask clients not to.
func (s *Server) EarlyCalls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.early[method]
}

// tooMany answers 429 with Retry-After (whole seconds, as Slack sends).
func (s *Server) tooMany(w http.ResponseWriter, method string, after int) {
	s.retryAt[method] = s.Now().Add(time.Duration(after) * time.Second)
	w.Header().Set("Retry-After", fmt.Sprint(after))
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
}

// Messages returns copies of a channel's messages in ts order.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages[channel] {
		out = append(out, *m)
	}
	return out
}

// AllMessages returns every message of the workspace, by channel then ts.
func (s *Server) AllMessages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var chans []string
	for c := range s.messages {
		chans = append(chans, c)
	}
	sort.Strings(chans)
	var out []Message
	for _, c := range chans {
		for _, m := range s.messages[c] {
			out = append(out, *m)
		}
	}
	return out
}

// DM returns the DM channel ID with a user, or "" if none was opened.
func (s *Server) DM(user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.channels {
		if c.IM && c.User == user {
			return c.ID
		}
	}
	return ""
}

// Ephemerals returns the chat.postEphemeral calls so far.
func (s *Server) Ephemerals() []Ephemeral {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ephemeral(nil), s.ephemerals...)
}

// OpenedViews returns the modals opened so far.
func (s *Server) OpenedViews() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]View(nil), s.opened...)
}

// ViewUpdates returns the views.update calls that succeeded, in order.
func (s *Server) ViewUpdates() []ViewUpdate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ViewUpdate(nil), s.viewCalls...)
}

// Modal returns an open modal as it is now (after any views.update).
func (s *Server) Modal(id string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.modals[id]
	if v == nil {
		return View{}, false
	}
	return *v, true
}

// ChangeModal stands for a change to an open modal the test does not
// drive (another click's views.update, the person typing a dispatched
// action): its hash moves on, so an update carrying the old hash gets
// hash_conflict.
func (s *Server) ChangeModal(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.modals[id]; v != nil {
		v.Hash = s.nextHash()
	}
}

// HomeView returns the home tab published for a user.
func (s *Server) HomeView(user string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.published[user]
	return v, ok
}

// NewTrigger issues a trigger_id for user, valid for TriggerTTL, as Slack
// does with every click.
func (s *Server) NewTrigger(user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := fmt.Sprintf("%d.%d.fake%06d", s.Now().Unix(), s.seq, s.seq)
	s.triggers[id] = trigger{user: user, expires: s.Now().Add(s.TriggerTTL)}
	return id
}

// PostAsUser adds a message from a person (a threaded reply) and returns
// its ts; the test then delivers the matching message event.
func (s *Server) PostAsUser(channel, user, threadTS, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &Message{Channel: channel, TS: s.nextTS(), ThreadTS: threadTS, Text: text, User: user}
	s.messages[channel] = append(s.messages[channel], m)
	return m.TS
}

// nextTS returns a unique, increasing Slack ts from the clock.
func (s *Server) nextTS() string {
	us := s.Now().UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

type bucket struct {
	lim    Limit
	tokens float64
	last   time.Time
}

// take spends a token or says how long until one is available.
func (b *bucket) take(now time.Time) (bool, time.Duration) {
	if b.last.IsZero() {
		b.tokens, b.last = float64(b.lim.Burst), now
	} else if el := now.Sub(b.last); el > 0 {
		b.tokens = math.Min(float64(b.lim.Burst), b.tokens+el.Seconds()*b.lim.PerMinute/60)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / (b.lim.PerMinute / 60) * float64(time.Second))
}

// allow applies the method's limits; it returns the Retry-After in
// seconds (rounded up, at least 1) when the call is over a limit.
func (s *Server) allow(method, channel string) (bool, int) {
	now := s.Now()
	check := func(key string, lim Limit) (bool, time.Duration) {
		b := s.buckets[key]
		if b == nil {
			b = &bucket{lim: lim}
			s.buckets[key] = b
		}
		return b.take(now)
	}
	if lim, ok := s.perChannel[method]; ok && channel != "" {
		if ok, wait := check(method+"#"+channel, lim); !ok {
			return false, retryAfter(wait)
		}
	}
	if lim, ok := s.limits[method]; ok {
		if ok, wait := check(method, lim); !ok {
			return false, retryAfter(wait)
		}
	}
	return true, 0
}

func retryAfter(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()))) }

// args is a request's parameters, from a form or a JSON body.
type args map[string]any

func (a args) str(k string) string {
	switch v := a[k].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	in := args{}
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if r.ContentLength != 0 {
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
				writeErr(w, "invalid_json", nil)
				return
			}
		}
	} else {
		if err := r.ParseForm(); err != nil {
			writeErr(w, "invalid_form_data", nil)
			return
		}
		for k := range r.Form {
			in[k] = r.Form.Get(k)
		}
		if t := r.Form.Get("token"); t != "" {
			token = t
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	s.callTimes[method] = append(s.callTimes[method], s.Now())
	if s.Now().Before(s.retryAt[method]) {
		s.early[method]++
	}
	want := s.BotToken
	if method == "apps.connections.open" {
		want = s.AppToken
	}
	switch {
	case token == "":
		writeErr(w, "not_authed", nil)
		return
	case token != want && (token == s.BotToken || token == s.AppToken):
		writeErr(w, "not_allowed_token_type", nil)
		return
	case token != want:
		writeErr(w, "invalid_auth", nil)
		return
	}
	if q := s.failures[method]; len(q) > 0 {
		f := q[0]
		s.failures[method] = q[1:]
		switch {
		case f.Status == http.StatusTooManyRequests:
			s.tooMany(w, method, max(1, f.RetryAfter))
		case f.Status != 0:
			w.WriteHeader(f.Status)
			_, _ = w.Write([]byte("<html><body>Slack is having trouble</body></html>"))
		default:
			writeErr(w, f.Error, f.Messages)
		}
		return
	}
	if ok, after := s.allow(method, s.limitChannel(method, in)); !ok {
		s.limited[method]++
		s.tooMany(w, method, after)
		return
	}
	h, ok := s.methods()[method]
	if !ok {
		writeErr(w, "unknown_method", nil)
		return
	}
	h(w, r, in)
}

// limitChannel is the conversation a per-channel limit counts against: a
// DM for a post to a user id.
func (s *Server) limitChannel(method string, in args) string {
	ch := in.str("channel")
	if strings.HasPrefix(ch, "U") {
		for _, c := range s.channels {
			if c.IM && c.User == ch {
				return c.ID
			}
		}
	}
	return ch
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// writeErr answers like Slack: HTTP 200 with ok:false and the code.
func writeErr(w http.ResponseWriter, code string, messages []string) {
	body := map[string]any{"ok": false, "error": code}
	if len(messages) > 0 {
		body["response_metadata"] = map[string]any{"messages": messages}
	}
	writeJSON(w, body)
}
