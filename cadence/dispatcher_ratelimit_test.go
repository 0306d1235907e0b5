package cadence_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// TestDispatcherRateLimitIsAWaitNotAFailure: a 429 (or the adapter's own
// limiter refusing a slot) asks for a wait. The retry comes exactly when
// it ends, however many there were, and posts without a lookup: nothing
// can be on the platform.
func TestDispatcherRateLimitIsAWaitNotAFailure(t *testing.T) {
	f := newDispatchFixture(t, true)
	limited := 8
	f.fake.BeforeSend = func(*cadence.Message) error {
		if limited > 0 {
			limited--
			return &cadence.SendError{Retryable: true, NotSent: true, RetryAfter: 2 * time.Second, Code: "ratelimited", Err: errors.New("429")}
		}
		return nil
	}
	f.enqueue(t, msg("prompt", cadence.KindPrompt, toAna))
	start := f.clock.Now()
	var waits []time.Duration
	for f.get(t, "prompt").State != cadence.StateSent {
		require.Less(t, len(waits), 20, "never delivered")
		f.run(t)
		m := f.get(t, "prompt")
		if m.State == cadence.StateSent {
			break
		}
		assert.Equal(t, cadence.StatePending, m.State, "certainly not posted: no longer in doubt")
		waits = append(waits, m.NextAttemptAt.Sub(f.clock.Now()))
		f.clock.Set(m.NextAttemptAt)
	}
	assert.Equal(t, []time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second,
		2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second}, waits, "Retry-After, never a growing backoff")
	assert.Equal(t, 16*time.Second, f.clock.Now().Sub(start))
	assert.Equal(t, 1, f.get(t, "prompt").Attempts, "waits are not counted as attempts")
	assert.Zero(t, f.chat.(*cadencetest.ReconcilingChat).Lookups(), "no history read after a 429")
	assert.Len(t, f.fake.ByKey("prompt"), 1)
}

// TestDispatcherLooksUpOnlyWhenInDoubt: after a timeout, a reset or a
// 5xx the message may have arrived, so the retry looks it up first; after
// a refusal (429, an explicit error) it posts straight away.
func TestDispatcherLooksUpOnlyWhenInDoubt(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		lookups int
		backoff time.Duration
	}{
		{"connection reset", errors.New("connection reset by peer"), 1, 2 * time.Second},
		{"5xx", &cadence.SendError{Retryable: true, Code: "http_503", Err: errors.New("503")}, 1, 2 * time.Second},
		{"timeout with Retry-After", &cadence.SendError{Retryable: true, RetryAfter: 5 * time.Second, Code: "timeout", Err: errors.New("deadline")}, 1, 5 * time.Second},
		{"429", &cadence.SendError{Retryable: true, NotSent: true, RetryAfter: time.Second, Code: "ratelimited", Err: errors.New("429")}, 0, time.Second},
		{"explicit transient error", &cadence.SendError{Retryable: true, NotSent: true, Code: "service_unavailable", Err: errors.New("refused")}, 0, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newDispatchFixture(t, true)
			once := true
			f.fake.BeforeSend = func(*cadence.Message) error {
				if once {
					once = false
					return tc.err
				}
				return nil
			}
			f.enqueue(t, msg("agenda", cadence.KindAgenda, toChannel))
			f.run(t)
			m := f.get(t, "agenda")
			assert.Equal(t, tc.backoff, m.NextAttemptAt.Sub(f.clock.Now()))
			f.clock.Set(m.NextAttemptAt)
			f.run(t)
			assert.Equal(t, cadence.StateSent, f.get(t, "agenda").State)
			assert.Equal(t, tc.lookups, f.chat.(*cadencetest.ReconcilingChat).Lookups())
			assert.Len(t, f.fake.ByKey("agenda"), 1)
		})
	}
}

// TestDispatcherFailedLookupKeepsTheMessageInDoubt: a lookup refused by
// the platform says nothing about the message: the next try looks again.
func TestDispatcherFailedLookupKeepsTheMessageInDoubt(t *testing.T) {
	f := newDispatchFixture(t, true)
	rc := f.chat.(*cadencetest.ReconcilingChat)
	lost := true
	f.fake.AfterSend = func(*cadence.Message) error {
		if lost {
			lost = false
			return errors.New("reply lost")
		}
		return nil
	}
	rc.LookupErr = func() error {
		rc.LookupErr = nil
		return &cadence.SendError{Retryable: true, NotSent: true, RetryAfter: time.Second, Code: "ratelimited", Err: errors.New("429 on history")}
	}
	f.enqueue(t, msg("agenda", cadence.KindAgenda, toChannel))
	f.run(t)
	f.clock.Set(f.get(t, "agenda").NextAttemptAt)
	f.run(t) // the lookup is rate limited
	m := f.get(t, "agenda")
	require.Equal(t, cadence.StateSending, m.State, "still in doubt")
	f.clock.Set(m.NextAttemptAt)
	f.run(t)
	assert.Equal(t, cadence.StateSent, f.get(t, "agenda").State)
	assert.Len(t, f.fake.ByKey("agenda"), 1, "found by the second lookup, not posted twice")
}

// TestDispatcherLogLinesHaveOneMessageKey: zerolog writes the line's text
// under "message"; a field of the same name made every dispatcher line
// carry two, which most log pipelines reject or silently collapse.
func TestDispatcherLogLinesHaveOneMessageKey(t *testing.T) {
	f := newDispatchFixture(t, true)
	var buf bytes.Buffer
	f.d = cadence.NewDispatcher(f.store, f.clock, map[string]cadence.Chat{"local": f.chat}, zerolog.New(&buf).Level(zerolog.DebugLevel), f.obs,
		cadence.WithLeads(func(string) string { return "lea" }))
	fails := []error{errors.New("reset"), &cadence.SendError{Code: "channel_not_found", Err: errors.New("gone")}}
	f.fake.BeforeSend = func(m *cadence.Message) error {
		if m.Kind == cadence.KindNotice || len(fails) == 0 {
			return nil
		}
		err := fails[0]
		fails = fails[1:]
		return err
	}
	f.enqueue(t, msg("agenda", cadence.KindAgenda, toChannel))
	f.run(t)
	f.clock.Set(f.get(t, "agenda").NextAttemptAt)
	f.run(t)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.GreaterOrEqual(t, len(lines), 3, buf.String())
	for _, line := range lines {
		keys := topLevelKeys(t, line)
		assert.Equal(t, 1, keys["message"], "one message key in %s", line)
		if strings.Contains(line, `"agenda"`) {
			assert.Equal(t, 1, keys["key"], "the outbox key is logged as key: %s", line)
		}
	}
}

// topLevelKeys counts each key of a JSON object, duplicates included
// (encoding/json would keep only the last).
func topLevelKeys(t *testing.T, line string) map[string]int {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	keys := map[string]int{}
	for dec.More() {
		k, err := dec.Token()
		require.NoError(t, err)
		keys[k.(string)]++
		var v json.RawMessage
		require.NoError(t, dec.Decode(&v))
	}
	_, err = dec.Token()
	if err != io.EOF {
		require.NoError(t, err)
	}
	return keys
}
