package slacktest

import (
	"net/http"
	"sync/atomic"
)

// SetReachable cuts (false) or restores (true) the network between the
// bot and the fake: while cut, every Web API call and websocket dial has
// its connection closed without an answer (what a client sees when
// Slack or the route to it is down) and the open websocket is dropped.
func (s *Server) SetReachable(up bool) {
	s.down.Store(!up)
	if !up {
		s.sock.closeAll()
	}
}

// gate closes the connection of every request while the fake is
// unreachable.
func gate(down *atomic.Bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !down.Load() {
			next.ServeHTTP(w, r)
			return
		}
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	})
}
