package cadence_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

type dispatchFixture struct {
	ctx   context.Context
	clock *cadence.ManualClock
	store cadence.Store
	chat  cadence.Chat
	fake  *cadencetest.Chat
	obs   *cadencetest.Observer
	d     *cadence.Dispatcher
}

func newDispatchFixture(t *testing.T, reconcile bool) *dispatchFixture {
	f := &dispatchFixture{ctx: context.Background(), clock: cadence.NewManualClock(cadencetest.Monday), store: cadencetest.NewStore(), obs: &cadencetest.Observer{}}
	if reconcile {
		rc := cadencetest.NewReconcilingChat("local")
		f.chat, f.fake = rc, rc.Chat
	} else {
		f.fake = cadencetest.NewChat("local")
		f.chat = f.fake
	}
	f.restart()
	return f
}

func (f *dispatchFixture) restart() {
	f.d = cadence.NewDispatcher(f.store, f.clock, map[string]cadence.Chat{"local": f.chat}, zerolog.Nop(), f.obs,
		cadence.WithLeads(func(string) string { return "lea" }), cadence.WithBackoff(2*time.Second, 30*time.Second))
}

func (f *dispatchFixture) enqueue(t *testing.T, ms ...*cadence.Message) {
	require.NoError(t, f.store.Update(f.ctx, func(tx cadence.Tx) error {
		for _, m := range ms {
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	}))
}

func (f *dispatchFixture) get(t *testing.T, key string) *cadence.Message {
	var m *cadence.Message
	require.NoError(t, f.store.View(f.ctx, func(tx cadence.Tx) error {
		var err error
		m, err = tx.Message(key)
		return err
	}))
	return m
}

func (f *dispatchFixture) run(t *testing.T) int {
	n, err := f.d.RunOnce(f.ctx)
	require.NoError(t, err)
	return n
}

var seq int

func msg(key string, kind cadence.MessageKind, to cadence.Recipient) *cadence.Message {
	seq++
	return &cadence.Message{
		Key: key, Kind: kind, Platform: "local", To: to, RitualID: "triage",
		Body:      cadence.Body{Text: key},
		CreatedAt: cadencetest.Monday.Add(time.Duration(seq) * time.Millisecond), Revision: 1, State: cadence.StatePending,
	}
}

var (
	toAna     = cadence.Recipient{Person: "ana"}
	toChannel = cadence.Recipient{Channel: "mlops"}
)

func TestDispatcherSendsAndUpdatesInPlace(t *testing.T) {
	f := newDispatchFixture(t, false)
	f.enqueue(t, msg("agenda", cadence.KindAgenda, toChannel))
	sum := msg("summary", cadence.KindSummary, toChannel)
	sum.Thread = "agenda"
	f.enqueue(t, sum)
	assert.Equal(t, 2, f.run(t))
	got := f.get(t, "summary")
	assert.Equal(t, cadence.StateSent, got.State)
	assert.Equal(t, 1, got.SentRevision)
	assert.Equal(t, 1, got.Attempts)
	assert.Equal(t, cadencetest.Monday, got.SentAt)
	assert.Equal(t, f.get(t, "agenda").Ref, f.fake.ByKey("summary")[0].Thread)
	assert.Zero(t, f.run(t), "nothing left to do")

	// A new revision is an update, not a new post.
	require.NoError(t, f.store.Update(f.ctx, func(tx cadence.Tx) error {
		m, err := tx.Message("summary")
		require.NoError(t, err)
		m.Body.Text, m.Revision, m.State = "v2", 2, cadence.StatePending
		return tx.PutMessage(m)
	}))
	assert.Equal(t, 1, f.run(t))
	d := f.fake.ByKey("summary")
	require.Len(t, d, 1)
	assert.Equal(t, "v2", d[0].Message.Body.Text)
	assert.Equal(t, 1, d[0].Updates)
	assert.Equal(t, 2, f.get(t, "summary").SentRevision)
}

func TestDispatcherThreadWaitsForParent(t *testing.T) {
	f := newDispatchFixture(t, false)
	flaky := true
	f.fake.BeforeSend = func(m *cadence.Message) error {
		if m.Key == "agenda" && flaky {
			return &cadence.SendError{Retryable: true, Code: "ratelimited", RetryAfter: 5 * time.Second, Err: errors.New("slow down")}
		}
		return nil
	}
	f.enqueue(t, msg("agenda", cadence.KindAgenda, toChannel))
	sum := msg("summary", cadence.KindSummary, toChannel)
	sum.Thread = "agenda"
	f.enqueue(t, sum, msg("prompt", cadence.KindPrompt, toAna))
	assert.Equal(t, 1, f.run(t), "only the prompt")
	assert.Empty(t, f.fake.ByKey("summary"))
	a := f.get(t, "agenda")
	assert.Equal(t, cadencetest.Monday.Add(5*time.Second), a.NextAttemptAt, "RetryAfter beats the 2s backoff")
	assert.Equal(t, "ratelimited: slow down", a.LastError)
	assert.Equal(t, 1, f.obs.SendErrors["ratelimited"])

	flaky = false
	f.clock.Set(cadencetest.Monday.Add(4 * time.Second))
	assert.Zero(t, f.run(t), "not before the retry time")
	f.clock.Set(cadencetest.Monday.Add(5 * time.Second))
	assert.Equal(t, 2, f.run(t))
	assert.Equal(t, f.get(t, "agenda").Ref, f.fake.ByKey("summary")[0].Thread)
}

func TestDispatcherBackoffAndOrderPerRecipient(t *testing.T) {
	f := newDispatchFixture(t, false)
	fails := 4
	f.fake.BeforeSend = func(m *cadence.Message) error {
		if m.Key == "first" && fails > 0 {
			fails--
			return errors.New("connection reset") // unknown errors are retryable
		}
		return nil
	}
	f.enqueue(t, msg("first", cadence.KindPrompt, toAna), msg("second", cadence.KindReminder, toAna), msg("other", cadence.KindPrompt, cadence.Recipient{Person: "bo"}))
	var waits []time.Duration
	for i := 0; i < 4; i++ {
		f.run(t)
		m := f.get(t, "first")
		waits = append(waits, m.NextAttemptAt.Sub(f.clock.Now()))
		assert.Empty(t, f.fake.ByKey("second"), "a later message to Ana waits for the earlier one")
		f.clock.Set(m.NextAttemptAt)
	}
	assert.Equal(t, []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second}, waits)
	f.run(t)
	var order []string
	for _, d := range f.fake.To(toAna) {
		order = append(order, d.Message.Key)
	}
	assert.Equal(t, []string{"first", "second"}, order)
	assert.Len(t, f.fake.ByKey("other"), 1, "other recipients are not held up")
	assert.Equal(t, 5, f.get(t, "first").Attempts)

	// The backoff is capped.
	f.fake.BeforeSend = func(*cadence.Message) error { return errors.New("down") }
	f.enqueue(t, msg("capped", cadence.KindPrompt, toAna))
	for i := 0; i < 8; i++ {
		f.run(t)
		f.clock.Set(f.get(t, "capped").NextAttemptAt)
	}
	m := f.get(t, "capped")
	f.run(t)
	assert.Equal(t, 30*time.Second, f.get(t, "capped").NextAttemptAt.Sub(m.NextAttemptAt))
}

// testDirectory names the triage ritual and the test roster.
type testDirectory struct{ t *testing.T }

func (d testDirectory) Ritual(id string) *cadence.Ritual {
	if id == "triage" {
		return cadencetest.TriageRitual(d.t)
	}
	return nil
}
func (d testDirectory) Roster() *cadence.Roster { return cadencetest.TestRoster(d.t) }

// Refused messages are told to the lead once per occurrence, in words: what
// failed, why, what to do; no outbox keys, no error codes. The notice is
// redrawn as more of the occurrence's messages fail.
func TestDispatcherPermanentFailureTellsTheLead(t *testing.T) {
	f := newDispatchFixture(t, false)
	f.d = cadence.NewDispatcher(f.store, f.clock, map[string]cadence.Chat{"local": f.chat}, zerolog.Nop(), f.obs,
		cadence.WithLeads(func(string) string { return "lea" }), cadence.WithDirectory(testDirectory{t}))
	occ := cadence.OccurrenceID("triage", cadencetest.Monday.Add(8*time.Hour+30*time.Minute))
	f.fake.BeforeSend = func(m *cadence.Message) error {
		switch m.To {
		case toChannel:
			return &cadence.SendError{Code: "not_in_channel", Err: errors.New("not_in_channel")}
		case toAna, cadence.Recipient{Person: "bo"}:
			return &cadence.SendError{Code: "user_not_found", Err: errors.New("user_not_found")}
		}
		return nil
	}
	of := func(m *cadence.Message) *cadence.Message { m.OccurrenceID = occ; return m }
	f.enqueue(t, of(msg("agenda", cadence.KindAgenda, toChannel)))
	sum := of(msg("summary", cadence.KindSummary, toChannel))
	sum.Thread = "agenda"
	f.enqueue(t, sum)
	f.run(t)
	a := f.get(t, "agenda")
	assert.Equal(t, cadence.StateFailed, a.State)
	assert.Equal(t, "not_in_channel: not_in_channel", a.LastError, "the code stays on the message, for the log and metrics")
	assert.Equal(t, cadence.StateFailed, f.get(t, "summary").State, "its thread parent failed")
	notices := f.fake.To(cadence.Recipient{Person: "lea"})
	require.Len(t, notices, 1, "one notice for the occurrence")
	n := f.get(t, cadence.MessageKey("notice", "failed", occ))
	assert.Equal(t, cadence.KindNotice, n.Kind)
	assert.Equal(t, "Weekly triage of Mon 30 Nov: 2 messages could not be delivered", n.Body.Title)
	assert.Equal(t, "The agenda in #mlops could not be delivered: the bot is not a member of the channel. "+
		"Add the bot to the channel (in Slack: /invite @cadencebot). "+
		"The summary in #mlops could not be delivered: the message it belongs under could not be posted. "+
		"See the notice about that message; fixing it fixes both.", n.Body.Text)

	// Two prompts of the same occurrence fail later: the same notice is
	// redrawn, people named, nothing new posted.
	f.enqueue(t, of(msg("prompt-ana", cadence.KindPrompt, toAna)), of(msg("prompt-bo", cadence.KindPrompt, cadence.Recipient{Person: "bo"})))
	f.run(t)
	notices = f.fake.To(cadence.Recipient{Person: "lea"})
	require.Len(t, notices, 1)
	assert.GreaterOrEqual(t, notices[0].Updates, 1, "redrawn in place")
	n = f.get(t, cadence.MessageKey("notice", "failed", occ))
	assert.Equal(t, "Weekly triage of Mon 30 Nov: 4 messages could not be delivered", notices[0].Message.Body.Title)
	assert.Contains(t, notices[0].Message.Body.Text, "The prompts to Ana and Bo could not be delivered: the platform does not know this person. Check their email or ID in the roster.")
	for _, leak := range []string{"user_not_found", "not_in_channel", "prompt-ana", occ, "notice/"} {
		assert.NotContains(t, n.Body.Title+n.Body.Text+n.Body.Footer, leak)
	}

	// A notice that fails does not produce another notice.
	f.fake.BeforeSend = func(*cadence.Message) error {
		return &cadence.SendError{Code: "user_not_found", Err: errors.New("gone")}
	}
	f.enqueue(t, msg("notice", cadence.KindNotice, cadence.Recipient{Person: "lea"}))
	f.run(t)
	assert.Equal(t, cadence.StateFailed, f.get(t, "notice").State)
	f.fake.BeforeSend = nil
	f.run(t)
	assert.Len(t, f.fake.To(cadence.Recipient{Person: "lea"}), 1)
}

func TestDispatcherUnknownPlatform(t *testing.T) {
	f := newDispatchFixture(t, false)
	m := msg("m", cadence.KindPrompt, toAna)
	m.Platform = "teams"
	f.enqueue(t, m)
	f.run(t)
	got := f.get(t, "m")
	assert.Equal(t, cadence.StateFailed, got.State)
	assert.Equal(t, `no_adapter: no chat adapter for platform "teams"`, got.LastError)
}

func TestDispatcherRefusedUpdateKeepsDelivered(t *testing.T) {
	f := newDispatchFixture(t, false)
	f.enqueue(t, msg("s", cadence.KindSummary, toChannel))
	f.run(t)
	require.NoError(t, f.store.Update(f.ctx, func(tx cadence.Tx) error {
		m, _ := tx.Message("s")
		m.Revision, m.State = 2, cadence.StatePending
		return tx.PutMessage(m)
	}))
	f.fake.BeforeUpdate = func(cadence.Ref, *cadence.Message) error {
		return &cadence.SendError{Code: "message_not_found", Err: errors.New("deleted")}
	}
	f.run(t)
	got := f.get(t, "s")
	assert.Equal(t, cadence.StateSent, got.State)
	assert.Equal(t, 2, got.SentRevision)
	assert.Equal(t, "message_not_found: deleted", got.LastError)
	assert.Len(t, f.fake.ByKey("s"), 1, "never re-posted")
}

// TestDispatcherCrashBetweenSendingAndRef: the platform got the message
// but the process died before recording its Ref. A Reconciler finds it: no
// double post. Without one, the message is sent again (at-least-once).
func TestDispatcherCrashBetweenSendingAndRef(t *testing.T) {
	for _, tc := range []struct {
		name      string
		reconcile bool
		posts     int
	}{
		{"reconciling platform: exactly once", true, 1},
		{"platform without lookup: at least once", false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newDispatchFixture(t, tc.reconcile)
			crashed := false
			f.fake.AfterSend = func(*cadence.Message) error {
				if !crashed {
					crashed = true
					return errors.New("connection lost after the platform accepted")
				}
				return nil
			}
			f.enqueue(t, msg("prompt", cadence.KindPrompt, toAna))
			f.run(t)
			m := f.get(t, "prompt")
			assert.Equal(t, cadence.StateSending, m.State, "in doubt")
			assert.True(t, m.Ref.IsZero())

			f.restart()
			f.clock.Set(m.NextAttemptAt)
			f.run(t)
			m = f.get(t, "prompt")
			assert.Equal(t, cadence.StateSent, m.State)
			assert.False(t, m.Ref.IsZero())
			assert.Len(t, f.fake.ByKey("prompt"), tc.posts)
			if tc.reconcile {
				assert.Equal(t, f.fake.ByKey("prompt")[0].Ref, m.Ref, "the first delivery's Ref")
			}
		})
	}
}

// TestDispatcherReconciledSummaryIsUpdated: a summary found by lookup may
// be an older revision, so it is updated in place to the current one.
func TestDispatcherReconciledSummaryIsUpdated(t *testing.T) {
	f := newDispatchFixture(t, true)
	f.fake.AfterSend = func(m *cadence.Message) error {
		// While the reply is lost, the engine revises the summary.
		require.NoError(t, f.store.Update(f.ctx, func(tx cadence.Tx) error {
			x, _ := tx.Message("s")
			x.Revision, x.Body.Text = 2, "v2"
			return tx.PutMessage(x)
		}))
		return errors.New("lost")
	}
	f.enqueue(t, msg("s", cadence.KindSummary, toChannel))
	f.run(t)
	f.fake.AfterSend = nil
	f.restart()
	f.clock.Set(f.get(t, "s").NextAttemptAt)
	f.run(t)
	f.run(t)
	d := f.fake.ByKey("s")
	require.Len(t, d, 1)
	assert.Equal(t, "v2", d[0].Message.Body.Text)
	got := f.get(t, "s")
	assert.Equal(t, cadence.StateSent, got.State)
	assert.Equal(t, 2, got.SentRevision)
}

func TestDispatcherRunWakes(t *testing.T) {
	f := newDispatchFixture(t, false)
	f.d = cadence.NewDispatcher(f.store, f.clock, map[string]cadence.Chat{"local": f.chat}, zerolog.Nop(), nil,
		cadence.WithPollInterval(time.Hour))
	ctx, cancel := context.WithCancel(f.ctx)
	wake := make(chan struct{})
	done := make(chan error)
	go func() { done <- f.d.Run(ctx, wake) }()
	f.enqueue(t, msg("m", cadence.KindPrompt, toAna))
	wake <- struct{}{}
	wake <- struct{}{} // the second send returns once the first wake-up was handled
	assert.Eventually(t, func() bool { return len(f.fake.ByKey("m")) == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	require.NoError(t, <-done)
}

// A message that keeps failing with retryable errors is given up after the
// give-up period (24h by default): a never-delivered one is marked failed
// and the lead told; an update in place keeps the version that arrived,
// and a newer revision is tried again. Update failures back off too.
func TestDispatcherGivesUpAfterADayOfFailures(t *testing.T) {
	f := newDispatchFixture(t, false)
	down := func(*cadence.Message) error {
		return &cadence.SendError{Retryable: true, Code: "service_unavailable", Err: errors.New("503")}
	}

	// A prompt that never gets through.
	f.fake.BeforeSend = down
	f.enqueue(t, msg("prompt", cadence.KindPrompt, toAna))
	start := f.clock.Now()
	for f.clock.Now().Sub(start) < 25*time.Hour {
		f.run(t)
		m := f.get(t, "prompt")
		if m.State == cadence.StateFailed {
			break
		}
		f.clock.Set(m.NextAttemptAt)
	}
	m := f.get(t, "prompt")
	require.Equal(t, cadence.StateFailed, m.State)
	assert.Contains(t, m.LastError, "gave up after 24h")
	assert.GreaterOrEqual(t, f.clock.Now().Sub(start), 24*time.Hour)
	assert.Less(t, f.clock.Now().Sub(start), 24*time.Hour+30*time.Second, "given up at the first try past the deadline")
	notice := f.get(t, cadence.MessageKey("notice", "failed", "prompt"))
	assert.Equal(t, cadence.Recipient{Person: "lea"}, notice.To)

	// A summary delivered once, whose updates then fail.
	f.fake.BeforeSend = nil
	f.enqueue(t, msg("summary", cadence.KindSummary, toChannel))
	f.run(t)
	require.Equal(t, cadence.StateSent, f.get(t, "summary").State)
	revise := func() {
		require.NoError(t, f.store.Update(f.ctx, func(tx cadence.Tx) error {
			x, err := tx.Message("summary")
			require.NoError(t, err)
			x.Revision++
			x.State, x.NextAttemptAt = cadence.StatePending, f.clock.Now()
			return tx.PutMessage(x)
		}))
	}
	revise()
	f.fake.BeforeUpdate = func(cadence.Ref, *cadence.Message) error { return down(nil) }
	var waits []time.Duration
	updStart := f.clock.Now()
	for f.get(t, "summary").State != cadence.StateSent || len(waits) == 0 {
		f.run(t)
		s := f.get(t, "summary")
		if s.State == cadence.StateSent {
			break
		}
		waits = append(waits, s.NextAttemptAt.Sub(f.clock.Now()))
		f.clock.Set(s.NextAttemptAt)
	}
	assert.Equal(t, []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second}, waits[:5], "update failures back off")
	s := f.get(t, "summary")
	assert.Equal(t, 1, s.SentRevision, "the delivered version stays")
	assert.Equal(t, 2, s.Revision)
	assert.GreaterOrEqual(t, f.clock.Now().Sub(updStart), 24*time.Hour)
	assert.Contains(t, s.LastError, "gave up")

	// Slack is back: the next revision goes through.
	f.fake.BeforeUpdate = nil
	revise()
	f.run(t)
	s = f.get(t, "summary")
	assert.Equal(t, 3, s.SentRevision)
	assert.True(t, s.FailingSince.IsZero())
	assert.Empty(t, s.LastError)
}
