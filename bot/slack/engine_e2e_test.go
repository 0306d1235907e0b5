package slack_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack"
	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// engineWorld runs the real cadence engine and dispatcher against the
// fake Slack through the adapter: Tick → outbox → dispatcher → Slack.
type engineWorld struct {
	t      *testing.T
	clock  *cadence.ManualClock
	fake   *slacktest.Server
	store  *cadencetest.Store
	engine *cadence.Engine
	logs   *syncBuffer
	people []*cadence.Person
}

// monday 09:00 in Zurich; the standup fires at 09:15 (08:15 UTC).
var monday = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

func newEngineWorld(t *testing.T, participants int) *engineWorld {
	w := &engineWorld{t: t, clock: cadence.NewManualClock(monday), store: cadencetest.NewStore(), logs: &syncBuffer{}}
	w.fake = newFake(t, w.clock)
	zurich := mustZone(t, "Europe/Zurich")
	w.people = []*cadence.Person{{ID: "lea", Name: "Lea", Role: cadence.RoleLead, Location: zurich, Handles: cadence.Handles{SlackID: uLea}}}
	var ids []string
	for i := 0; i < participants; i++ {
		id, uid := fmt.Sprintf("p%02d", i), fmt.Sprintf("U0P%06d", i)
		w.fake.AddUser(slacktest.User{ID: uid, Name: id, Email: id + "@example.com", TZ: "Europe/Warsaw"})
		// Half by Slack id, half by email, as rosters are.
		h := cadence.Handles{SlackID: uid}
		if i%2 == 1 {
			h = cadence.Handles{Email: id + "@example.com"}
		}
		w.people = append(w.people, &cadence.Person{ID: id, Name: "Person " + id, Role: cadence.RoleSpecialist, Location: zurich, Handles: h})
		ids = append(ids, id)
	}
	sched, err := cadence.ParseSchedule("15 9 * * MON-FRI", zurich)
	require.NoError(t, err)
	r := &cadence.Ritual{ID: "standup", Title: "Daily standup", Kind: cadence.KindStandup, Channel: "#mlops", Spec: "15 9 * * MON-FRI",
		Schedule: sched, Location: zurich, Participants: ids, Lead: "lea", Questions: cadence.DefaultQuestions(cadence.KindStandup),
		Window: 4 * time.Hour, Reminders: []time.Duration{time.Hour}}
	w.engine, err = cadence.New(cadence.EngineConfig{Rituals: []*cadence.Ritual{r}, Roster: cadence.NewRoster(w.people),
		Store: w.store, Clock: w.clock, Logger: zerolog.New(w.logs), DefaultPlatform: "slack"})
	require.NoError(t, err)
	return w
}

// process is one run of the bot: an adapter and a dispatcher on the
// shared store, as after a restart.
func (w *engineWorld) process(wrap func(cadence.Chat) cadence.Chat) (*slack.Adapter, *cadence.Dispatcher) {
	cfg := slack.Config{BotToken: botToken, AppToken: appToken, APIURL: w.fake.URL, Mode: slack.ModeSocket}
	a, err := slack.New(cfg, w.engine, w.store, w.clock, zerolog.New(w.logs),
		slack.WithSleeper(func(ctx context.Context, d time.Duration) error { w.clock.Advance(d); return ctx.Err() }))
	require.NoError(w.t, err)
	ctx, cancel := context.WithCancel(context.Background())
	w.t.Cleanup(func() { cancel(); a.Wait() })
	require.NoError(w.t, a.Start(ctx))
	var chat cadence.Chat = a
	if wrap != nil {
		chat = wrap(a)
	}
	d := cadence.NewDispatcher(w.store, w.clock, map[string]cadence.Chat{"slack": chat}, zerolog.New(w.logs), nil,
		cadence.WithLeads(w.engine.LeadOf), cadence.WithRenderer(w.engine))
	return a, d
}

func (w *engineWorld) tickAndDispatch(d *cadence.Dispatcher) {
	w.t.Helper()
	require.NoError(w.t, w.engine.Tick(context.Background()))
	_, err := d.RunOnce(context.Background())
	require.NoError(w.t, err)
}

// keys counts the messages of the workspace per cadencebot key (part 1).
func (w *engineWorld) keys() map[string]int {
	out := map[string]int{}
	for _, m := range w.fake.AllMessages() {
		if m.Metadata == nil {
			continue
		}
		if k, part := metadataKey(w.t, m); part == 1 {
			out[k]++
		}
	}
	return out
}

func TestFullOccurrenceThroughEngineDispatcherAndSlack(t *testing.T) {
	w := newEngineWorld(t, 2)
	_, d := w.process(nil)
	occ := cadence.OccurrenceID("standup", time.Date(2026, 11, 30, 8, 15, 0, 0, time.UTC))

	w.tickAndDispatch(d) // 09:00: nothing due yet
	assert.Empty(t, w.fake.Messages(cMLOps))
	w.clock.Set(monday.Add(15 * time.Minute))
	w.tickAndDispatch(d) // 09:15: agenda and prompts

	keys := w.keys()
	assert.Equal(t, 1, keys[cadence.AgendaKey(occ)])
	assert.Equal(t, 1, keys[cadence.PromptKey(occ, "p00")])
	assert.Equal(t, 1, keys[cadence.PromptKey(occ, "p01")], "p01 was resolved by email")
	agendaTS := w.fake.Messages(cMLOps)[0].TS

	// p00 answers in the modal.
	p00DM := w.fake.DM("U0P000000")
	prompt := w.fake.Messages(p00DM)[0]
	e := &env{t: t, fake: w.fake}
	env := w.fake.Send("interactive", blockAction(t, "U0P000000", cadence.ActionAnswer, occ, p00DM, prompt.TS, w.fake.NewTrigger("U0P000000")))
	e.ack(env)
	eventually(t, "the modal", func() bool { return len(w.fake.OpenedViews()) == 1 })
	env = w.fake.Send("interactive", viewSubmission(t, "U0P000000", occ, map[string]string{
		"yesterday": "shipped the feature store backfill", "today": "drift alerts", "blockers": "GPU quota"}))
	assert.Equal(t, "null", string(orNull(e.ack(env))))
	_, err := d.RunOnce(context.Background())
	require.NoError(t, err)

	var summary *slacktest.Message
	for _, m := range w.fake.Messages(cMLOps) {
		if k, _ := metadataKey(t, m); k == cadence.SummaryKey(occ) {
			mm := m
			summary = &mm
		}
	}
	require.NotNil(t, summary, "the summary appears in the agenda's thread")
	assert.Equal(t, agendaTS, summary.ThreadTS)
	assert.Contains(t, string(summary.Blocks), "shipped the feature store backfill")

	// 12:15 Zurich: one hour before close, p01 is reminded.
	w.clock.Set(monday.Add(3*time.Hour + 15*time.Minute))
	w.tickAndDispatch(d)
	assert.Equal(t, 1, w.keys()[cadence.ReminderKey(occ, "p01", 0)])
	assert.Zero(t, w.keys()[cadence.ReminderKey(occ, "p00", 0)], "who answered is not reminded")

	// Close: the summary is updated in place, not posted again.
	w.clock.Set(monday.Add(4*time.Hour + 20*time.Minute))
	w.tickAndDispatch(d)
	keys = w.keys()
	assert.Equal(t, 1, keys[cadence.SummaryKey(occ)])
	for _, m := range w.fake.Messages(cMLOps) {
		if k, _ := metadataKey(t, m); k == cadence.SummaryKey(occ) {
			assert.GreaterOrEqual(t, m.Updates, 1, "closing edits the summary")
		}
	}
	for k, n := range keys {
		assert.Equal(t, 1, n, "key %s delivered once", k)
	}
}

// crashAfter lets n sends through, then simulates the process dying after
// Slack accepted the next message but before its Ref was recorded.
type crashAfter struct {
	cadence.Chat
	n int
}

type crashed struct{}

func (c *crashAfter) Send(ctx context.Context, m *cadence.Message, thread cadence.Ref) (cadence.Ref, error) {
	ref, err := c.Chat.Send(ctx, m, thread)
	if c.n == 0 {
		panic(crashed{})
	}
	c.n--
	return ref, err
}

func TestRestartMidFanOutDeliversEachMessageOnce(t *testing.T) {
	w := newEngineWorld(t, 30)
	w.clock.Set(monday.Add(-time.Hour))
	_, d := w.process(func(c cadence.Chat) cadence.Chat { return &crashAfter{Chat: c, n: 12} })
	require.NoError(t, w.engine.Tick(context.Background()))
	w.clock.Set(monday.Add(15 * time.Minute))
	require.NoError(t, w.engine.Tick(context.Background()))

	func() {
		defer func() {
			p := recover()
			_, ok := p.(crashed)
			require.True(t, ok, "the process crashed mid fan-out: %v", p)
		}()
		_, _ = d.RunOnce(context.Background())
	}()
	delivered := len(w.keys())
	assert.Equal(t, 13, delivered, "12 sends and the one in flight reached Slack")

	// A new process on the same store: the message left "sending" is
	// found by its metadata, the rest is sent, nothing twice.
	_, d2 := w.process(nil)
	_, err := d2.RunOnce(context.Background())
	require.NoError(t, err)
	keys := w.keys()
	assert.Len(t, keys, 32, "agenda, summary and 30 prompts")
	for k, n := range keys {
		assert.Equal(t, 1, n, "key %s delivered once", k)
	}
	assert.GreaterOrEqual(t, w.fake.Calls("conversations.history"), 1, "the in-flight message was reconciled")
}
