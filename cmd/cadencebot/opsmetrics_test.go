package main

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

var opsMetricNames = []string{
	"cadencebot_followups_open", "cadencebot_followups_overdue", "cadencebot_followups_open_mean_age_seconds",
	"cadencebot_followups_due_in_window", "cadencebot_followups_closed_on_time_ratio",
	"cadencebot_release_deployed_in_window", "cadencebot_release_change_failure_ratio",
	"cadencebot_release_approved_in_window", "cadencebot_release_lead_time_seconds",
}

// The figures are worked out by hand; the scrape is on Fri 20 Nov 2026
// 12:00 UTC, so the window is [Fri 23 Oct 12:00, Fri 20 Nov 12:00).
func TestOpsMetricsScrapedFromTheStore(t *testing.T) {
	ctx := context.Background()
	at := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	roster := cadence.NewRoster([]*cadence.Person{
		{ID: "lea", Name: "Lea", Role: cadence.RoleLead, Location: time.UTC},
		{ID: "dan", Name: "Dan", Role: cadence.RoleSpecialist, Location: ny},
		{ID: "root", Name: "Root", Role: cadence.RoleAdmin, Location: time.UTC},
	})
	clock := cadence.NewManualClock(at(2, 9))
	o, err := ops.New(ops.Config{Roster: roster, Store: cadencetest.NewStore(), Clock: clock, Logger: zerolog.Nop()})
	require.NoError(t, err)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(newOpsCollector(o, roster, clock, zerolog.Nop()))

	// Nothing yet: counts are 0 and the rates are absent, not 0.
	clock.Set(at(20, 12))
	assert.Equal(t, map[string]float64{
		"cadencebot_followups_open": 0, "cadencebot_followups_overdue": 0, "cadencebot_followups_due_in_window": 0,
		"cadencebot_release_deployed_in_window": 0, "cadencebot_release_approved_in_window": 0,
	}, scrapeOps(t, reg))

	clock.Set(at(2, 9))
	step := func(_ any, err error) { t.Helper(); require.NoError(t, err) }
	step(o.OpenIncident(ctx, "lea", ops.IncidentInput{Title: "drift"}))
	// FU-1 Dan, due 18 Nov in New York: ends 19 Nov 05:00 UTC. Still open: overdue.
	step(o.AddFollowUp(ctx, "lea", ops.FollowUpInput{Incident: "INC-1", Title: "a", Owner: "dan", Due: cadence.Date{Year: 2026, Month: 11, Day: 18}}))
	// FU-2 Lea, due 10 Nov; done 9 Nov: on time.
	step(o.AddFollowUp(ctx, "lea", ops.FollowUpInput{Incident: "INC-1", Title: "b", Owner: "lea", Due: cadence.Date{Year: 2026, Month: 11, Day: 10}}))
	// FU-3 Lea, due 30 Nov: open, not due yet.
	step(o.AddFollowUp(ctx, "lea", ops.FollowUpInput{Incident: "INC-1", Title: "c", Owner: "lea", Due: cadence.Date{Year: 2026, Month: 11, Day: 30}}))
	// REL-1 by Dan at 2 Nov 09:00, approved by Lea 3 Nov 09:00 (24h), shipped, rolled back.
	step(o.ProposeRelease(ctx, "dan", ops.ReleaseInput{Model: "churn", Version: "2", Change: cadence.ChangeRollback, Risk: cadence.RiskLow, DataContract: ops.ContractPassed}))
	clock.Set(at(3, 9))
	step(o.ApproveRelease(ctx, "lea", "REL-1"))
	// REL-2 by Dan at 3 Nov 09:00, approved by Root 3 Nov 11:00 (2h), shipped.
	step(o.ProposeRelease(ctx, "dan", ops.ReleaseInput{Model: "ranker", Version: "5", Change: cadence.ChangeRollback, Risk: cadence.RiskLow, DataContract: ops.ContractPassed}))
	clock.Set(at(3, 11))
	step(o.ApproveRelease(ctx, "root", "REL-2"))
	clock.Set(at(5, 9))
	step(o.RecordReleaseOutcome(ctx, "dan", "REL-1", cadence.ReleaseShipped))
	step(o.RecordReleaseOutcome(ctx, "dan", "REL-2", cadence.ReleaseShipped))
	clock.Set(at(6, 9))
	step(o.RecordReleaseOutcome(ctx, "dan", "REL-1", cadence.ReleaseRolledBack))
	clock.Set(at(9, 9))
	step(o.CompleteFollowUp(ctx, "lea", "FU-2"))

	// Open: FU-1 and FU-3, both 18d 3h old (1566000 s). Due in the window:
	// FU-1 (late) and FU-2 (on time). Deployed: 2, 1 rolled back. Lead
	// times 24h and 2h: mean 13h (46800 s).
	clock.Set(at(20, 12))
	assert.Equal(t, map[string]float64{
		"cadencebot_followups_open":                  2,
		"cadencebot_followups_overdue":               1,
		"cadencebot_followups_open_mean_age_seconds": 1566000,
		"cadencebot_followups_due_in_window":         2,
		"cadencebot_followups_closed_on_time_ratio":  0.5,
		"cadencebot_release_deployed_in_window":      2,
		"cadencebot_release_change_failure_ratio":    0.5,
		"cadencebot_release_approved_in_window":      2,
		"cadencebot_release_lead_time_seconds":       46800,
	}, scrapeOps(t, reg))

	// Five weeks on, the window is [27 Nov, 25 Dec): only FU-3 (due 30 Nov,
	// still open) falls in it, late; no release did anything.
	clock.Set(at(20, 12).AddDate(0, 0, 35))
	assert.Equal(t, map[string]float64{
		"cadencebot_followups_open":                  2,
		"cadencebot_followups_overdue":               2,
		"cadencebot_followups_open_mean_age_seconds": 4590000, // 53d 3h
		"cadencebot_followups_due_in_window":         1,
		"cadencebot_followups_closed_on_time_ratio":  0,
		"cadencebot_release_deployed_in_window":      0,
		"cadencebot_release_approved_in_window":      0,
	}, scrapeOps(t, reg), "no change-failure rate or lead time over an empty window")
}

// scrapeOps gathers the registry as a scrape would and returns the ops
// gauges by name.
func scrapeOps(t *testing.T, g prometheus.Gatherer) map[string]float64 {
	t.Helper()
	mfs, err := g.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, mf := range mfs {
		if !slices.Contains(opsMetricNames, mf.GetName()) {
			continue
		}
		require.Len(t, mf.GetMetric(), 1, mf.GetName())
		out[mf.GetName()] = mf.GetMetric()[0].GetGauge().GetValue()
	}
	return out
}

type failingFigures struct{ opsFigureSource }

func (failingFigures) Figures(context.Context, time.Time, time.Time) (*ops.Figures, error) {
	return nil, errors.New("store closed")
}

func TestOpsMetricsReportAFailedRead(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newOpsCollector(failingFigures{}, cadence.NewRoster(nil), cadence.NewManualClock(time.Now()), zerolog.Nop()))
	_, err := reg.Gather()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "figures: store closed")
}
