package ops_test

// The engine harness of the cadence tests, trimmed to what ops tests use.

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// The test team: a lead in Zurich, specialists across Europe and Asia, a
// manager. Monday 2026-11-30 is the first triage of the tests; Zurich is
// on CET (UTC+1) then, so 09:30 Zurich is 08:30 UTC.
var (
	monday = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
)

func testRoster(t testing.TB) *cadence.Roster {
	return cadence.NewRoster([]*cadence.Person{
		{ID: "lea", Name: "Lea", Role: cadence.RoleLead, Location: loadLoc(t, "Europe/Zurich")},
		{ID: "ana", Name: "Ana", Role: cadence.RoleSpecialist, Location: loadLoc(t, "Europe/Bucharest")},
		{ID: "bo", Name: "Bo", Role: cadence.RoleSpecialist, Location: loadLoc(t, "Europe/Warsaw")},
		{ID: "cy", Name: "Cy", Role: cadence.RoleSpecialist, Location: loadLoc(t, "Asia/Almaty")},
		{ID: "dan", Name: "Dan", Role: cadence.RoleSpecialist, Location: loadLoc(t, "America/New_York")},
		{ID: "max", Name: "Max", Role: cadence.RoleManager, Location: loadLoc(t, "Europe/Zurich")},
		{ID: "root", Name: "Root", Role: cadence.RoleAdmin, Location: time.UTC},
	})
}

func mustSchedule(t testing.TB, spec, zone string) *cadence.Schedule {
	t.Helper()
	s, err := cadence.ParseSchedule(spec, loadLoc(t, zone))
	require.NoError(t, err)
	return s
}

// triage: Mondays 09:30 Zurich, 4h window, reminders 1h and 30m before close.
func triageRitual(t testing.TB) *cadence.Ritual {
	return &cadence.Ritual{
		ID: "triage", Title: "Weekly triage", Kind: cadence.KindTriage, Channel: "mlops",
		Spec: "30 9 * * 1", Schedule: mustSchedule(t, "30 9 * * 1", "Europe/Zurich"), Location: loadLoc(t, "Europe/Zurich"),
		Participants: []string{"lea", "ana", "bo", "cy"},
		Facilitators: []string{"ana", "bo"},
		Lead:         "lea",
		Questions:    cadence.DefaultQuestions(cadence.KindTriage),
		Window:       4 * time.Hour,
		Reminders:    []time.Duration{30 * time.Minute, time.Hour},
	}
}

// standup: weekdays 09:15 in each person's own zone, 3h window.
func standupRitual(t testing.TB) *cadence.Ritual {
	return &cadence.Ritual{
		ID: "standup", Title: "Standup", Kind: cadence.KindStandup, Channel: "standup",
		Spec: "15 9 * * 1-5", Schedule: mustSchedule(t, "15 9 * * 1-5", "Europe/Zurich"), Location: loadLoc(t, "Europe/Zurich"),
		Participants:  []string{"lea", "ana", "cy", "dan"},
		Lead:          "lea",
		Questions:     cadence.DefaultQuestions(cadence.KindStandup),
		Window:        3 * time.Hour,
		Reminders:     []time.Duration{time.Hour},
		PerPersonTime: true,
	}
}

// observer counts what the engine and dispatcher report.
type observer struct {
	cadence.NopObserver
	mu                                sync.Mutex
	opened, late, missed, skipped     int
	closed, prompts, answers, lateAns int
	sendErrors                        map[string]int
	lags                              []time.Duration
}

func (o *observer) OccurrenceOpened(_ string, late bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.opened++
	if late {
		o.late++
	}
}
func (o *observer) OccurrenceMissed(string) { o.mu.Lock(); o.missed++; o.mu.Unlock() }
func (o *observer) OccurrenceSkipped(string, string) {
	o.mu.Lock()
	o.skipped++
	o.mu.Unlock()
}
func (o *observer) OccurrenceClosed(string)   { o.mu.Lock(); o.closed++; o.mu.Unlock() }
func (o *observer) PromptSent(string, string) { o.mu.Lock(); o.prompts++; o.mu.Unlock() }
func (o *observer) AnswerStored(_ string, late bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.answers++
	if late {
		o.lateAns++
	}
}
func (o *observer) SendError(_ string, code string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.sendErrors == nil {
		o.sendErrors = map[string]int{}
	}
	o.sendErrors[code]++
}
func (o *observer) ScheduleLag(_ string, d time.Duration) {
	o.mu.Lock()
	o.lags = append(o.lags, d)
	o.mu.Unlock()
}

// harness runs an engine and a dispatcher on a manual clock, an in-memory
// store and a fake chat; restart replaces both, keeping store and chat.
type harness struct {
	t       testing.TB
	ctx     context.Context
	clock   *cadence.ManualClock
	store   cadence.Store
	chat    *cadencetest.ReconcilingChat
	roster  *cadence.Roster
	rituals []*cadence.Ritual
	obs     *observer
	eng     *cadence.Engine
	disp    *cadence.Dispatcher
	cfg     func(*cadence.EngineConfig)
	// dispOpts are extra dispatcher options (cfgDispatcher).
	dispOpts []cadence.DispatcherOption
}

func newHarness(t testing.TB, start time.Time, rituals ...*cadence.Ritual) *harness {
	h := &harness{
		t: t, ctx: context.Background(), clock: cadence.NewManualClock(start),
		store: cadencetest.NewStore(), chat: cadencetest.NewReconcilingChat("local"),
		roster: testRoster(t), rituals: rituals, obs: &observer{},
	}
	h.restart()
	return h
}

func (h *harness) restart() {
	h.t.Helper()
	cfg := cadence.EngineConfig{
		Rituals: h.rituals, Roster: h.roster, Store: h.store, Clock: h.clock,
		Logger: zerolog.Nop(), Metrics: h.obs,
	}
	if h.cfg != nil {
		h.cfg(&cfg)
	}
	eng, err := cadence.New(cfg)
	require.NoError(h.t, err)
	h.eng = eng
	h.disp = cadence.NewDispatcher(h.store, h.clock, map[string]cadence.Chat{"local": h.chat}, zerolog.Nop(), h.obs,
		append([]cadence.DispatcherOption{cadence.WithLeads(eng.LeadOf), cadence.WithRenderer(eng)}, h.dispOpts...)...)
}

// at moves the clock, ticks and delivers.
func (h *harness) at(t time.Time) {
	h.t.Helper()
	h.clock.Set(t)
	require.NoError(h.t, h.eng.Tick(h.ctx))
	h.dispatch()
}

func (h *harness) dispatch() int {
	h.t.Helper()
	n, err := h.disp.RunOnce(h.ctx)
	require.NoError(h.t, err)
	return n
}

func (h *harness) occurrence(id string) (*cadence.Occurrence, []*cadence.Answer) {
	h.t.Helper()
	o, as, err := h.eng.Occurrence(h.ctx, id)
	require.NoError(h.t, err)
	return o, as
}

func (h *harness) occurrences(f cadence.OccurrenceFilter) []*cadence.Occurrence {
	h.t.Helper()
	var out []*cadence.Occurrence
	require.NoError(h.t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		var err error
		out, err = tx.Occurrences(f)
		return err
	}))
	return out
}

func (h *harness) messages() []*cadence.Message {
	h.t.Helper()
	var out []*cadence.Message
	require.NoError(h.t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		var err error
		out, err = tx.Messages(cadence.MessageFilter{})
		return err
	}))
	for _, m := range out {
		m.Body = m.Body.Plain()
	}
	return out
}

func (h *harness) message(key string) *cadence.Message {
	h.t.Helper()
	var out *cadence.Message
	require.NoError(h.t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		var err error
		out, err = tx.Message(key)
		return err
	}))
	if out != nil {
		out.Body = out.Body.Plain()
	}
	return out
}

func (h *harness) answer(occID, person string, rs ...string) (*cadence.Answer, error) {
	var resp []cadence.Response
	for i := 0; i+1 < len(rs); i += 2 {
		resp = append(resp, cadence.Response{QuestionID: rs[i], Text: rs[i+1]})
	}
	return h.eng.SubmitAnswer(h.ctx, cadence.AnswerInput{OccurrenceID: occID, PersonID: person, Responses: resp, Via: "test"})
}
