package cadencetest

import (
	"sync"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// Observer is a cadence.Observer that counts what the engine and the
// dispatcher report, for tests to assert on once the work is done.
type Observer struct {
	cadence.NopObserver
	mu                                    sync.Mutex
	Opened, Late, Missed, Skipped         int
	Closed, Prompts, Answers, LateAnswers int
	// SendErrors counts failed sends by error code.
	SendErrors map[string]int
	// Lags are the schedule lags reported, in order.
	Lags []time.Duration
}

var _ cadence.Observer = (*Observer)(nil)

func (o *Observer) OccurrenceOpened(_ string, late bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.Opened++
	if late {
		o.Late++
	}
}
func (o *Observer) OccurrenceMissed(string) { o.mu.Lock(); o.Missed++; o.mu.Unlock() }
func (o *Observer) OccurrenceSkipped(string, string) {
	o.mu.Lock()
	o.Skipped++
	o.mu.Unlock()
}
func (o *Observer) OccurrenceClosed(string)   { o.mu.Lock(); o.Closed++; o.mu.Unlock() }
func (o *Observer) PromptSent(string, string) { o.mu.Lock(); o.Prompts++; o.mu.Unlock() }
func (o *Observer) AnswerStored(_ string, late bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.Answers++
	if late {
		o.LateAnswers++
	}
}
func (o *Observer) SendError(_ string, code string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.SendErrors == nil {
		o.SendErrors = map[string]int{}
	}
	o.SendErrors[code]++
}
func (o *Observer) ScheduleLag(_ string, d time.Duration) {
	o.mu.Lock()
	o.Lags = append(o.Lags, d)
	o.mu.Unlock()
}
