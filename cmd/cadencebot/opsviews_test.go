package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
	"github.com/cadencebot/cadencebot/config"
)

// The app wires [releases] into the release lane, the MLOps sections into
// the dashboard and the figures into /metrics.
func TestAppWiresReleasesSectionsAndOpsMetrics(t *testing.T) {
	cfg, err := config.Parse("app.toml", []byte(appConfig+`
[releases]
approvers = ["ana"]
high_risk_approvals = 1
`))
	require.NoError(t, err)
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	clock := cadence.NewManualClock(monday)
	app, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "app.db"),
		Getenv: func(string) string { return "" }, Clock: clock, Log: zerolog.Nop(), Registry: prometheus.NewRegistry()})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, app.Close()) })

	assert.Equal(t, []string{"ana"}, app.ops.Approvers(), "the file's approvers replace the default (Lea, a lead)")
	assert.Equal(t, 1, app.ops.ApprovalsNeeded(cadence.RiskHigh))

	ctx := context.Background()
	_, err = app.ops.OpenIncident(ctx, "lea", ops.IncidentInput{Title: "Drift on ranker-v3"})
	require.NoError(t, err)
	_, err = app.ops.AddFollowUp(ctx, "lea", ops.FollowUpInput{Incident: "INC-1", Title: "Tighten the drift alert", Owner: "ana", Due: cadence.Date{Year: 2026, Month: 11, Day: 30}})
	require.NoError(t, err)
	clock.Set(monday.AddDate(0, 0, 2)) // Wednesday: the follow-up is overdue

	serve := func(path string) string {
		t.Helper()
		rec := httptest.NewRecorder()
		app.mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		require.Equal(t, http.StatusOK, rec.Code, "GET %s: %s", path, rec.Body.String())
		return rec.Body.String()
	}
	metrics := serve("/metrics")
	assert.Contains(t, metrics, "cadencebot_followups_open 1\n")
	assert.Contains(t, metrics, "cadencebot_followups_overdue 1\n")
	assert.Contains(t, metrics, "cadencebot_followups_open_mean_age_seconds 172800\n")

	page := serve("/dashboard/s/followups")
	assert.Contains(t, page, "Tighten the drift alert")
	assert.Contains(t, page, `href="../s/releases"`, "the release lane is in the navigation")
	assert.Equal(t, "id,title,severity,owner,opened,closed,followups_open,followups_total,link\nINC-1,Drift on ranker-v3,3,lea,2026-11-30,,1,1,\n",
		serve("/dashboard/api/s/incidents/incidents.csv"))
}
