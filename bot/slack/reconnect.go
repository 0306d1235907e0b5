package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// Socket Mode reconnects. slack-go's own loop backs off to 5 minutes
// without jitter, so after an outage the bot could stay deaf for minutes
// after Slack was back. The adapter runs the loop itself: a few seconds
// at most, with jitter so restarted bots do not reconnect in step, and
// never more apps.connections.open calls than Slack allows.
const (
	reconnectBase = time.Second
	reconnectCap  = 10 * time.Second
	// apps.connections.open is a Tier 1 method; Slack answers 429 beyond
	// about 5 calls a minute. The window is kept in the store, so a bot
	// in a crash loop stays under it across restarts too.
	opensPerWindow = 5
	opensWindow    = time.Minute
)

// nsSocket keeps the times of recent apps.connections.open calls.
const nsSocket = "slack.socket"

// socketLoop is the state the reconnect loop shares with the event
// handler.
type socketLoop struct {
	mu       sync.Mutex
	cancel   context.CancelFunc // ends slack-go's current run
	hint     time.Duration      // a wait Slack (or the gate) asked for
	up       bool               // a websocket is open now
	reset    bool               // connected since the last failure
	failOnce sync.Once
	failed   chan struct{} // closed on the first failed attempt
}

// Connected reports whether the Socket Mode websocket is open now (false
// in HTTP mode): for readiness checks.
func (a *Adapter) Connected() bool {
	a.sock.mu.Lock()
	defer a.sock.mu.Unlock()
	return a.sock.up
}

// reconnectDelay is the wait before reconnect attempt n (from 0):
// base·2^n capped, half of it fixed and half random ("equal jitter").
func reconnectDelay(n int) time.Duration {
	d := min(reconnectBase<<min(n, 16), reconnectCap)
	return d/2 + rand.N(d/2+1)
}

// errOpenThrottled is what the gate answers instead of calling
// apps.connections.open too often: slack-go reports it as a connection
// error, and the loop waits for the window.
type errOpenThrottled struct{ wait time.Duration }

func (e errOpenThrottled) Error() string {
	return fmt.Sprintf("apps.connections.open: %d calls in the last %s already; next in %s",
		opensPerWindow, opensWindow, e.wait.Round(time.Millisecond))
}

// openGate is the http.RoundTripper of the Socket Mode client: it counts
// the apps.connections.open calls Slack answered and refuses one that
// would exceed the window.
type openGate struct {
	next  http.RoundTripper
	clock cadence.Clock
	a     *Adapter

	mu     sync.Mutex
	loaded bool
	opens  []time.Time // answered calls, oldest first, within the window
}

func (g *openGate) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(r.URL.Path, "/apps.connections.open") {
		return g.next.RoundTrip(r)
	}
	if wait := g.wait(r.Context()); wait > 0 {
		return nil, errOpenThrottled{wait: wait}
	}
	resp, err := g.next.RoundTrip(r)
	if err == nil { // Slack answered: the call counts against its limit
		g.record(r.Context())
	}
	return resp, err
}

// wait returns how long until another call fits in the window.
func (g *openGate) wait(ctx context.Context) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.load(ctx)
	now := g.clock.Now()
	g.prune(now)
	if len(g.opens) < opensPerWindow {
		return 0
	}
	return g.opens[len(g.opens)-opensPerWindow].Add(opensWindow).Sub(now)
}

func (g *openGate) record(ctx context.Context) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.clock.Now()
	g.opens = append(g.opens, now)
	g.prune(now)
	v, _ := json.Marshal(g.opens)
	if err := g.a.putKV(context.WithoutCancel(ctx), nsSocket, "opens", v); err != nil {
		g.a.log.Warn().Err(err).Msg("saving the socket mode connection times failed")
	}
}

func (g *openGate) prune(now time.Time) {
	i := 0
	for i < len(g.opens) && !g.opens[i].After(now.Add(-opensWindow)) {
		i++
	}
	g.opens = g.opens[i:]
}

// load reads the calls made by earlier runs of the bot, once.
func (g *openGate) load(ctx context.Context) {
	if g.loaded {
		return
	}
	g.loaded = true
	v, ok, err := g.a.getKV(context.WithoutCancel(ctx), nsSocket, "opens")
	if err != nil || !ok {
		return
	}
	var opens []time.Time
	if json.Unmarshal(v, &opens) == nil {
		g.opens = opens
	}
}
