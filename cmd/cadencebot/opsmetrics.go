package main

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// opsMetricsWindow is the period the closure rate, change-failure rate
// and lead time are computed over: four weeks ending at the scrape.
const opsMetricsWindow = 28 * 24 * time.Hour

// opsMetricsTimeout bounds the store reads of one scrape.
const opsMetricsTimeout = 5 * time.Second

// opsFigureSource is what the collector reads; *ops.Ops is one.
type opsFigureSource interface {
	Figures(ctx context.Context, from, to time.Time) (*ops.Figures, error)
	FollowUps(ctx context.Context, f cadence.FollowUpFilter) ([]*cadence.FollowUp, error)
}

// opsCollector computes the MLOps figures at scrape time from the store,
// so /metrics always agrees with the dashboard and never drifts from
// counters kept in memory. A rate over an empty window (nothing due,
// nothing deployed) is left out rather than reported as 0; the
// *_in_window counts say how much each rate stands on.
type opsCollector struct {
	src    opsFigureSource
	roster *cadence.Roster
	clock  cadence.Clock
	window time.Duration
	log    zerolog.Logger

	open, overdue, meanAge                *prometheus.Desc
	due, onTime                           *prometheus.Desc
	deployed, failure, approved, leadTime *prometheus.Desc
}

var _ prometheus.Collector = (*opsCollector)(nil)

// people is the roster in force: the source's after a config reload.
func (c *opsCollector) people() *cadence.Roster {
	if l, ok := c.src.(interface{ LiveRoster() *cadence.Roster }); ok {
		return l.LiveRoster()
	}
	return c.roster
}

func newOpsCollector(src opsFigureSource, roster *cadence.Roster, clock cadence.Clock, log zerolog.Logger) *opsCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName("cadencebot", "", name), help, nil, nil)
	}
	return &opsCollector{
		src: src, roster: roster, clock: clock, window: opsMetricsWindow, log: log,
		open:     d("followups_open", "Follow-ups open now."),
		overdue:  d("followups_overdue", "Open follow-ups past the end of their due day in the owner's zone."),
		meanAge:  d("followups_open_mean_age_seconds", "Mean age of the open follow-ups."),
		due:      d("followups_due_in_window", "Follow-ups due in the last 28 days whose outcome is known (done, or open past due)."),
		onTime:   d("followups_closed_on_time_ratio", "Of the follow-ups due in the last 28 days, the share done by the end of their due day."),
		deployed: d("release_deployed_in_window", "Releases shipped or rolled back in the last 28 days."),
		failure:  d("release_change_failure_ratio", "Releases rolled back / deployed, over the last 28 days."),
		approved: d("release_approved_in_window", "Releases approved in the last 28 days."),
		leadTime: d("release_lead_time_seconds", "Mean time from proposal to the last needed approval, over releases approved in the last 28 days."),
	}
}

func (c *opsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.open, c.overdue, c.meanAge, c.due, c.onTime, c.deployed, c.failure, c.approved, c.leadTime} {
		ch <- d
	}
}

func (c *opsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), opsMetricsTimeout)
	defer cancel()
	now := c.clock.Now().UTC()
	fig, overdue, err := c.read(ctx, now)
	if err != nil {
		// The scrape reports the failure instead of stale or zero values.
		c.log.Error().Err(err).Msg("ops metrics: reading the store failed")
		for _, d := range []*prometheus.Desc{c.open, c.overdue} {
			ch <- prometheus.NewInvalidMetric(d, err)
		}
		return
	}
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	gauge(c.open, float64(fig.OpenFollowUps))
	gauge(c.overdue, float64(overdue))
	if fig.OpenFollowUps > 0 {
		gauge(c.meanAge, fig.MeanOpenAge.Seconds())
	}
	gauge(c.due, float64(fig.FollowUpsDue))
	if fig.FollowUpsDue > 0 {
		gauge(c.onTime, fig.FollowUpOnTime)
	}
	gauge(c.deployed, float64(fig.ReleasesDeployed))
	if fig.ReleasesDeployed > 0 {
		gauge(c.failure, fig.ChangeFailure)
	}
	gauge(c.approved, float64(fig.Approved))
	if fig.Approved > 0 {
		gauge(c.leadTime, fig.MeanLeadTime.Seconds())
	}
}

// read returns the figures over the window ending now and how many open
// follow-ups are overdue.
func (c *opsCollector) read(ctx context.Context, now time.Time) (*ops.Figures, int, error) {
	fig, err := c.src.Figures(ctx, now.Add(-c.window), now)
	if err != nil {
		return nil, 0, fmt.Errorf("figures: %w", err)
	}
	open, err := c.src.FollowUps(ctx, cadence.FollowUpFilter{Status: []cadence.FollowUpStatus{cadence.FollowUpOpen}})
	if err != nil {
		return nil, 0, fmt.Errorf("open follow-ups: %w", err)
	}
	overdue := 0
	for _, f := range open {
		loc := time.UTC
		if p := c.people().Person(f.Owner); p != nil && p.Location != nil {
			loc = p.Location
		}
		if !f.Deadline(loc).After(now) {
			overdue++
		}
	}
	return fig, overdue, nil
}
