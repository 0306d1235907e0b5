package local

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
)

// wait is the long poll behind the optional auto-refresh script: it
// answers {"v": N} once the chat's version differs from ?v=, or after
// waitMax so proxies do not cut the connection.
func (s *Server) wait(w http.ResponseWriter, r *http.Request) {
	if s.chat == nil {
		http.Error(w, "live updates are off", http.StatusNotFound)
		return
	}
	v, err := strconv.ParseUint(r.URL.Query().Get("v"), 10, 64)
	if err != nil {
		http.Error(w, "v: want the page's version number", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.waitMax)
	defer cancel()
	cur := s.chat.Wait(ctx, v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]uint64{"v": cur})
}
