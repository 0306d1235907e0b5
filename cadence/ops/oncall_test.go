package ops_test

import (
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// primaryRotation: Ana then Cy, weekly from Monday 30 Nov 2026 09:00
// Zurich (08:00 UTC).
func primaryRotation(t testing.TB) *cadence.Rotation {
	return &cadence.Rotation{ID: "primary", Title: "Primary on-call", Members: []string{"ana", "cy"},
		Location: cadencetest.Location(t, "Europe/Zurich"), Start: cadence.Date{Year: 2026, Month: 11, Day: 30}, HandoffHour: 9, Length: 7}
}

// TestStandupExcusesOnCallAndIncidentOwners: the person on call and the
// owner of an open incident are excused from the standup (counted as
// excused, not missing); other rituals still expect them; the agenda
// says who is on call.
func TestStandupExcusesOnCallAndIncidentOwners(t *testing.T) {
	h := newOpsHarness(t, func(c *ops.Config) { c.Rotations = []*cadence.Rotation{primaryRotation(t)} })
	_, err := h.ops.OpenIncident(h.ctx, "lea", ops.IncidentInput{Title: "Ranker drift", Owner: "dan"})
	require.NoError(t, err)
	closed, err := h.ops.OpenIncident(h.ctx, "lea", ops.IncidentInput{Title: "Old one", Owner: "lea"})
	require.NoError(t, err)
	_, err = h.ops.CloseIncident(h.ctx, "lea", closed.ID(), "fixed")
	require.NoError(t, err)

	eng, err := cadence.New(cadence.EngineConfig{Rituals: []*cadence.Ritual{cadencetest.StandupRitual(t), cadencetest.TriageRitual(t)}, Roster: h.roster,
		Store: h.store, Clock: h.clock, Logger: zerolog.Nop(), Agenda: h.ops, Excuse: h.ops.StandupExcuse})
	require.NoError(t, err)
	tick := func(at time.Time) {
		h.clock.Set(at)
		require.NoError(t, eng.Tick(h.ctx))
	}
	tick(opsStart) // Monday 10:00 UTC: both rituals start from here
	tuesday := cadencetest.Monday.AddDate(0, 0, 1)
	for at := tuesday; at.Before(tuesday.Add(20 * time.Hour)); at = at.Add(15 * time.Minute) {
		tick(at) // every zone's 09:15 comes
	}

	standup := cadence.OccurrenceID("standup", tuesday.Add(8*time.Hour+15*time.Minute))
	o, _, err := eng.Occurrence(h.ctx, standup)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"ana": "on call (Primary on-call)", "dan": "handling INC-1 (Ranker drift)"}, o.Excused)
	assert.ElementsMatch(t, []string{"lea", "cy"}, o.Expected, "a closed incident's owner and the next on call are expected")

	var agenda *cadence.Message
	require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		agenda, err = tx.Message(cadence.AgendaKey(standup))
		return err
	}))
	assert.Equal(t, []string{"Primary on-call: Ana until Mon 7 Dec 09:00 CET, then Cy"}, cadencetest.SectionLines(agenda.Body.Plain(), "On call"))

	// Let the standup close: the excused are counted as excused.
	for at := tuesday.Add(20 * time.Hour); at.Before(tuesday.Add(24 * time.Hour)); at = at.Add(time.Hour) {
		tick(at)
	}
	rep, err := eng.Report(h.ctx, cadence.ReportQuery{From: tuesday, To: tuesday.Add(24 * time.Hour), RitualIDs: []string{"standup"}})
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Team.Excused)
	assert.Equal(t, 2, rep.Team.Expected, "lea and cy, not ana and dan")

	// The triage on the next Monday expects the on-call person (now Cy).
	tick(cadencetest.Monday.AddDate(0, 0, 7).Add(9 * time.Hour))
	tri, _, err := eng.Occurrence(h.ctx, cadence.OccurrenceID("triage", cadencetest.Monday.AddDate(0, 0, 7).Add(8*time.Hour+30*time.Minute)))
	require.NoError(t, err)
	assert.Contains(t, tri.Expected, "cy")
	assert.Empty(t, tri.Excused)
}

func TestSwapOnCallStoredAndAudited(t *testing.T) {
	h := newOpsHarness(t, func(c *ops.Config) { c.Rotations = []*cadence.Rotation{primaryRotation(t)} })

	// Bo is neither a lead nor one of the two: refused, and audited.
	_, err := h.ops.SwapOnCall(h.ctx, "bo", "", "ana", "cy", cadence.Date{Year: 2026, Month: 11, Day: 30})
	require.ErrorIs(t, err, cadence.ErrForbidden)
	assert.Equal(t, "only leads, admins or the two people swapping can swap on-call turns; Bo is a specialist", err.Error())

	// Cy swaps with Ana during Ana's turn: from now (Monday 10:00 UTC).
	ovs, err := h.ops.SwapOnCall(h.ctx, "cy", "", "ana", "cy", cadence.Date{Year: 2026, Month: 11, Day: 30})
	require.NoError(t, err)
	require.Len(t, ovs, 2)
	now, err := h.ops.OnCall(h.ctx, opsStart.Add(time.Minute))
	require.NoError(t, err)
	require.Len(t, now, 1)
	assert.Equal(t, "cy", now[0].Current.Person)
	assert.Equal(t, opsStart, now[0].Current.From)
	assert.Equal(t, "ana", now[0].Next.Person, "Ana takes Cy's turn")
	assert.Equal(t, cadencetest.Monday.AddDate(0, 0, 7).Add(8*time.Hour), now[0].Next.From)

	// The same swap again overlaps the first: refused, nothing stored.
	_, err = h.ops.SwapOnCall(h.ctx, "lea", "primary", "cy", "ana", cadence.Date{Year: 2026, Month: 12, Day: 1})
	require.ErrorIs(t, err, cadence.ErrConflict)
	assert.Equal(t, "the turn in force on 2026-12-01 is already changed: cy is on call from 2026-11-30 10:00 UTC to 2026-12-07 08:00 UTC instead of the schedule; a swap on top would overlap it", err.Error())
	_, err = h.ops.SwapOnCall(h.ctx, "lea", "nightly", "cy", "ana", cadence.Date{Year: 2026, Month: 12, Day: 1})
	require.ErrorIs(t, err, cadence.ErrNotFound)
	assert.Equal(t, `there is no rotation "nightly"; known rotations: primary`, err.Error())

	es, err := h.ops.AuditLog(h.ctx, "lea", time.Time{})
	require.NoError(t, err)
	var got []string
	for _, e := range es {
		if e.Action == "oncall.swap" {
			got = append(got, e.Actor+" "+string(e.Outcome)+" "+e.Target)
		}
	}
	assert.Equal(t, []string{"bo refused ", "cy done primary", "lea refused primary", "lea refused nightly"}, got)
	var keys []string
	require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		keys, err = tx.Keys("oncall.overrides", "")
		return err
	}))
	assert.Len(t, keys, 2, "the refused swaps stored nothing")
}

var _ = cadencetest.NewStore

// A config override that overlaps a swap stored in chat is refused by
// CheckRotations, naming the rotation and both turns; one that does not
// overlap passes.
func TestCheckRotationsAgainstStoredSwaps(t *testing.T) {
	h := newOpsHarness(t, func(c *ops.Config) { c.Rotations = []*cadence.Rotation{primaryRotation(t)} })
	// Cy takes Ana's turn from now (Mon 30 Nov 10:00 UTC) to Mon 7 Dec 08:00.
	_, err := h.ops.SwapOnCall(h.ctx, "lea", "", "ana", "cy", cadence.Date{Year: 2026, Month: 11, Day: 30})
	require.NoError(t, err)

	clash := primaryRotation(t)
	clash.Overrides = []cadence.Override{{Rotation: "primary", Person: "lea",
		From: time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)}}
	err = h.ops.CheckRotations(h.ctx, []*cadence.Rotation{clash})
	require.Error(t, err)
	assert.Equal(t, `rotation "primary": an override in the config file overlaps a swap made in chat: overlap: cy is on call from 2026-11-30 10:00 UTC to 2026-12-07 08:00 UTC (a swap stored by lea on 2026-11-30 10:00 UTC), and lea from 2026-12-03 08:00 UTC to 2026-12-04 08:00 UTC`, err.Error())

	fine := primaryRotation(t)
	fine.Overrides = []cadence.Override{{Rotation: "primary", Person: "lea",
		From: time.Date(2026, 12, 24, 8, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 28, 8, 0, 0, 0, time.UTC)}}
	require.NoError(t, h.ops.CheckRotations(h.ctx, []*cadence.Rotation{fine}))
}
