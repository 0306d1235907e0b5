package main

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/sim"
	"github.com/cadencebot/cadencebot/store"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// Five simulated weeks on each store, the bot down twice (triage opens
// 13 minutes late one Monday; a standup day passes while it is down):
// the adherence gauges equal the figures of a report computed from the
// facts over the same 28 days, while the scrape itself reads no answer
// range, only aggregates and the occurrences still open.
func TestAdherenceGaugesAreTheReportsFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates five weeks")
	}
	stores := []struct {
		name string
		open func(t *testing.T) cadence.Store
	}{
		{"memory", func(*testing.T) cadence.Store { return cadencetest.NewStore() }},
		{"bbolt", func(t *testing.T) cadence.Store {
			db, err := store.Open(filepath.Join(t.TempDir(), "c.db"), store.Options{NoSync: true})
			require.NoError(t, err)
			t.Cleanup(func() { _ = db.Close() })
			return db
		}},
		{"postgres", func(t *testing.T) cadence.Store {
			db, err := postgres.Open(context.Background(), pgtest.URL(t))
			require.NoError(t, err)
			t.Cleanup(func() { _ = db.Close() })
			return db
		}},
	}
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			ctx := context.Background()
			st := s.open(t)
			rituals := []*cadence.Ritual{cadencetest.TriageRitual(t), cadencetest.StandupRitual(t)}
			roster := cadencetest.TestRoster(t)
			// Wednesday 13:00 UTC: today's standups are still open, the
			// window [from, now) starts on a Wednesday, mid-week.
			now := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
			for _, seg := range [][2]time.Time{
				{now.AddDate(0, 0, -35), time.Date(2026, 11, 9, 8, 25, 0, 0, time.UTC)},
				// Mon 9 Nov: down 08:25–08:43 UTC, triage (08:30) opens late.
				{time.Date(2026, 11, 9, 8, 43, 0, 0, time.UTC), time.Date(2026, 11, 12, 22, 0, 0, 0, time.UTC)},
				// Down all of Fri 13 Nov: that day's standups are missed.
				{time.Date(2026, 11, 14, 0, 0, 0, 0, time.UTC), now},
			} {
				_, err := sim.Run(ctx, sim.Options{Rituals: rituals, Roster: roster, Store: st,
					From: seg[0], To: seg[1], Seed: 7, AnswerRate: 0.75, NoOps: true})
				require.NoError(t, err)
			}

			clock := cadence.NewManualClock(now)
			var logs strings.Builder // the aggregates must answer, not the fallback to the facts
			eng, err := cadence.New(cadence.EngineConfig{Rituals: rituals, Roster: roster, Store: noAnswerRanges{st},
				Clock: clock, Logger: zerolog.New(&logs).Level(zerolog.WarnLevel)})
			require.NoError(t, err)
			reg := prometheus.NewPedanticRegistry()
			reg.MustRegister(newAdherenceCollector(eng, clock, zerolog.New(&logs)))

			want := factsRituals(t, st, now.Add(-adherenceMetricsWindow), now, rituals, roster)
			got := scrapeAdherence(t, reg)
			require.Empty(t, logs.String())
			require.Len(t, want, 2)
			wantGauges := map[string]map[string]float64{}
			for _, r := range want {
				ta := r.Tally
				due := float64(ta.Occurrences - ta.Skipped)
				wantGauges[r.RitualID] = map[string]float64{
					"occurrences_in_window":              due,
					"held_on_time_in_window":             float64(ta.HeldOnTime),
					"held_on_time_ratio":                 float64(ta.HeldOnTime) / due,
					"prompts_expected_in_window":         float64(ta.Expected),
					"prompts_answered_in_window":         float64(ta.Answered),
					"prompts_answered_on_time_in_window": float64(ta.AnsweredOnTime),
					"answered_ratio":                     float64(ta.Answered) / float64(ta.Expected),
					"answered_on_time_ratio":             float64(ta.AnsweredOnTime) / float64(ta.Expected),
					"answer_latency_median_seconds":      ta.MedianLatency.Seconds(),
				}
				// Medians come from the aggregates' histogram: within its
				// stated precision of the exact one (README, Aggregates).
				assert.InDelta(t, ta.MedianLatency.Seconds(), got[r.RitualID]["answer_latency_median_seconds"],
					max(1, ta.MedianLatency.Seconds()/64), r.RitualID)
				wantGauges[r.RitualID]["answer_latency_median_seconds"] = got[r.RitualID]["answer_latency_median_seconds"]
			}
			assert.Equal(t, wantGauges, got)
			// The outages are in the window, and answers both ways.
			assert.Less(t, got["triage"]["held_on_time_ratio"], 1.0)
			assert.Less(t, got["standup"]["held_on_time_ratio"], 1.0)
			assert.Greater(t, got["standup"]["answered_ratio"], got["standup"]["answered_on_time_ratio"])
			assert.Greater(t, got["standup"]["answered_on_time_ratio"], 0.0)

			// Over HTTP, the exposition is well formed.
			checkExposition(t, reg)
		})
	}
}

// With nothing in the window the counts are 0 and the ratios absent, not
// 0; a store that fails makes the scrape fail rather than report zeros.
func TestAdherenceGaugesEmptyAndFailing(t *testing.T) {
	ctx := context.Background()
	rituals := []*cadence.Ritual{cadencetest.TriageRitual(t)}
	st := cadencetest.NewStore()
	// One triage, Monday 2 Nov, skipped by its lead: counted nowhere.
	clock := cadence.NewManualClock(time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC))
	eng, err := cadence.New(cadence.EngineConfig{Rituals: rituals, Roster: cadencetest.TestRoster(t), Store: st, Clock: clock, Logger: zerolog.Nop()})
	require.NoError(t, err)
	_, err = eng.Skip(ctx, "lea", "triage", "")
	require.NoError(t, err)
	clock.Set(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	require.NoError(t, eng.Tick(ctx))
	clock.Set(time.Date(2026, 11, 2, 9, 59, 0, 0, time.UTC))
	require.NoError(t, eng.Tick(ctx))

	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(newAdherenceCollector(eng, clock, zerolog.Nop()))
	assert.Equal(t, map[string]map[string]float64{"triage": {
		"occurrences_in_window": 0, "held_on_time_in_window": 0,
		"prompts_expected_in_window": 0, "prompts_answered_in_window": 0, "prompts_answered_on_time_in_window": 0,
	}}, scrapeAdherence(t, reg))

	failing := prometheus.NewPedanticRegistry()
	failing.MustRegister(newAdherenceCollector(reportFunc(func(context.Context, cadence.ReportQuery) (*cadence.Report, error) {
		return nil, errors.New("disk on fire")
	}), clock, zerolog.Nop()))
	_, err = failing.Gather()
	require.ErrorContains(t, err, "disk on fire")
}

type reportFunc func(context.Context, cadence.ReportQuery) (*cadence.Report, error)

func (f reportFunc) Report(ctx context.Context, q cadence.ReportQuery) (*cadence.Report, error) {
	return f(ctx, q)
}

// noAnswerRanges is a store whose reads refuse the ranges of answers a
// report from the facts would list: a scrape served by the aggregates
// never asks for them.
type noAnswerRanges struct{ cadence.Store }

func (s noAnswerRanges) View(ctx context.Context, fn func(cadence.Tx) error) error {
	return s.Store.View(ctx, func(tx cadence.Tx) error { return fn(noAnswerRangesTx{tx}) })
}

type noAnswerRangesTx struct{ cadence.Tx }

func (noAnswerRangesTx) SubmissionsBetween(time.Time, time.Time) ([]*cadence.Answer, error) {
	return nil, errors.New("a scrape listed a range of submissions")
}

func (noAnswerRangesTx) AnswersBetween(time.Time, time.Time) ([]*cadence.Answer, error) {
	return nil, errors.New("a scrape listed a range of answers")
}

// factsRituals is the report's ritual rows over [from, to) computed from
// the facts, as BuildReport does when no aggregate is kept.
func factsRituals(t *testing.T, st cadence.Store, from, to time.Time, rituals []*cadence.Ritual, roster *cadence.Roster) []cadence.RitualAdherence {
	in := cadence.ReportInput{Query: cadence.ReportQuery{From: from, To: to}, Now: to,
		Tolerance: cadence.DefaultOnTimeTolerance, Rituals: rituals, Roster: roster}
	require.NoError(t, st.View(context.Background(), func(tx cadence.Tx) error {
		var err error
		if in.Occurrences, err = tx.Occurrences(cadence.OccurrenceFilter{From: from, To: to}); err != nil {
			return err
		}
		in.Answers, err = tx.SubmissionsBetween(from, to)
		return err
	}))
	return cadence.BuildReport(in).Rituals
}

// scrapeAdherence gathers the registry and returns the adherence gauges
// by ritual and name (without the cadencebot_adherence_ prefix).
func scrapeAdherence(t *testing.T, g prometheus.Gatherer) map[string]map[string]float64 {
	t.Helper()
	mfs, err := g.Gather()
	require.NoError(t, err)
	out := map[string]map[string]float64{}
	for _, mf := range mfs {
		name, ok := strings.CutPrefix(mf.GetName(), "cadencebot_adherence_")
		if !ok {
			continue
		}
		for _, m := range mf.GetMetric() {
			require.Len(t, m.GetLabel(), 1, mf.GetName())
			require.Equal(t, "ritual", m.GetLabel()[0].GetName())
			r := m.GetLabel()[0].GetValue()
			if out[r] == nil {
				out[r] = map[string]float64{}
			}
			out[r][name] = m.GetGauge().GetValue()
		}
	}
	return out
}

// checkExposition serves the registry as /metrics does and checks each
// line of the text format strictly: HELP and TYPE (gauge) once per
// family before its samples, samples named for their family with one
// ritual label and a float value.
var (
	helpLine   = regexp.MustCompile(`^# HELP (cadencebot_adherence_[a-z_]+) \S.*$`)
	typeLine   = regexp.MustCompile(`^# TYPE (cadencebot_adherence_[a-z_]+) gauge$`)
	sampleLine = regexp.MustCompile(`^(cadencebot_adherence_[a-z_]+)\{ritual="[a-z0-9_-]+"\} -?[0-9]+(\.[0-9]+)?(e[+-][0-9]+)?$`)
)

func checkExposition(t *testing.T, reg *prometheus.Registry) {
	t.Helper()
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4"), resp.Header.Get("Content-Type"))
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	help, typed := map[string]bool{}, map[string]bool{}
	samples := 0
	for line := range strings.SplitSeq(strings.TrimSuffix(string(body), "\n"), "\n") {
		if m := helpLine.FindStringSubmatch(line); m != nil {
			assert.False(t, help[m[1]], "HELP twice for %s", m[1])
			help[m[1]] = true
		} else if m := typeLine.FindStringSubmatch(line); m != nil {
			assert.True(t, help[m[1]] && !typed[m[1]], "TYPE of %s after its HELP, once", m[1])
			typed[m[1]] = true
		} else if m := sampleLine.FindStringSubmatch(line); m != nil {
			assert.True(t, typed[m[1]], "sample of %s after its TYPE", m[1])
			samples++
		} else {
			t.Errorf("not a line of the text format: %q", line)
		}
	}
	assert.Len(t, typed, 9)
	assert.Equal(t, 2*9, samples)
}
