package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

// /readyz on a replica of a shared PostgreSQL says who leads; a follower
// is ready without ticking; one that cannot read the lease is not; one
// whose config differs from the leader's is degraded and says so.
func TestReadyzSaysWhoLeads(t *testing.T) {
	tests := []struct {
		name   string
		view   leaderView
		ticked bool
		code   int
		want   []string
	}{
		{name: "leader", view: leaderView{Known: true, Leading: true, Holder: "pod-a/1/abcd", Epoch: 4}, ticked: true,
			code: 200, want: []string{"ready\n", "leader: this replica, pod-a/1/abcd (epoch 4)", "scheduler: ok"}},
		{name: "leader before its first tick", view: leaderView{Known: true, Leading: true, Holder: "pod-a/1/abcd", Epoch: 4},
			code: 503, want: []string{"not ready", "scheduler: waiting for the first tick"}},
		{name: "follower", view: leaderView{Known: true, Holder: "pod-a/1/abcd", Epoch: 4},
			code: 200, want: []string{"ready\n", "leader: pod-a/1/abcd (epoch 4); this replica follows"}},
		{name: "nobody leads yet", view: leaderView{Known: true},
			code: 200, want: []string{"leader: none yet"}},
		{name: "lease unreadable", view: leaderView{Err: errors.New("connect to db:5432/cadence: refused")},
			code: 503, want: []string{"not ready", "leader: unknown, the lease cannot be read: connect to db:5432/cadence: refused"}},
		{name: "database lost later", view: leaderView{Known: true, Holder: "pod-a/1/abcd", Epoch: 4, Err: errors.New("refused")},
			code: 503, want: []string{"leader: last seen pod-a/1/abcd (epoch 4); the lease cannot be read now: refused"}},
		{name: "config differs", view: leaderView{Known: true, Holder: "pod-a/1/abcd", Epoch: 4, OurConfig: "1111", LeaderConfig: "2222"},
			code: 200, want: []string{"degraded", "config: differs from the leader's (this replica 1111, the leader 2222)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &readiness{leader: func() leaderView { return tc.view }}
			r.set(tc.ticked)
			w := httptest.NewRecorder()
			r.serveHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			assert.Equal(t, tc.code, w.Code, w.Body.String())
			for _, s := range tc.want {
				assert.Contains(t, w.Body.String(), s)
			}
		})
	}
}
