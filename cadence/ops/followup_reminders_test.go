package ops_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// reminderKeys lists the follow-up reminders queued so far.
func (h *opsHarness) reminderKeys() []string {
	var out []string
	for _, k := range h.messageKeys() {
		if strings.Contains(k, "/remind/") {
			out = append(out, k)
		}
	}
	return out
}

func (h *opsHarness) tickAt(at time.Time) {
	h.t.Helper()
	h.clock.Set(at)
	require.NoError(h.t, h.ops.Tick(h.ctx))
}

// Bo lives in Warsaw (UTC+1 in winter); FU-1 is due Wed 2 Dec.
func TestFollowUpRemindersOncePerDayInWorkingHours(t *testing.T) {
	h := newOpsHarness(t)
	h.openIncident("lea", "Churn model drift")
	h.addFollowUp("lea", "INC-1", "bo", cadencetest.Date(2026, 12, 2), "Tighten drift alert")
	utc := func(d, hh, mm int) time.Time { return time.Date(2026, 12, d, hh, mm, 0, 0, time.UTC) }
	h.tickAt(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC))
	assert.Empty(t, h.reminderKeys(), "Mon: due in 2 days, not yet")

	h.tickAt(utc(1, 7, 59)) // Tue 08:59 Warsaw
	assert.Empty(t, h.reminderKeys(), "before working hours")
	h.tickAt(utc(1, 8, 0)) // Tue 09:00 Warsaw
	assert.Equal(t, []string{"fu/FU-1/remind/bo/2026-12-01"}, h.reminderKeys())
	m := h.message("fu/FU-1/remind/bo/2026-12-01")
	assert.Equal(t, cadence.Recipient{Person: "bo"}, m.To)
	assert.Equal(t, "Due soon: FU-1 Tighten drift alert", m.Body.Title)
	assert.Equal(t, "FU-1 is due Wed 2 Dec (in 1 day). It is a follow-up of INC-1: Churn model drift.", m.Body.Text)
	assert.Len(t, m.Body.Actions, 3)

	h.tickAt(utc(1, 12, 0))
	h.tickAt(utc(1, 16, 59)) // 17:59 Warsaw
	assert.Len(t, h.reminderKeys(), 1, "once a day")

	h.tickAt(utc(2, 17, 0)) // Wed 18:00 Warsaw: after hours
	assert.Len(t, h.reminderKeys(), 1)
	h.tickAt(utc(2, 16, 0))
	assert.Equal(t, "FU-1 is due today, Wed 2 Dec. It is a follow-up of INC-1: Churn model drift.",
		h.message("fu/FU-1/remind/bo/2026-12-02").Body.Text)

	h.tickAt(utc(4, 9, 0)) // Fri
	assert.Equal(t, "Overdue: FU-1 Tighten drift alert", h.message("fu/FU-1/remind/bo/2026-12-04").Body.Title)
	assert.Contains(t, h.message("fu/FU-1/remind/bo/2026-12-04").Body.Text, "was due Wed 2 Dec (2 days ago)")
	h.tickAt(utc(5, 10, 0)) // Saturday
	h.tickAt(utc(6, 10, 0)) // Sunday
	assert.Len(t, h.reminderKeys(), 3, "no reminders at the weekend")

	// Snoozed on Monday morning for 48h: nothing Tuesday, again Wednesday.
	h.clock.Set(utc(7, 7, 0))
	_, err := h.ops.Act(h.ctx, "bo", ops.Action{ID: ops.ActionFollowUpSnooze, Value: "FU-1"})
	require.NoError(t, err)
	h.tickAt(utc(7, 9, 0))
	h.tickAt(utc(8, 9, 0))
	assert.Len(t, h.reminderKeys(), 3, "snoozed")
	h.tickAt(utc(9, 9, 0))
	assert.Contains(t, h.reminderKeys(), "fu/FU-1/remind/bo/2026-12-09")

	// Done: no more reminders.
	_, err = h.ops.CompleteFollowUp(h.ctx, "bo", "FU-1")
	require.NoError(t, err)
	h.tickAt(utc(10, 9, 0))
	assert.Len(t, h.reminderKeys(), 4)
}

func TestFollowUpRemindersSkipOwnersAway(t *testing.T) {
	h := newOpsHarness(t)
	h.openIncident("lea", "drift")
	h.addFollowUp("lea", "INC-1", "cy", cadencetest.Date(2026, 11, 30), "a")
	require.NoError(t, h.store.Update(h.ctx, func(tx cadence.Tx) error {
		return tx.PutPersonState(&cadence.PersonState{PersonID: "cy", OutOfOffice: []cadence.DateRange{{From: cadencetest.Date(2026, 12, 1), To: cadencetest.Date(2026, 12, 1)}}})
	}))
	h.tickAt(time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)) // 11:00 in Almaty, out of office
	assert.Empty(t, h.reminderKeys())
	h.tickAt(time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC))
	assert.Equal(t, []string{"fu/FU-1/remind/cy/2026-12-02"}, h.reminderKeys(), "back in office")
}

// Working hours are the owner's own: the same instant is inside them for
// some and outside for others.
func TestFollowUpRemindersInOwnersZone(t *testing.T) {
	people := []*cadence.Person{
		{ID: "kol", Location: cadencetest.Location(t, "Asia/Kolkata")},
		{ID: "ny", Location: cadencetest.Location(t, "America/New_York")},
		{ID: "lh", Location: cadencetest.Location(t, "Australia/Lord_Howe")},
		{ID: "zh", Location: cadencetest.Location(t, "Europe/Zurich")},
	}
	tests := []struct {
		at   time.Time
		want []string // who gets a reminder
	}{
		// Wed 2 Dec 03:30 UTC: 09:00 Kolkata, 22:30 Tue New York, 14:30 Lord Howe (UTC+11), 04:30 Zurich.
		{time.Date(2026, 12, 2, 3, 30, 0, 0, time.UTC), []string{"kol", "lh"}},
		// 03:29 UTC: 08:59 in Kolkata.
		{time.Date(2026, 12, 2, 3, 29, 0, 0, time.UTC), []string{"lh"}},
		// 14:00 UTC: 19:30 Kolkata, 09:00 New York, 01:00 Thu Lord Howe, 15:00 Zurich.
		{time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC), []string{"ny", "zh"}},
		// Fri 4 Dec 22:00 UTC: Sat 09:00 in Lord Howe; 17:00 Fri New York.
		{time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC), []string{"ny"}},
	}
	for _, tc := range tests {
		t.Run(tc.at.Format(time.RFC3339), func(t *testing.T) {
			h := newOpsHarness(t, func(c *ops.Config) {
				c.Roster = cadence.NewRoster(append(people, &cadence.Person{ID: "lea", Role: cadence.RoleLead}))
			})
			h.clock.Set(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
			h.openIncident("lea", "drift")
			for _, p := range people {
				h.addFollowUp("lea", "INC-1", p.ID, cadencetest.Date(2026, 12, 3), "x")
			}
			h.tickAt(tc.at)
			var got []string
			for _, k := range h.reminderKeys() {
				got = append(got, strings.Split(k, "/")[3])
			}
			assert.ElementsMatch(t, tc.want, got)
		})
	}
}
