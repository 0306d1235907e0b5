package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
)

// adherenceMetricsWindow is the period the adherence gauges cover: the
// 28 days before the scrape, as the follow-up and release gauges. A
// trailing window rather than ISO weeks: a week gauge would restart
// empty every Monday and a weekly ritual would stand on one occurrence,
// while 28 days give a weekly ritual four and move smoothly, so an
// alert on a ratio neither flaps on Mondays nor waits for a week's end.
const adherenceMetricsWindow = 28 * 24 * time.Hour

// reportSource is what the adherence collector reads; *cadence.Engine is
// one.
type reportSource interface {
	Report(ctx context.Context, q cadence.ReportQuery) (*cadence.Report, error)
}

// adherenceCollector exports, per ritual, the adherence report's figures
// over the window ending at the scrape. It asks the engine for the report
// without people and without the pulse, so a scrape reads only the
// occurrence aggregates of the window's five ISO weeks (a few records per
// ritual and week) and the facts of the occurrences still open: its cost
// is bounded by the rituals and the team, not by the history. The gauges
// are the report's own figures, so they equal `cadencebot report` and the
// dashboard over the same period. Counts are exported beside each ratio
// so PromQL can sum rituals (sum(answered) / sum(expected)); a ratio whose
// count is 0 is left out rather than reported as 0.
type adherenceCollector struct {
	src    reportSource
	clock  cadence.Clock
	window time.Duration
	log    zerolog.Logger

	occurrences, heldOnTime, heldOnTimeRatio           *prometheus.Desc
	expected, answered, answeredRatio                  *prometheus.Desc
	answeredOnTime, answeredOnTimeRatio, medianLatency *prometheus.Desc
}

var _ prometheus.Collector = (*adherenceCollector)(nil)

func newAdherenceCollector(src reportSource, clock cadence.Clock, log zerolog.Logger) *adherenceCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName("cadencebot", "adherence", name), help, []string{"ritual"}, nil)
	}
	return &adherenceCollector{
		src: src, clock: clock, window: adherenceMetricsWindow, log: log,
		occurrences:         d("occurrences_in_window", "Occurrences scheduled in the last 28 days that were due to be held (held or missed; skipped ones excluded)."),
		heldOnTime:          d("held_on_time_in_window", "Occurrences of the last 28 days opened within the on-time tolerance of their schedule."),
		heldOnTimeRatio:     d("held_on_time_ratio", "Of the occurrences due to be held in the last 28 days, the share opened on time."),
		expected:            d("prompts_expected_in_window", "Prompts owed in the last 28 days whose outcome is known (person × held occurrence, excused excluded)."),
		answered:            d("prompts_answered_in_window", "Of those prompts, the ones answered at all (late answers included)."),
		answeredRatio:       d("answered_ratio", "Answer rate over the last 28 days: prompts answered / prompts expected."),
		answeredOnTime:      d("prompts_answered_on_time_in_window", "Of those prompts, the ones answered before the person's own close time."),
		answeredOnTimeRatio: d("answered_on_time_ratio", "On-time answer rate over the last 28 days: prompts answered on time / prompts expected."),
		medianLatency:       d("answer_latency_median_seconds", "Median time from prompt to first submission over the last 28 days."),
	}
}

func (c *adherenceCollector) descs() []*prometheus.Desc {
	return []*prometheus.Desc{c.occurrences, c.heldOnTime, c.heldOnTimeRatio, c.expected, c.answered, c.answeredRatio,
		c.answeredOnTime, c.answeredOnTimeRatio, c.medianLatency}
}

func (c *adherenceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs() {
		ch <- d
	}
}

func (c *adherenceCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), opsMetricsTimeout)
	defer cancel()
	now := c.clock.Now().UTC()
	rep, err := c.src.Report(ctx, cadence.ReportQuery{From: now.Add(-c.window), To: now, WithoutPeople: true, WithoutPulse: true})
	if err != nil {
		// The scrape reports the failure instead of stale or zero values.
		c.log.Error().Err(err).Msg("adherence metrics: reading the report failed")
		for _, d := range c.descs() {
			ch <- prometheus.NewInvalidMetric(d, err)
		}
		return
	}
	for _, r := range rep.Rituals {
		gauge := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, r.RitualID)
		}
		t := r.Tally
		due := t.Occurrences - t.Skipped
		gauge(c.occurrences, float64(due))
		gauge(c.heldOnTime, float64(t.HeldOnTime))
		if due > 0 {
			gauge(c.heldOnTimeRatio, float64(t.HeldOnTime)/float64(due))
		}
		gauge(c.expected, float64(t.Expected))
		gauge(c.answered, float64(t.Answered))
		gauge(c.answeredOnTime, float64(t.AnsweredOnTime))
		if t.Expected > 0 {
			gauge(c.answeredRatio, float64(t.Answered)/float64(t.Expected))
			gauge(c.answeredOnTimeRatio, float64(t.AnsweredOnTime)/float64(t.Expected))
		}
		if t.Answered > 0 {
			gauge(c.medianLatency, t.MedianLatency.Seconds())
		}
	}
}
