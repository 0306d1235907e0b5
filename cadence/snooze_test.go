package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

func hasMessage(h *cadencetest.Harness, key string) bool {
	for _, m := range h.Messages() {
		if m.Key == key {
			return true
		}
	}
	return false
}

// A snoozed prompt gets no reminder before the chosen time and one at
// it; "tomorrow" is 09:00 in the person's zone, after the close, so the
// reminder offers the late answer. Answering drops a waiting snooze.
func TestSnoozePrompt(t *testing.T) {
	h, fire, id := openSharedStandup(t)

	until, err := h.Eng.SnoozePrompt(h.Ctx, id, "ana", cadence.SnoozeTomorrow)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC), until.UTC(), "09:00 Tuesday in Ana's zone, Bucharest")
	hour, err := h.Eng.SnoozePrompt(h.Ctx, id, "lea", cadence.SnoozeHour)
	require.NoError(t, err)
	assert.Equal(t, fire.Add(time.Hour), hour)

	h.At(fire.Add(2 * time.Hour)) // the ritual's reminder, 1h before close
	assert.False(t, hasMessage(h, cadence.ReminderKey(id, "ana", 0)), "snoozed until tomorrow: no reminder today")
	assert.True(t, hasMessage(h, cadence.ReminderKey(id, "cy", 0)))
	assert.True(t, hasMessage(h, cadence.ReminderKey(id, "lea", 0)), "Lea's hour is over: the ritual reminds her again")
	assert.Len(t, h.Chat.ByKey(cadence.SnoozeKey(id, "lea", 0)), 1, "Lea's snooze reminder went out at its hour")
	assert.Empty(t, h.Chat.ByKey(cadence.SnoozeKey(id, "ana", 0)), "Ana's waits for tomorrow")

	_, err = h.Answer(id, "dan", "yesterday", "x", "today", "y")
	require.NoError(t, err)
	_, err = h.Eng.SnoozePrompt(h.Ctx, id, "dan", cadence.SnoozeHour)
	assert.ErrorIs(t, err, cadence.ErrConflict, "answered already")

	h.At(until)
	got := delivered(h, cadence.SnoozeKey(id, "ana", 0)).Message
	assert.Contains(t, got.Body.Text, "You asked to be reminded now. Standup closed")
	assert.Contains(t, got.Body.Text, "counts as late")

	// Snoozed, then answered: the snooze is dropped, never sent.
	fire2 := fire.AddDate(0, 0, 1)
	h.At(fire2)
	id2 := cadence.OccurrenceID("standup", fire2)
	_, err = h.Eng.SnoozePrompt(h.Ctx, id2, "cy", cadence.SnoozeHour)
	require.NoError(t, err)
	_, err = h.Answer(id2, "cy", "yesterday", "x", "today", "y")
	require.NoError(t, err)
	h.At(fire2.Add(time.Hour))
	assert.Empty(t, h.Chat.ByKey(cadence.SnoozeKey(id2, "cy", 0)))
	assert.Equal(t, cadence.StateDropped, h.Message(cadence.SnoozeKey(id2, "cy", 0)).State)
}

// A late answer drops a snooze still waiting even when an earlier one is
// gone (deleted past the outbox retention: cadence.Outlived).
func TestLateAnswerDropsSnoozeAfterAGap(t *testing.T) {
	h, fire, id := openSharedStandup(t)

	_, err := h.Eng.SnoozePrompt(h.Ctx, id, "ana", cadence.SnoozeHour)
	require.NoError(t, err)
	h.At(fire.Add(time.Hour))
	require.Len(t, h.Chat.ByKey(cadence.SnoozeKey(id, "ana", 0)), 1)
	_, err = h.Eng.SnoozePrompt(h.Ctx, id, "ana", cadence.SnoozeTomorrow) // past the close
	require.NoError(t, err)
	h.At(fire.Add(3*time.Hour + time.Minute))
	require.Equal(t, cadence.StatePending, h.Message(cadence.SnoozeKey(id, "ana", 1)).State)

	h.Store.(*cadencetest.Store).Forget(cadence.SnoozeKey(id, "ana", 0))
	_, err = h.Answer(id, "ana", "yesterday", "x", "today", "y")
	require.NoError(t, err, "late")
	assert.Equal(t, cadence.StateDropped, h.Message(cadence.SnoozeKey(id, "ana", 1)).State)
}

// openSharedStandup opens Monday's standup (09:15 Zurich for everyone,
// 3h window, a reminder 1h before the close) with its prompts sent.
func openSharedStandup(t *testing.T) (h *cadencetest.Harness, fire time.Time, id string) {
	t.Helper()
	r := cadencetest.StandupRitual(t)
	r.PerPersonTime = false
	start := cadencetest.Monday.Add(7 * time.Hour)
	h = cadencetest.NewHarness(t, start, r)
	h.At(start)
	fire = cadencetest.Monday.Add(8*time.Hour + 15*time.Minute)
	h.At(fire)
	return h, fire, cadence.OccurrenceID("standup", fire)
}
