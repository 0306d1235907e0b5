package cadencetest

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
)

// BenchmarkStatusWithLateAnswers measures Engine.Status, which every
// inbox page, App Home and /cadence status reads, when the person left a
// week of a ritual that fires every minute unanswered (the trial config):
// it scans the grace period for the late answer to offer. open supplies
// the store, so store/ runs it on bbolt.
func BenchmarkStatusWithLateAnswers(b *testing.B, open func(b *testing.B) cadence.Store) {
	ctx := context.Background()
	ids := []string{"ana", "bo", "cy", "dan"}
	var ps []*cadence.Person
	for _, id := range ids {
		ps = append(ps, &cadence.Person{ID: id, Name: id, Role: cadence.RoleSpecialist, Location: time.UTC})
	}
	sched, err := cadence.ParseSchedule("* * * * *", time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	r := &cadence.Ritual{ID: "trial", Title: "Trial", Kind: cadence.KindStandup, Channel: "trial",
		Schedule: sched, Participants: ids, Questions: cadence.DefaultQuestions(cadence.KindStandup), Window: 45 * time.Second}
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	st := open(b)
	// Eight days of closed occurrences, written in batches of a day.
	first := now.Add(-8 * 24 * time.Hour)
	for day := range 8 {
		err := st.Update(ctx, func(tx cadence.Tx) error {
			for m := range 24 * 60 {
				at := first.Add(time.Duration(day*24*60+m) * time.Minute)
				o := &cadence.Occurrence{ID: cadence.OccurrenceID(r.ID, at), RitualID: r.ID, Scheduled: at, DueAt: at,
					OpenedAt: at, Status: cadence.StatusClosed, ClosesAt: at.Add(r.Window), ClosedAt: at.Add(r.Window),
					Expected: ids, Prompted: map[string]time.Time{"ana": at, "bo": at, "cy": at, "dan": at}}
				if err := tx.PutOccurrence(o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	eng, err := cadence.New(cadence.EngineConfig{Rituals: []*cadence.Ritual{r}, Roster: cadence.NewRoster(ps),
		Store: st, Clock: cadence.NewManualClock(now), Logger: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s, err := eng.Status(ctx, "ana")
		if err != nil {
			b.Fatal(err)
		}
		if len(s.Late) != 1 {
			b.Fatalf("want one late answer to offer, got %d", len(s.Late))
		}
	}
}
