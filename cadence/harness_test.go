package cadence_test

import (
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// The engine harness, the test team and its rituals are in cadencetest,
// shared with the ops tests; these helpers are the cadence tests' own.

// cfgDispatcher rebuilds h's dispatcher with extra options.
func cfgDispatcher(h *cadencetest.Harness, opts ...cadence.DispatcherOption) {
	h.DispOpts = opts
	h.Restart()
}

// delivered returns the platform's current copy of the message with key.
func delivered(h *cadencetest.Harness, key string) cadencetest.Delivered {
	h.T.Helper()
	ds := h.Chat.ByKey(key)
	require.Len(h.T, ds, 1, "message %s delivered once", key)
	return ds[0]
}

// triageAnswer answers every required triage question.
func triageAnswer(h *cadencetest.Harness, occID, person, blocker string) (*cadence.Answer, error) {
	return h.Answer(occID, person, "incidents", "feature store lag on the ranker", "blockers", blocker)
}

func newMemStore() cadence.Store { return cadencetest.NewStore() }

// opsStart is a Monday morning, as in the ops tests.
var opsStart = cadencetest.Monday.Add(10 * time.Hour)
