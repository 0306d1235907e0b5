package slack_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack"
	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
)

// sleepLog is a Sleeper that moves the manual clock and keeps each wait.
type sleepLog struct {
	mu    sync.Mutex
	clock *cadence.ManualClock
	waits []time.Duration
}

func (s *sleepLog) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	s.clock.Advance(d)
	return ctx.Err()
}

func (s *sleepLog) since(i int) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits[i:]...)
}

// unreachable fails apps.connections.open without an answer while down
// is above zero: Slack, or the route to it, is down.
type unreachable struct {
	mu   sync.Mutex
	down int
}

func (u *unreachable) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/apps.connections.open") {
		u.mu.Lock()
		down := u.down > 0
		if down {
			u.down--
		}
		u.mu.Unlock()
		if down {
			return nil, errors.New("dial tcp: connection refused")
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// underOpenLimit checks no minute holds more than 5 apps.connections.open
// calls, Slack's limit for the method.
func underOpenLimit(t *testing.T, fake *slacktest.Server) {
	t.Helper()
	times := fake.CallTimes("apps.connections.open")
	for i := 0; i+5 < len(times); i++ {
		assert.GreaterOrEqual(t, times[i+5].Sub(times[i]), time.Minute, "calls %d to %d of apps.connections.open within a minute", i, i+5)
	}
}

// TestSocketModeReconnectsWithinSecondsOfSlackComingBack: Slack is
// unreachable for 20 connection attempts. The waits between them grow to
// 10 s at most, with jitter; slack-go's own loop would have waited up to
// 5 minutes (without jitter) and this test would time out.
func TestSocketModeReconnectsWithinSecondsOfSlackComingBack(t *testing.T) {
	net := &unreachable{}
	sl := &sleepLog{}
	e := newEnv(t, func(e *env, o *[]slack.Option) {
		sl.clock = e.clock
		*o = append(*o, slack.WithHTTPClient(&http.Client{Transport: net, Timeout: 10 * time.Second}), slack.WithSleeper(sl.sleep))
	})
	e.start()
	require.True(t, e.a.Connected())

	net.mu.Lock()
	net.down = 20
	net.mu.Unlock()
	from := len(sl.since(0))
	e.fake.Drop()
	require.True(t, e.fake.WaitConnections(2, 10*time.Second), "reconnected once Slack answers")
	eventually(t, "connected", e.a.Connected)

	waits := sl.since(from)
	require.Len(t, waits, 20, "one wait per failed attempt")
	distinct := map[time.Duration]bool{}
	for i, w := range waits {
		assert.LessOrEqual(t, w, 10*time.Second, "wait %d capped near Slack's guidance", i)
		if i >= 4 {
			assert.GreaterOrEqual(t, w, 5*time.Second, "wait %d: half the cap is fixed", i)
			distinct[w] = true
		}
	}
	assert.Greater(t, len(distinct), 1, "jittered: restarted bots do not reconnect in step")
	underOpenLimit(t, e.fake)
}

// TestSocketModeStaysUnderTheOpenLimitInACrashLoop: eight restarts in a
// row each open a connection. The times of recent calls are kept in the
// store, so the sixth waits for the minute to pass instead of hitting
// Slack's limit, and Start does not wait for it.
func TestSocketModeStaysUnderTheOpenLimitInACrashLoop(t *testing.T) {
	e := newEnv(t)
	for i := 1; i <= 8; i++ {
		sl := &sleepLog{clock: e.clock}
		a := e.newAdapter(slack.WithSleeper(sl.sleep), slack.WithPingInterval(2*time.Second))
		ctx, cancel := context.WithCancel(context.Background())
		began := time.Now()
		require.NoError(t, a.Start(ctx))
		assert.Less(t, time.Since(began), 2*time.Second, "restart %d: Start does not wait for the window", i)
		require.True(t, e.fake.WaitConnections(i, 5*time.Second), "restart %d connects", i)
		cancel()
		a.Wait()
		e.clock.Advance(time.Second) // the crash, and the supervisor's restart
	}
	assert.Equal(t, 8, e.fake.Calls("apps.connections.open"))
	underOpenLimit(t, e.fake)
}

// TestStartReturnsAtTheFirstFailedConnection: while apps.connections.open
// fails, Start returns at once (the scheduler and /readyz do not wait for
// Socket Mode); the bot connects in the background when Slack recovers,
// still within Slack's limit for the method.
func TestStartReturnsAtTheFirstFailedConnection(t *testing.T) {
	sl := &sleepLog{}
	e := newEnv(t, func(e *env, o *[]slack.Option) {
		sl.clock = e.clock
		*o = append(*o, slack.WithSleeper(sl.sleep), slack.WithStartTimeout(30*time.Second))
	})
	for i := 0; i < 12; i++ {
		e.fake.FailNext("apps.connections.open", slacktest.Failure{Status: http.StatusServiceUnavailable})
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); e.a.Wait() })
	began := time.Now()
	require.NoError(t, e.a.Start(ctx))
	assert.Less(t, time.Since(began), 5*time.Second, "Start returned before its 30 s bound")
	require.True(t, e.fake.WaitConnections(1, 10*time.Second))
	eventually(t, "connected", e.a.Connected)
	assert.Equal(t, 13, e.fake.Calls("apps.connections.open"))
	underOpenLimit(t, e.fake)
}
