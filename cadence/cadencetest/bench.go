package cadencetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
)

// BenchmarkSubmitAnswer measures answers end to end through the engine:
// validation, one store transaction with the answer, the receipt and the
// summary revision. open supplies the store, so store/ runs the same
// benchmark on bbolt. A team of people answers a daily ritual; every
// `people` answers the clock moves a day and the next occurrence opens
// (outside the timer). It reports answers/s.
func BenchmarkSubmitAnswer(b *testing.B, open func(b *testing.B) cadence.Store, people int) {
	ctx := context.Background()
	ids := make([]string, people)
	ps := make([]*cadence.Person, people)
	for i := range ps {
		ids[i] = fmt.Sprintf("p%04d", i)
		ps[i] = &cadence.Person{ID: ids[i], Name: ids[i], Role: cadence.RoleSpecialist, Location: time.UTC}
	}
	sched, err := cadence.ParseSchedule("0 9 * * *", time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	r := &cadence.Ritual{
		ID: "standup", Title: "Standup", Kind: cadence.KindStandup, Channel: "standup",
		Schedule: sched, Participants: ids, Questions: cadence.DefaultQuestions(cadence.KindStandup),
		Window: 8 * time.Hour, Reminders: []time.Duration{time.Hour},
	}
	start := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	clock := cadence.NewManualClock(start)
	eng, err := cadence.New(cadence.EngineConfig{
		Rituals: []*cadence.Ritual{r}, Roster: cadence.NewRoster(ps), Store: open(b), Clock: clock, Logger: zerolog.Nop(),
	})
	if err != nil {
		b.Fatal(err)
	}
	fire := start.Add(time.Hour)
	next := func() string {
		clock.Set(fire.Add(time.Minute))
		if err := eng.Tick(ctx); err != nil {
			b.Fatal(err)
		}
		id := cadence.OccurrenceID(r.ID, fire)
		fire = fire.Add(24 * time.Hour)
		return id
	}
	if err := eng.Tick(ctx); err != nil { // starts the ritual
		b.Fatal(err)
	}
	occ := next()
	resp := []cadence.Response{{QuestionID: "yesterday", Text: "shipped the feature store backfill"}, {QuestionID: "today", Text: "canary for ranker v42"}, {QuestionID: "blockers", Text: "none"}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 && i%people == 0 {
			b.StopTimer()
			occ = next()
			b.StartTimer()
		}
		if _, err := eng.SubmitAnswer(ctx, cadence.AnswerInput{OccurrenceID: occ, PersonID: ids[i%people], Responses: resp, Via: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "answers/s")
}
