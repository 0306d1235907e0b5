package main

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// promObserver turns engine and dispatcher events into Prometheus metrics
// on an injected registry (tests use their own).
type promObserver struct {
	opened      *prometheus.CounterVec
	missed      *prometheus.CounterVec
	skipped     *prometheus.CounterVec
	closed      *prometheus.CounterVec
	prompts     *prometheus.CounterVec
	sent        *prometheus.CounterVec
	answers     *prometheus.CounterVec
	sendErrors  *prometheus.CounterVec
	scheduleLag *prometheus.HistogramVec
}

var _ cadence.Observer = (*promObserver)(nil)

func newPromObserver(reg prometheus.Registerer) *promObserver {
	f := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "cadencebot", Name: name, Help: help}, labels)
		reg.MustRegister(c)
		return c
	}
	o := &promObserver{
		opened:     f("occurrences_opened_total", "Occurrences opened, by ritual and whether they opened late.", "ritual", "late"),
		missed:     f("occurrences_missed_total", "Occurrences whose whole window passed while the bot was down.", "ritual"),
		skipped:    f("occurrences_skipped_total", "Occurrences skipped (paused, skipped by a lead, holiday).", "ritual", "reason"),
		closed:     f("occurrences_closed_total", "Occurrences closed at the end of their window.", "ritual"),
		prompts:    f("prompts_sent_total", "Prompts delivered to participants.", "ritual", "platform"),
		sent:       f("messages_sent_total", "Messages delivered or updated on a platform.", "platform", "kind"),
		answers:    f("answers_total", "Answers stored (edits included), by ritual and lateness.", "ritual", "late"),
		sendErrors: f("send_errors_total", "Failed delivery attempts, by platform and error code.", "platform", "code"),
		scheduleLag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "cadencebot", Name: "schedule_lag_seconds",
			Help:    "How long after its scheduled time an occurrence opened.",
			Buckets: []float64{0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600},
		}, []string{"ritual"}),
	}
	reg.MustRegister(o.scheduleLag)
	return o
}

// newRegistry returns a registry with the Go and process collectors.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

func boolLabel(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func (o *promObserver) OccurrenceOpened(r string, late bool) {
	o.opened.WithLabelValues(r, boolLabel(late)).Inc()
}
func (o *promObserver) OccurrenceMissed(r string) { o.missed.WithLabelValues(r).Inc() }
func (o *promObserver) OccurrenceSkipped(r, reason string) {
	o.skipped.WithLabelValues(r, reasonLabel(reason)).Inc()
}
func (o *promObserver) OccurrenceClosed(r string)     { o.closed.WithLabelValues(r).Inc() }
func (o *promObserver) PromptSent(r, platform string) { o.prompts.WithLabelValues(r, platform).Inc() }
func (o *promObserver) AnswerStored(r string, late bool) {
	o.answers.WithLabelValues(r, boolLabel(late)).Inc()
}
func (o *promObserver) SendError(platform, code string) {
	o.sendErrors.WithLabelValues(platform, code).Inc()
}
func (o *promObserver) ScheduleLag(r string, d time.Duration) {
	o.scheduleLag.WithLabelValues(r).Observe(d.Seconds())
}
func (o *promObserver) MessageSent(platform string, kind cadence.MessageKind) {
	o.sent.WithLabelValues(platform, string(kind)).Inc()
}

// reasonLabel keeps label cardinality bounded: free-text skip reasons
// collapse to "other".
func reasonLabel(reason string) string {
	switch reason {
	case "paused", "holiday", "skipped":
		return reason
	}
	return "other"
}

// registerPageCheck exports the state of bbolt's page check after the
// start: alert on cadencebot_store_damaged (writes are refused).
func registerPageCheck(reg prometheus.Registerer, state func() store.CheckStatus) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "cadencebot", Name: "store_damaged",
			Help: "1 when bbolt's page check found the database damaged (writes refused, /readyz not ready; restore the checked copy)."},
			func() float64 {
				if state().Damage != nil {
					return 1
				}
				return 0
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "cadencebot", Name: "store_page_check_running",
			Help: "1 while bbolt's page check of the database, run a few seconds after the start (and waiting for it), has not finished."},
			func() float64 {
				if state().Running {
					return 1
				}
				return 0
			}),
	)
}
