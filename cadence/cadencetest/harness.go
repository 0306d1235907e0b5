package cadencetest

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// Harness runs an engine and a dispatcher on a manual clock, an in-memory
// store and a fake chat: the rig of the engine tests in cadence and in
// cadence/ops. Restart replaces engine and dispatcher, keeping store and
// chat, as a restarted process would. Tests may set the fields before
// Restart: another store, roster or rituals, or Cfg.
type Harness struct {
	T       testing.TB
	Ctx     context.Context
	Clock   *cadence.ManualClock
	Store   cadence.Store
	Chat    *ReconcilingChat
	Roster  *cadence.Roster
	Rituals []*cadence.Ritual
	Obs     *Observer
	Eng     *cadence.Engine
	Disp    *cadence.Dispatcher
	// Cfg, when set, edits the engine config on every Restart.
	Cfg func(*cadence.EngineConfig)
	// DispOpts are dispatcher options beyond the engine's leads and renderer.
	DispOpts []cadence.DispatcherOption
}

// NewHarness starts a harness at start: TestRoster, the rituals given, an
// empty in-memory store and a reconciling chat on platform "local".
func NewHarness(t testing.TB, start time.Time, rituals ...*cadence.Ritual) *Harness {
	h := &Harness{
		T: t, Ctx: context.Background(), Clock: cadence.NewManualClock(start),
		Store: NewStore(), Chat: NewReconcilingChat("local"),
		Roster: TestRoster(t), Rituals: rituals, Obs: &Observer{},
	}
	h.Restart()
	return h
}

// Restart builds a new engine and dispatcher from the harness's fields.
func (h *Harness) Restart() {
	h.T.Helper()
	cfg := cadence.EngineConfig{
		Rituals: h.Rituals, Roster: h.Roster, Store: h.Store, Clock: h.Clock,
		Logger: zerolog.Nop(), Metrics: h.Obs,
	}
	if h.Cfg != nil {
		h.Cfg(&cfg)
	}
	eng, err := cadence.New(cfg)
	require.NoError(h.T, err)
	h.Eng = eng
	h.Disp = cadence.NewDispatcher(h.Store, h.Clock, map[string]cadence.Chat{"local": h.Chat}, zerolog.Nop(), h.Obs,
		append([]cadence.DispatcherOption{cadence.WithLeads(eng.LeadOf), cadence.WithRenderer(eng)}, h.DispOpts...)...)
}

// At moves the clock to t, ticks and delivers.
func (h *Harness) At(t time.Time) {
	h.T.Helper()
	h.Clock.Set(t)
	require.NoError(h.T, h.Eng.Tick(h.Ctx))
	h.Dispatch()
}

// Dispatch delivers what is due and returns how many messages reached the
// chat.
func (h *Harness) Dispatch() int {
	h.T.Helper()
	n, err := h.Disp.RunOnce(h.Ctx)
	require.NoError(h.T, err)
	return n
}

// Occurrence returns the occurrence id and its answers.
func (h *Harness) Occurrence(id string) (*cadence.Occurrence, []*cadence.Answer) {
	h.T.Helper()
	o, as, err := h.Eng.Occurrence(h.Ctx, id)
	require.NoError(h.T, err)
	return o, as
}

// Occurrences returns the stored occurrences f selects.
func (h *Harness) Occurrences(f cadence.OccurrenceFilter) []*cadence.Occurrence {
	h.T.Helper()
	var out []*cadence.Occurrence
	require.NoError(h.T, h.Store.View(h.Ctx, func(tx cadence.Tx) error {
		var err error
		out, err = tx.Occurrences(f)
		return err
	}))
	return out
}

// Messages returns every stored message, bodies reduced to plain text.
func (h *Harness) Messages() []*cadence.Message {
	h.T.Helper()
	var out []*cadence.Message
	require.NoError(h.T, h.Store.View(h.Ctx, func(tx cadence.Tx) error {
		var err error
		out, err = tx.Messages(cadence.MessageFilter{})
		return err
	}))
	for _, m := range out {
		m.Body = m.Body.Plain()
	}
	return out
}

// Message returns the stored message with key, body reduced to plain text,
// or nil when there is none.
func (h *Harness) Message(key string) *cadence.Message {
	h.T.Helper()
	var out *cadence.Message
	require.NoError(h.T, h.Store.View(h.Ctx, func(tx cadence.Tx) error {
		var err error
		out, err = tx.Message(key)
		return err
	}))
	if out != nil {
		out.Body = out.Body.Plain()
	}
	return out
}

// Answer submits person's answer to occID through the engine; rs are
// question ID, text pairs.
func (h *Harness) Answer(occID, person string, rs ...string) (*cadence.Answer, error) {
	var resp []cadence.Response
	for i := 0; i+1 < len(rs); i += 2 {
		resp = append(resp, cadence.Response{QuestionID: rs[i], Text: rs[i+1]})
	}
	return h.Eng.SubmitAnswer(h.Ctx, cadence.AnswerInput{OccurrenceID: occID, PersonID: person, Responses: resp, Via: "test"})
}
