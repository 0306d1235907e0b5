package slacktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Envelope is a Socket Mode request as Slack frames it.
type Envelope struct {
	EnvelopeID             string          `json:"envelope_id"`
	Type                   string          `json:"type"`
	Payload                json.RawMessage `json:"payload"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	RetryAttempt           int             `json:"retry_attempt"`
	RetryReason            string          `json:"retry_reason"`
}

type socketState struct {
	mu          sync.Mutex
	conn        *websocket.Conn   // the newest: envelopes go here
	open        []*websocket.Conn // with MaxConnections > 1, oldest first
	writeMu     sync.Mutex
	connections int
	seq         int
	pending     map[string]*Envelope // sent, not acked yet
	all         map[string]*Envelope // every envelope sent
	order       []string
	acks        map[string]json.RawMessage
	ackCh       chan struct{}
	connCh      chan struct{}
}

func (st *socketState) init() {
	st.pending = map[string]*Envelope{}
	st.all = map[string]*Envelope{}
	st.acks = map[string]json.RawMessage{}
	st.ackCh = make(chan struct{})
	st.connCh = make(chan struct{})
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveSocket is the websocket Slack hands out in apps.connections.open:
// hello, then envelopes; the client acks each by envelope_id. Envelopes
// not acked when a connection ends are redelivered on the next one with
// retry_attempt+1 and retry_reason "timeout".
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	st := &s.sock
	st.mu.Lock()
	if s.MaxConnections > 1 {
		if len(st.open) >= s.MaxConnections {
			st.mu.Unlock()
			_ = s.write(conn, map[string]any{"type": "disconnect", "reason": "too_many_websockets",
				"debug_info": map[string]any{"host": "applink-fake"}})
			time.AfterFunc(50*time.Millisecond, func() { _ = conn.Close() })
			return
		}
		st.open = append(st.open, conn)
	} else if st.conn != nil {
		_ = st.conn.Close()
	}
	st.conn = conn
	st.connections++
	n := st.connections
	var redeliver []*Envelope
	for _, id := range st.order {
		if e := st.pending[id]; e != nil && e.Type != "" {
			e.RetryAttempt++
			e.RetryReason = "timeout"
			cp := *e
			redeliver = append(redeliver, &cp)
		}
	}
	close(st.connCh)
	st.connCh = make(chan struct{})
	st.mu.Unlock()

	_ = s.write(conn, map[string]any{"type": "hello", "num_connections": 1,
		"debug_info":      map[string]any{"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": AppID}})
	for _, e := range redeliver {
		_ = s.write(conn, e)
	}

	done := make(chan struct{})
	go func() { // Slack pings; slack-go reconnects when pings stop
		t := time.NewTicker(s.PingEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				s.sock.writeMu.Lock()
				err := conn.WriteControl(websocket.PingMessage, []byte(fmt.Sprint(n)), time.Now().Add(time.Second))
				s.sock.writeMu.Unlock()
				if err != nil {
					return
				}
			}
		}
	}()
	defer close(done)
	if s.MaxConnections > 1 { // one at a time: a dead one stays the target, as it always did
		defer s.sock.forget(conn)
	}
	for {
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := conn.ReadJSON(&ack); err != nil {
			return
		}
		st.mu.Lock()
		if _, ok := st.pending[ack.EnvelopeID]; ok {
			delete(st.pending, ack.EnvelopeID)
			st.acks[ack.EnvelopeID] = ack.Payload
			close(st.ackCh)
			st.ackCh = make(chan struct{})
		}
		st.mu.Unlock()
	}
}

func (s *Server) write(conn *websocket.Conn, v any) error {
	s.sock.writeMu.Lock()
	defer s.sock.writeMu.Unlock()
	return conn.WriteJSON(v)
}

// Send frames payload as an envelope of type typ ("events_api",
// "interactive", "slash_commands") and writes it to the current
// connection (or the next one). It returns the envelope ID.
func (s *Server) Send(typ string, payload any) string {
	raw, err := json.Marshal(payload)
	if err != nil {
		panic(err)
	}
	st := &s.sock
	st.mu.Lock()
	st.seq++
	e := &Envelope{EnvelopeID: fmt.Sprintf("env-%04d", st.seq), Type: typ, Payload: raw,
		AcceptsResponsePayload: typ != "events_api"}
	st.pending[e.EnvelopeID] = e
	st.all[e.EnvelopeID] = e
	st.order = append(st.order, e.EnvelopeID)
	conn := st.conn
	cp := *e
	st.mu.Unlock()
	if conn != nil {
		_ = s.write(conn, &cp)
	}
	return cp.EnvelopeID
}

// SendRaw writes a frame as is (malformed payloads).
func (s *Server) SendRaw(frame string) {
	s.sock.mu.Lock()
	conn := s.sock.conn
	s.sock.mu.Unlock()
	if conn != nil {
		s.sock.writeMu.Lock()
		_ = conn.WriteMessage(websocket.TextMessage, []byte(frame))
		s.sock.writeMu.Unlock()
	}
}

// TrackRaw registers an envelope ID written with SendRaw, so WaitAck can
// wait for its ack.
func (s *Server) TrackRaw(id string) {
	s.sock.mu.Lock()
	defer s.sock.mu.Unlock()
	s.sock.pending[id] = &Envelope{EnvelopeID: id}
}

// Redeliver sends an envelope again, acked or not, with retry_attempt+1,
// as Slack does when an ack came too late.
func (s *Server) Redeliver(id string) {
	st := &s.sock
	st.mu.Lock()
	e := st.all[id]
	conn := st.conn
	if e == nil || conn == nil {
		st.mu.Unlock()
		return
	}
	e.RetryAttempt++
	e.RetryReason = "timeout"
	st.pending[id] = e
	delete(st.acks, id)
	cp := *e
	st.mu.Unlock()
	_ = s.write(conn, &cp)
}

// WaitAck waits for the ack of an envelope and returns its payload.
func (s *Server) WaitAck(id string, timeout time.Duration) (json.RawMessage, bool) {
	deadline := time.After(timeout)
	for {
		st := &s.sock
		st.mu.Lock()
		p, ok := st.acks[id]
		ch := st.ackCh
		st.mu.Unlock()
		if ok {
			return p, true
		}
		select {
		case <-ch:
		case <-deadline:
			return nil, false
		}
	}
}

// Acked reports whether an envelope was acked.
func (s *Server) Acked(id string) bool {
	s.sock.mu.Lock()
	defer s.sock.mu.Unlock()
	_, ok := s.sock.acks[id]
	return ok
}

// Connections counts websocket connections opened so far.
func (s *Server) Connections() int {
	s.sock.mu.Lock()
	defer s.sock.mu.Unlock()
	return s.sock.connections
}

// WaitConnections waits until at least n connections were opened.
func (s *Server) WaitConnections(n int, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		s.sock.mu.Lock()
		c, ch := s.sock.connections, s.sock.connCh
		s.sock.mu.Unlock()
		if c >= n {
			return true
		}
		select {
		case <-ch:
		case <-deadline:
			return false
		}
	}
}

// Disconnect asks the client to reconnect, as Slack does before it
// recycles a connection (reason "refresh_requested", "warning",
// "link_disabled"), then closes the websocket.
func (s *Server) Disconnect(reason string) {
	s.sock.mu.Lock()
	conn := s.sock.conn
	s.sock.forgetLocked(conn)
	s.sock.mu.Unlock()
	if conn == nil {
		return
	}
	_ = s.write(conn, map[string]any{"type": "disconnect", "reason": reason,
		"debug_info": map[string]any{"host": "applink-fake"}})
	time.AfterFunc(50*time.Millisecond, func() { _ = conn.Close() })
}

// Drop cuts the websocket without a word (a network failure).
func (s *Server) Drop() {
	s.sock.mu.Lock()
	conn := s.sock.conn
	s.sock.forgetLocked(conn)
	s.sock.mu.Unlock()
	if conn != nil {
		_ = conn.Close()
	}
}

func (st *socketState) closeAll() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.conn != nil {
		_ = st.conn.Close()
		st.conn = nil
	}
	for _, c := range st.open {
		_ = c.Close()
	}
	st.open = nil
}

// OpenConnections counts the websockets open now. Only a server with
// MaxConnections > 1 keeps count; others say 0.
func (s *Server) OpenConnections() int {
	s.sock.mu.Lock()
	defer s.sock.mu.Unlock()
	return len(s.sock.open)
}

// forget drops an ended connection; envelopes go to the newest one left.
func (st *socketState) forget(conn *websocket.Conn) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.forgetLocked(conn)
}

func (st *socketState) forgetLocked(conn *websocket.Conn) {
	if conn == nil {
		return
	}
	for i, c := range st.open {
		if c == conn {
			st.open = append(st.open[:i:i], st.open[i+1:]...)
			break
		}
	}
	if st.conn == conn {
		st.conn = nil
		if n := len(st.open); n > 0 {
			st.conn = st.open[n-1]
		}
	}
}
