package cadence_test

import (
	"errors"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// A release event the pipeline's webhook keeps refusing is retried, then
// given up on and told to the ritual's lead in the ritual's chat, not sent
// to the webhook platform where nobody reads it.
func TestFailingWebhookIsToldToTheLeadInChat(t *testing.T) {
	f := newDispatchFixture(t, false)
	hook := cadencetest.NewChat(ops.PlatformWebhook)
	attempts := 0
	hook.BeforeSend = func(*cadence.Message) error {
		attempts++
		return &cadence.SendError{Retryable: true, Code: "502", Err: errors.New("bad gateway")}
	}
	f.d = cadence.NewDispatcher(f.store, f.clock, map[string]cadence.Chat{"local": f.chat, ops.PlatformWebhook: hook}, zerolog.Nop(), f.obs,
		cadence.WithLeads(func(string) string { return "lea" }), cadence.WithDirectory(testDirectory{t}),
		cadence.WithBackoff(time.Second, time.Minute), cadence.WithGiveUp(time.Hour))
	m := msg("hook/REL-1/approved/ci", cadence.KindHook, cadence.Recipient{Channel: "ci"})
	m.Platform = ops.PlatformWebhook
	f.enqueue(t, m)
	for range 80 {
		f.run(t)
		f.clock.Advance(time.Minute)
	}
	assert.Greater(t, attempts, 10, "retried while the receiver failed")
	assert.Equal(t, cadence.StateFailed, f.get(t, m.Key).State, "given up after an hour")
	notices := f.fake.To(cadence.Recipient{Person: "lea"})
	require.Len(t, notices, 1, "the lead hears of it once, on the ritual's platform")
	assert.Contains(t, notices[0].Message.Body.Text, "The release event to ci could not be delivered")
	assert.Empty(t, hook.To(cadence.Recipient{Person: "lea"}))
}
