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

// section returns the agenda section whose heading starts with prefix.
func section(t *testing.T, secs []cadence.Section, heading string) cadence.Section {
	t.Helper()
	for _, s := range secs {
		if s.Heading == heading {
			return s
		}
	}
	var hs []string
	for _, s := range secs {
		hs = append(hs, s.Heading)
	}
	t.Fatalf("no section %q in %q", heading, hs)
	return cadence.Section{}
}

// A week of standups and two triages through the real engine: the second
// triage's agenda is built from what happened in between.
func TestTriageAgendaFromLiveState(t *testing.T) {
	prev := cadencetest.Monday.AddDate(0, 0, -7) // Mon 23 Nov
	h := cadencetest.NewHarness(t, prev.Add(6*time.Hour), cadencetest.TriageRitual(t), cadencetest.StandupRitual(t))
	o, err := ops.New(ops.Config{Roster: h.Roster, Rituals: h.Rituals, Store: h.Store, Clock: h.Clock, Logger: zerolog.Nop()})
	require.NoError(t, err)
	h.Cfg = func(c *cadence.EngineConfig) { c.Agenda = o }
	h.Restart()

	// Before the first triage: INC-1 and a follow-up due on Wednesday.
	h.At(prev.Add(7 * time.Hour))
	_, err = o.OpenIncident(h.Ctx, "ana", ops.IncidentInput{Title: "Ranker latency", Severity: 2})
	require.NoError(t, err)
	_, err = o.AddFollowUp(h.Ctx, "ana", ops.FollowUpInput{Incident: "INC-1", Owner: "bo", Due: cadencetest.Date(2026, 11, 25), Title: "Add p99 alert"})
	require.NoError(t, err)
	_, err = o.AddFollowUp(h.Ctx, "ana", ops.FollowUpInput{Incident: "INC-1", Owner: "ana", Due: cadencetest.Date(2026, 12, 4), Title: "Load test"})
	require.NoError(t, err)

	for at := prev.Add(8 * time.Hour); at.Before(cadencetest.Monday.Add(8 * time.Hour)); at = at.Add(time.Hour) {
		h.At(at)
		if at.Equal(prev.AddDate(0, 0, 1).Add(9 * time.Hour)) { // Tue 24 Nov, 09:00 UTC
			_, err := h.Answer(cadence.OccurrenceID("standup", prev.AddDate(0, 0, 1).Add(8*time.Hour+15*time.Minute)), "ana",
				"yesterday", "ranker fix", "today", "load test", "blockers", "waiting for feature store access")
			require.NoError(t, err)
		}
		if at.Equal(prev.AddDate(0, 0, 2).Add(9 * time.Hour)) { // Wed 25 Nov: Cy raises one...
			_, err := h.Answer(cadence.OccurrenceID("standup", prev.AddDate(0, 0, 2).Add(8*time.Hour+15*time.Minute)), "cy",
				"yesterday", "x", "today", "y", "blockers", "GPU quota")
			require.NoError(t, err)
		}
		if at.Equal(prev.AddDate(0, 0, 3).Add(9 * time.Hour)) { // ...and clears it on Thu
			_, err := h.Answer(cadence.OccurrenceID("standup", prev.AddDate(0, 0, 3).Add(8*time.Hour+15*time.Minute)), "cy",
				"yesterday", "x", "today", "y", "blockers", "none")
			require.NoError(t, err)
		}
		if at.Equal(prev.AddDate(0, 0, 3).Add(10 * time.Hour)) { // Thu 26 Nov
			_, err := o.OpenIncident(h.Ctx, "cy", ops.IncidentInput{Title: "Embedding drift"})
			require.NoError(t, err)
		}
	}
	fire := cadencetest.Monday.Add(8*time.Hour + 30*time.Minute)
	h.At(fire)

	secs := h.Message(cadence.AgendaKey(cadence.OccurrenceID("triage", fire))).Body.Sections
	assert.Equal(t, []string{"INC-2 · sev 3 · Embedding drift · owner Cy · open"},
		section(t, secs, "Incidents since Mon 23 Nov (1)").Lines, "INC-1 was before the last triage")
	assert.Equal(t, []string{
		"Ana: FU-2 Load test (INC-1), due 2026-12-04",
		"Bo: FU-1 Add p99 alert (INC-1), due 2026-11-25 — OVERDUE 5 days",
	}, section(t, secs, "Open follow-ups by owner (2, 1 overdue)").Lines)
	unanswered := section(t, secs, "Unanswered prompts, last 7 days").Lines
	assert.Contains(t, unanswered, "Weekly triage Mon 23 Nov: Lea, Ana, Bo, Cy")
	assert.Contains(t, unanswered, "Standup Tue 24 Nov: Lea, Cy, Dan", "Ana answered")
	assert.Contains(t, unanswered, "Standup Fri 27 Nov: Lea, Ana, Cy, Dan")
	assert.Equal(t, []string{"Ana: waiting for feature store access — raised 6 days ago (Tue 24 Nov)"},
		section(t, secs, "Open blockers in standups (1)").Lines, "Cy cleared hers; Ana's is still open")
}

func TestDeploymentAndQualityAgendas(t *testing.T) {
	h := newOpsHarness(t)
	h.propose("ana", cadence.RiskHigh) // REL-1: 1 of 2 approvals
	_, err := h.ops.ApproveRelease(h.ctx, "lea", "REL-1")
	require.NoError(t, err)
	in := validRelease(cadence.RiskLow)
	in.Model, in.Version, in.Change, in.Planned = "ranker", "5.0", cadence.ChangeFeatureFlag, cadencetest.Date(2026, 12, 2)
	in.DataContract, in.DataContractNote = ops.ContractNotPassed, "new feature not in the contract yet"
	_, err = h.ops.ProposeRelease(h.ctx, "bo", in) // REL-2
	require.NoError(t, err)
	h.propose("bo", cadence.RiskLow)    // REL-3: approved after 30m, shipped, then rolled back
	h.propose("bo", cadence.RiskMedium) // REL-4: approved after 1h, waiting to ship
	h.clock.Set(opsStart.Add(30 * time.Minute))
	_, err = h.ops.ApproveRelease(h.ctx, "root", "REL-3")
	require.NoError(t, err)
	h.clock.Set(opsStart.Add(time.Hour))
	_, err = h.ops.ApproveRelease(h.ctx, "root", "REL-4")
	require.NoError(t, err)
	for _, o := range []cadence.ReleaseStatus{cadence.ReleaseShipped, cadence.ReleaseRolledBack} {
		_, err = h.ops.RecordReleaseOutcome(h.ctx, "bo", "REL-3", o)
		require.NoError(t, err)
	}
	h.openIncident("cy", "Embedding drift")
	h.addFollowUp("cy", "INC-1", "cy", cadencetest.Date(2026, 11, 30), "Retrain embeddings")
	_, err = h.ops.CompleteFollowUp(h.ctx, "cy", "FU-1")
	require.NoError(t, err)

	deploy, quality := h.rituals[1], h.rituals[2]
	now := time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)
	var dsecs, qsecs []cadence.Section
	require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		var err error
		occ := &cadence.Occurrence{ID: cadence.OccurrenceID("deploy", now), RitualID: "deploy", Scheduled: now}
		if dsecs, err = h.ops.AgendaSections(tx, deploy, occ, now); err != nil {
			return err
		}
		qocc := &cadence.Occurrence{ID: cadence.OccurrenceID("quality", now), RitualID: "quality", Scheduled: now}
		qsecs, err = h.ops.AgendaSections(tx, quality, qocc, now)
		return err
	}))
	assert.Equal(t, []string{
		"REL-1 churn 2.3.0 · retrain · risk high · by Ana · 1/2 approvals",
		"REL-2 ranker 5.0 · feature-flag · risk low · by Bo · planned 2026-12-02 · 0/1 approvals · data contract NOT passed",
	}, section(t, dsecs, "Release lane: proposed (2)").Lines)
	assert.Equal(t, []string{"REL-4 churn 2.3.0 · retrain · risk medium · by Bo · approved Mon 30 Nov"},
		section(t, dsecs, "Approved, not shipped yet (1)").Lines)

	assert.Equal(t, []string{"INC-1 · sev 3 · Embedding drift · owner Cy · open"},
		section(t, qsecs, "Incidents to review since Tue 24 Nov").Lines)
	assert.Equal(t, []string{"Closed on time: 1 of 1 due (100%)"}, section(t, qsecs, "Follow-up closure").Lines)
	assert.Equal(t, []string{
		"1 shipped, 1 of them rolled back (change-failure rate 100%)",
		"2 approved; from proposal to approval: mean 45m, median 45m",
	}, section(t, qsecs, "Releases shipped vs rolled back").Lines)

	// Standups get their open blockers only (continuity_test.go).
	require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		secs, err := h.ops.AgendaSections(tx, h.rituals[3], &cadence.Occurrence{Scheduled: now}, now)
		assert.Equal(t, []cadence.Section{{Heading: "Open blockers (0)", Lines: []string{"None."}}}, secs)
		return err
	}))
}

// A skipped triage was never discussed: the next one counts from the
// last triage that was held.
func TestTriageAgendaCountsFromLastHeld(t *testing.T) {
	h := newOpsHarness(t)
	triage := h.rituals[0]
	held, skipped := opsStart.AddDate(0, 0, -14), opsStart.AddDate(0, 0, -7)
	require.NoError(t, h.store.Update(h.ctx, func(tx cadence.Tx) error {
		for at, st := range map[time.Time]cadence.Status{held: cadence.StatusClosed, skipped: cadence.StatusSkipped} {
			if err := tx.PutOccurrence(&cadence.Occurrence{ID: cadence.OccurrenceID("triage", at), RitualID: "triage", Scheduled: at, Status: st}); err != nil {
				return err
			}
		}
		return nil
	}))
	h.clock.Set(opsStart.AddDate(0, 0, -10)) // between the two
	h.openIncident("ana", "Drift while the triage was skipped")
	h.clock.Set(opsStart)
	require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		secs, err := h.ops.AgendaSections(tx, triage, &cadence.Occurrence{ID: cadence.OccurrenceID("triage", opsStart), Scheduled: opsStart}, opsStart)
		require.NoError(t, err)
		assert.Equal(t, []string{"INC-1 · sev 3 · Drift while the triage was skipped · owner Ana · open"},
			section(t, secs, "Incidents since Mon 16 Nov (1)").Lines)
		return nil
	}))
}
