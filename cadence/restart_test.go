package cadence_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

var errCrash = errors.New("simulated crash")

// crashStore makes the n-th Update fail, as if the process died: before
// the commit (fn's writes are rolled back) or right after it (the writes
// landed, the caller never learns).
type crashStore struct {
	cadence.Store
	mu          sync.Mutex
	updates     int
	crashAt     int
	afterCommit bool
}

func (s *crashStore) Update(ctx context.Context, fn func(cadence.Tx) error) error {
	s.mu.Lock()
	s.updates++
	hit := s.updates == s.crashAt
	s.mu.Unlock()
	if !hit {
		return s.Store.Update(ctx, fn)
	}
	if s.afterCommit {
		if err := s.Store.Update(ctx, fn); err != nil {
			return err
		}
		return errCrash
	}
	return s.Store.Update(ctx, func(tx cadence.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errCrash
	})
}

type scenarioStep struct {
	name string
	at   time.Duration // after the fire time
	do   func(h *cadencetest.Harness, id string) error
}

func tickStep(h *cadencetest.Harness, _ string) error { return h.Eng.Tick(h.Ctx) }

func dispatchStep(h *cadencetest.Harness, _ string) error {
	_, err := h.Disp.RunOnce(h.Ctx)
	return err
}

// answerStep submits unless the answer is already stored: a person whose
// submit failed retries; one whose submit landed sees the receipt.
func answerStep(p, blocker string) func(h *cadencetest.Harness, id string) error {
	return func(h *cadencetest.Harness, id string) error {
		_, as, err := h.Eng.Occurrence(h.Ctx, id)
		if err != nil {
			return err
		}
		for _, a := range as {
			if a.PersonID == p {
				return nil
			}
		}
		_, err = triageAnswer(h, id, p, blocker)
		return err
	}
}

var scenario = []scenarioStep{
	{"start", -time.Hour, tickStep},
	{"open", 0, tickStep},
	{"deliver agenda, summary, prompts", 0, dispatchStep},
	{"ana answers", 10 * time.Minute, answerStep("ana", "none")},
	{"deliver receipt, update summary", 10 * time.Minute, dispatchStep},
	{"bo declines", 20 * time.Minute, func(h *cadencetest.Harness, id string) error { return h.Eng.Decline(h.Ctx, id, "bo", "on call") }},
	{"remind", 3 * time.Hour, tickStep},
	{"deliver reminders", 3 * time.Hour, dispatchStep},
	{"cy answers", 3*time.Hour + 10*time.Minute, answerStep("cy", "GPU quota")},
	{"close", 4 * time.Hour, tickStep},
	{"deliver final summary", 4 * time.Hour, dispatchStep},
	{"lea answers late", 5 * time.Hour, answerStep("lea", "none")},
	{"deliver late receipt", 5 * time.Hour, dispatchStep},
}

// outcome is what a run leaves behind, for comparison with a clean run.
type runOutcome struct {
	delivered  map[string]cadence.Body // key → content on the platform
	duplicates []string
	stored     []string // message keys in the store, with state
	occurrence *cadence.Occurrence
	answers    []*cadence.Answer
	updates    int
}

func runScenario(t *testing.T, crashAt int, afterCommit bool, restartAfter int) runOutcome {
	t.Helper()
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	id := cadence.OccurrenceID("triage", fire)
	cs := &crashStore{Store: cadencetest.NewStore(), crashAt: crashAt, afterCommit: afterCommit}
	h := &cadencetest.Harness{
		T: t, Ctx: context.Background(), Clock: cadence.NewManualClock(fire.Add(-time.Hour)),
		Store: cs, Chat: cadencetest.NewReconcilingChat("local"), Roster: cadencetest.TestRoster(t),
		Rituals: []*cadence.Ritual{cadencetest.TriageRitual(t)}, Obs: &cadencetest.Observer{},
	}
	h.Restart()
	for i, st := range scenario {
		h.Clock.Set(fire.Add(st.at))
		if err := st.do(h, id); err != nil {
			require.ErrorIs(t, err, errCrash, "step %q", st.name)
			// The process died: start again on the same store and platform.
			h.Restart()
			require.NoError(t, st.do(h, id), "step %q after restart", st.name)
		}
		if i == restartAfter {
			h.Restart()
		}
	}
	// Whatever a crash left in flight is delivered by the next run.
	h.Restart()
	_, err := h.Disp.RunOnce(h.Ctx)
	require.NoError(t, err)

	out := runOutcome{delivered: map[string]cadence.Body{}, duplicates: h.Chat.Duplicates(), updates: cs.updates}
	for _, d := range h.Chat.Delivered() {
		out.delivered[d.Message.Key] = d.Message.Body
	}
	for _, m := range h.Messages() {
		out.stored = append(out.stored, fmt.Sprintf("%s %s rev %d/%d", m.Key, m.State, m.SentRevision, m.Revision))
	}
	sort.Strings(out.stored)
	out.occurrence, out.answers = h.Occurrence(id)
	return out
}

// TestRestartAnywhere runs one occurrence from start to late answer, and
// again with a restart after each step, and again with a crash at each
// store write (before and after its commit). Every run must post each
// message exactly once, lose no answer, and end in the same state.
func TestRestartAnywhere(t *testing.T) {
	clean := runScenario(t, 0, false, -1)
	require.Empty(t, clean.duplicates)
	require.Len(t, clean.answers, 3)
	require.Equal(t, cadence.StatusClosed, clean.occurrence.Status)
	require.Greater(t, clean.updates, 20, "the scenario exercises many writes")

	check := func(t *testing.T, got runOutcome) {
		assert.Empty(t, got.duplicates, "double-posted")
		assert.Equal(t, clean.delivered, got.delivered, "what the platform shows")
		assert.Equal(t, clean.stored, got.stored, "outbox state")
		assert.Equal(t, clean.occurrence, got.occurrence)
		assert.Equal(t, clean.answers, got.answers)
	}
	for k := range scenario {
		t.Run(fmt.Sprintf("restart after %s", scenario[k].name), func(t *testing.T) {
			check(t, runScenario(t, 0, false, k))
		})
	}
	for n := 1; n <= clean.updates; n++ {
		for _, after := range []bool{false, true} {
			name := fmt.Sprintf("crash at write %d before commit", n)
			if after {
				name = fmt.Sprintf("crash at write %d after commit", n)
			}
			t.Run(name, func(t *testing.T) { check(t, runScenario(t, n, after, -1)) })
		}
	}
}
