package cadence_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// The adherence fixture drives the real engine on a manual clock and the
// in-memory store through five ISO weeks of March 2026 (W10–W14), then
// checks every figure of the report against numbers worked out by hand
// below. Times are UTC unless a zone is named. Offsets that matter:
//
//	Europe/Zurich     CET  UTC+1 until 2026-03-29 01:00 UTC, then CEST UTC+2
//	Europe/Bucharest  EET  UTC+2 until 2026-03-29 01:00 UTC, then EEST UTC+3
//	America/New_York  EST  UTC-5 until 2026-03-08 07:00 UTC, then EDT UTC-4
//
// Team: Lea (lead, Zurich), Ana (Bucharest), Dan (New York). Rituals:
//
//	triage   Mondays 09:30 Zurich, 4h window, Lea Ana Dan
//	checkin  Mondays 09:15 in each person's own zone, 3h window, Lea Dan
//	window   Sundays 02:30 Zurich (the release window), 6h window, Lea Ana;
//	         on 2026-03-29 02:30 does not exist: it fires at 03:00 CEST
//
// What happens (T = triage, C = check-in, W = release window; latency is
// from the prompt actually sent to the first submission):
//
//	W10 T1 Mar 2 08:30  Lea 08:45 (15m), Ana 09:30 (60m), Dan 14:00 (5h30m, after the 12:30 close: late)
//	    C1 Mar 2 08:15  Lea prompted 08:15 (09:15 CET), answers 08:25 (10m);
//	                    Dan prompted 14:15 (09:15 EST), answers 14:45 (30m)
//	    W1 Mar 8 01:30  Lea 02:00 (30m); Ana never answers
//	W11 Ana out of office Mar 9–13 (declared on Mar 5)
//	    T2 Mar 9 08:30  Ana excused; Lea 09:00 (30m), Dan 10:30 (2h)
//	    C2 Mar 9 08:15  Lea 09:15 (60m); Dan prompted 13:15 (09:15 EDT: New York
//	                    moved an hour, Zurich did not), answers 13:45 (30m)
//	    W2 Mar 15       skipped by Lea on Mar 12 ("change freeze")
//	W12 T3 Mar 16 08:30 Lea 08:40 (10m), Ana 12:00 (3h30m, before the 12:30 close); Dan never answers
//	    C3 Mar 16 08:15 Lea never answers; Dan prompted 13:15, answers 16:45 (3h30m, after his 16:15 close: late)
//	    cadencebot is down from Sat Mar 21 00:00 to Mon Mar 23 09:00
//	    W3 Mar 22 01:30 its window (to 07:30) passed while down: missed
//	W13 T4 Mar 23 08:30 opened late at 09:00 (30m); everyone prompted 09:00:
//	                    Lea 09:10 (10m), Ana 09:20 (20m), Dan 12:00 (3h)
//	    C4 Mar 23 08:15 opened late at 09:00 (45m after its first prompt was due):
//	                    Lea prompted 09:00, answers 09:40 (40m); Dan prompted 13:15, answers 13:25 (10m)
//	    W4 Mar 29 01:00 (03:00 CEST, the spring-forward gap) Lea 01:20 (20m), Ana 06:30 (5h30m, close 07:00)
//	W14 T5 Mar 30 07:30 (09:30 CEST) Lea 07:35 (5m), Dan 08:30 (60m), Ana 12:00 (4h30m, after the 11:30 close: late)
//	    C5 Mar 30 07:15 Lea prompted 07:15 (09:15 CEST), answers 07:45 (30m); Dan prompted 13:15, answers 13:20 (5m)
//
// Held on time: all but T4 and C4 (opened late). Not answered: W1 Ana,
// T3 Dan, C3 Lea. Late answers: T1 Dan, C3 Dan, T5 Ana.
//
// Score = 100 × (0.4 × answered/expected + 0.4 × on time/expected + 0.2 × held on time/(occurrences − skipped)).

var fixtureRange = cadence.ReportQuery{From: utc(2026, 3, 2, 0, 0), To: utc(2026, 4, 1, 0, 0)}

func fixtureTeam(t testing.TB) (*cadence.Roster, []*cadence.Ritual) {
	roster := cadence.NewRoster([]*cadence.Person{
		{ID: "lea", Name: "Lea", Role: cadence.RoleLead, Location: cadencetest.Location(t, "Europe/Zurich")},
		{ID: "ana", Name: "Ana", Role: cadence.RoleSpecialist, Location: cadencetest.Location(t, "Europe/Bucharest")},
		{ID: "dan", Name: "Dan", Role: cadence.RoleSpecialist, Location: cadencetest.Location(t, "America/New_York")},
	})
	zurich := cadencetest.Location(t, "Europe/Zurich")
	rituals := []*cadence.Ritual{
		{
			ID: "triage", Title: "Weekly triage", Kind: cadence.KindTriage, Channel: "mlops",
			Spec: "30 9 * * 1", Schedule: cadencetest.MustSchedule(t, "30 9 * * 1", "Europe/Zurich"), Location: zurich,
			Participants: []string{"lea", "ana", "dan"}, Lead: "lea",
			Questions: cadence.DefaultQuestions(cadence.KindTriage), Window: 4 * time.Hour, Reminders: []time.Duration{time.Hour},
		},
		{
			ID: "checkin", Title: "Monday check-in", Kind: cadence.KindStandup, Channel: "standup",
			Spec: "15 9 * * 1", Schedule: cadencetest.MustSchedule(t, "15 9 * * 1", "Europe/Zurich"), Location: zurich,
			Participants: []string{"lea", "dan"}, Lead: "lea", PerPersonTime: true,
			Questions: cadence.DefaultQuestions(cadence.KindStandup), Window: 3 * time.Hour, Reminders: []time.Duration{time.Hour},
		},
		{
			ID: "window", Title: "Release window", Kind: cadence.KindDeploymentPlanning, Channel: "releases",
			Spec: "30 2 * * 0", Schedule: cadencetest.MustSchedule(t, "30 2 * * 0", "Europe/Zurich"), Location: zurich,
			Participants: []string{"lea", "ana"}, Lead: "lea",
			Questions: cadence.DefaultQuestions(cadence.KindDeploymentPlanning), Window: 6 * time.Hour, Reminders: []time.Duration{time.Hour},
		},
	}
	return roster, rituals
}

// fixtureRun is a cadencebot process on a manual clock: up (ticking at
// every instant something falls due) or down (the clock jumps).
type fixtureRun struct {
	t       *testing.T
	ctx     context.Context
	clock   *cadence.ManualClock
	store   *cadencetest.Store
	roster  *cadence.Roster
	rituals []*cadence.Ritual
	eng     *cadence.Engine
}

func newFixtureRun(t *testing.T, start time.Time) *fixtureRun {
	roster, rituals := fixtureTeam(t)
	r := &fixtureRun{t: t, ctx: context.Background(), clock: cadence.NewManualClock(start), store: cadencetest.NewStore(), roster: roster, rituals: rituals}
	r.restart()
	return r
}

// restart is a new process on the same store.
func (r *fixtureRun) restart() {
	eng, err := cadence.New(cadence.EngineConfig{Rituals: r.rituals, Roster: r.roster, Store: r.store, Clock: r.clock, Logger: zerolog.Nop()})
	require.NoError(r.t, err)
	r.eng = eng
}

// until runs the daemon up to t, ticking at every wake-up on the way.
func (r *fixtureRun) until(t time.Time) {
	r.t.Helper()
	for {
		require.NoError(r.t, r.eng.Tick(r.ctx))
		now := r.clock.Now()
		if !now.Before(t) {
			return
		}
		wake, err := r.eng.NextWake(r.ctx, t.Sub(now))
		require.NoError(r.t, err)
		// NextWake bisects to within a second; every instant of this
		// fixture is on a whole minute.
		if wake = wake.Truncate(time.Second); !wake.After(now) {
			wake = now.Add(time.Second)
		}
		r.clock.Set(wake)
	}
}

// down stops the process until t and starts a new one then.
func (r *fixtureRun) down(t time.Time) {
	r.clock.Set(t)
	r.restart()
}

func (r *fixtureRun) answer(at time.Time, ritualID string, fire time.Time, person string) {
	r.t.Helper()
	r.until(at)
	rit := r.eng.Ritual(ritualID)
	var rs []cadence.Response
	for _, q := range rit.Questions {
		rs = append(rs, cadence.Response{QuestionID: q.ID, Text: "fixture answer from " + person})
	}
	_, err := r.eng.SubmitAnswer(r.ctx, cadence.AnswerInput{OccurrenceID: cadence.OccurrenceID(ritualID, fire), PersonID: person, Responses: rs, Via: "fixture"})
	require.NoError(r.t, err, "%s answers %s at %s", person, cadence.OccurrenceID(ritualID, fire), at)
}

// fixtureReport plays the five weeks and returns the report and the run.
func fixtureReport(t *testing.T) (*cadence.Report, *fixtureRun) {
	run := newFixtureRun(t, utc(2026, 3, 2, 0, 0))
	t1, c1, w1 := utc(2026, 3, 2, 8, 30), utc(2026, 3, 2, 8, 15), utc(2026, 3, 8, 1, 30)
	t2, c2 := utc(2026, 3, 9, 8, 30), utc(2026, 3, 9, 8, 15)
	t3, c3 := utc(2026, 3, 16, 8, 30), utc(2026, 3, 16, 8, 15)
	t4, c4, w4 := utc(2026, 3, 23, 8, 30), utc(2026, 3, 23, 8, 15), utc(2026, 3, 29, 1, 0)
	t5, c5 := utc(2026, 3, 30, 7, 30), utc(2026, 3, 30, 7, 15)

	// W10
	run.answer(utc(2026, 3, 2, 8, 25), "checkin", c1, "lea")
	run.answer(utc(2026, 3, 2, 8, 45), "triage", t1, "lea")
	run.answer(utc(2026, 3, 2, 9, 30), "triage", t1, "ana")
	run.answer(utc(2026, 3, 2, 14, 0), "triage", t1, "dan")
	run.answer(utc(2026, 3, 2, 14, 45), "checkin", c1, "dan")
	run.until(utc(2026, 3, 5, 12, 0))
	require.NoError(t, run.eng.SetOutOfOffice(run.ctx, "ana", cadence.DateRange{From: cadence.Date{Year: 2026, Month: 3, Day: 9}, To: cadence.Date{Year: 2026, Month: 3, Day: 13}, Note: "conference"}))
	run.answer(utc(2026, 3, 8, 2, 0), "window", w1, "lea")
	// W11
	run.answer(utc(2026, 3, 9, 9, 0), "triage", t2, "lea")
	run.answer(utc(2026, 3, 9, 9, 15), "checkin", c2, "lea")
	run.answer(utc(2026, 3, 9, 10, 30), "triage", t2, "dan")
	run.answer(utc(2026, 3, 9, 13, 45), "checkin", c2, "dan")
	run.until(utc(2026, 3, 12, 10, 0))
	_, err := run.eng.Skip(run.ctx, "lea", "window", "change freeze")
	require.NoError(t, err)
	// W12
	run.answer(utc(2026, 3, 16, 8, 40), "triage", t3, "lea")
	run.answer(utc(2026, 3, 16, 12, 0), "triage", t3, "ana")
	run.answer(utc(2026, 3, 16, 16, 45), "checkin", c3, "dan")
	run.until(utc(2026, 3, 21, 0, 0))
	run.down(utc(2026, 3, 23, 9, 0))
	// W13
	run.answer(utc(2026, 3, 23, 9, 10), "triage", t4, "lea")
	run.answer(utc(2026, 3, 23, 9, 20), "triage", t4, "ana")
	run.answer(utc(2026, 3, 23, 9, 40), "checkin", c4, "lea")
	run.answer(utc(2026, 3, 23, 12, 0), "triage", t4, "dan")
	run.answer(utc(2026, 3, 23, 13, 25), "checkin", c4, "dan")
	run.answer(utc(2026, 3, 29, 1, 20), "window", w4, "lea")
	run.answer(utc(2026, 3, 29, 6, 30), "window", w4, "ana")
	// W14
	run.answer(utc(2026, 3, 30, 7, 35), "triage", t5, "lea")
	run.answer(utc(2026, 3, 30, 7, 45), "checkin", c5, "lea")
	run.answer(utc(2026, 3, 30, 8, 30), "triage", t5, "dan")
	run.answer(utc(2026, 3, 30, 12, 0), "triage", t5, "ana")
	run.answer(utc(2026, 3, 30, 13, 20), "checkin", c5, "dan")
	run.until(utc(2026, 4, 3, 12, 0))

	rep, err := run.eng.Report(run.ctx, fixtureRange)
	require.NoError(t, err)
	return rep, run
}

func (r *fixtureRun) occurrence(t *testing.T, id string) *cadence.Occurrence {
	t.Helper()
	o, _, err := r.eng.Occurrence(r.ctx, id)
	require.NoError(t, err)
	return o
}

func TestAdherenceFixture(t *testing.T) {
	rep, run := fixtureReport(t)
	const m = time.Minute

	t.Run("DST, out of office and downtime as the engine recorded them", func(t *testing.T) {
		c1, c2 := run.occurrence(t, "checkin@20260302T081500Z"), run.occurrence(t, "checkin@20260309T081500Z")
		assert.Equal(t, utc(2026, 3, 2, 14, 15), c1.PromptAt["dan"], "09:15 EST")
		assert.Equal(t, utc(2026, 3, 9, 13, 15), c2.PromptAt["dan"], "09:15 EDT")
		assert.Equal(t, utc(2026, 3, 9, 8, 15), c2.PromptAt["lea"], "09:15 CET")
		c5 := run.occurrence(t, "checkin@20260330T071500Z")
		assert.Equal(t, utc(2026, 3, 30, 7, 15), c5.PromptAt["lea"], "09:15 CEST")
		assert.Equal(t, utc(2026, 3, 30, 13, 15), c5.PromptAt["dan"], "09:15 EDT")
		// 02:30 Zurich did not exist on Mar 29: the occurrence is at 03:00 CEST.
		assert.Equal(t, cadence.StatusClosed, run.occurrence(t, "window@20260329T010000Z").Status)
		t2 := run.occurrence(t, "triage@20260309T083000Z")
		assert.Equal(t, []string{"lea", "dan"}, t2.Expected)
		assert.Contains(t, t2.Excused["ana"], "out of office")
		c4 := run.occurrence(t, "checkin@20260323T081500Z")
		assert.Equal(t, utc(2026, 3, 23, 9, 0), c4.Prompted["lea"], "prompted when cadencebot came back")
		assert.Equal(t, utc(2026, 3, 23, 13, 15), c4.Prompted["dan"], "prompted at his own 09:15")
	})

	t.Run("occurrences", func(t *testing.T) {
		type row struct {
			ID                                  string
			Status                              cadence.Status
			Late                                bool
			OpenDelay                           time.Duration
			Expected, Answered, OnTime, Excused int
			Median                              time.Duration
			Missing                             []string
		}
		want := []row{
			{"checkin@20260302T081500Z", cadence.StatusClosed, false, 0, 2, 2, 2, 0, 20 * m, nil},                // (10m + 30m) / 2
			{"triage@20260302T083000Z", cadence.StatusClosed, false, 0, 3, 3, 2, 0, 60 * m, nil},                 // 15m 60m 330m; Dan late
			{"window@20260308T013000Z", cadence.StatusClosed, false, 0, 2, 1, 1, 0, 30 * m, []string{"ana"}},     // Lea 30m
			{"checkin@20260309T081500Z", cadence.StatusClosed, false, 0, 2, 2, 2, 0, 45 * m, nil},                // (60m + 30m) / 2
			{"triage@20260309T083000Z", cadence.StatusClosed, false, 0, 2, 2, 2, 1, 75 * m, nil},                 // Ana excused; (30m + 120m) / 2
			{"window@20260315T013000Z", cadence.StatusSkipped, false, 0, 0, 0, 0, 0, 0, nil},                     // nobody asked
			{"checkin@20260316T081500Z", cadence.StatusClosed, false, 0, 2, 1, 0, 0, 210 * m, []string{"lea"}},   // Dan 3h30m, late
			{"triage@20260316T083000Z", cadence.StatusClosed, false, 0, 3, 2, 2, 0, 110 * m, []string{"dan"}},    // (10m + 210m) / 2
			{"window@20260322T013000Z", cadence.StatusMissed, false, 0, 0, 0, 0, 0, 0, nil},                      // down all window
			{"checkin@20260323T081500Z", cadence.StatusClosed, true, 45 * m, 2, 2, 2, 0, 25 * m, nil},            // due 08:15, opened 09:00; (40m + 10m) / 2
			{"triage@20260323T083000Z", cadence.StatusClosed, true, 30 * m, 3, 3, 3, 0, 20 * m, nil},             // 10m 20m 180m
			{"window@20260329T010000Z", cadence.StatusClosed, false, 0, 2, 2, 2, 0, 175 * m, nil},                // (20m + 330m) / 2
			{"checkin@20260330T071500Z", cadence.StatusClosed, false, 0, 2, 2, 2, 0, 17*m + 30*time.Second, nil}, // (30m + 5m) / 2
			{"triage@20260330T073000Z", cadence.StatusClosed, false, 0, 3, 3, 2, 0, 60 * m, nil},                 // 5m 60m 270m; Ana late
		}
		var got []row
		for _, o := range rep.Occurrences {
			got = append(got, row{o.OccurrenceID, o.Status, o.Late, o.OpenDelay, o.Expected, o.Answered, o.AnsweredOnTime, o.Excused, o.MedianLatency, o.Missing})
		}
		assert.Equal(t, want, got)
	})

	t.Run("team", func(t *testing.T) {
		assert.Equal(t, cadence.Tally{
			Occurrences: 14, // 5 triage + 5 check-ins + 4 release windows
			Held:        12, // all but W2 (skipped) and W3 (missed)
			HeldOnTime:  10, // 12 − T4 − C4 (opened late after the downtime)
			Missed:      1,  // W3
			Skipped:     1,  // W2
			// triage 3+2+3+3+3, check-ins 2×5, windows W1 2 + W4 2
			Expected: 28, // 14 + 10 + 4
			Excused:  1,  // Ana at T2
			Answered: 25, // 28 − W1 Ana − T3 Dan − C3 Lea
			// 25 − T1 Dan − C3 Dan − T5 Ana
			AnsweredOnTime: 22,
			// the 25 latencies sorted: 5 5 10 10 10 10 15 20 20 30 30 30 [30] 30 40 60 60 60 120 180 210 210 270 330 330
			MedianLatency: 30 * m,
			// 100 × (0.4 × 25/28 + 0.4 × 22/28 + 0.2 × 10/13) = 100 × (0.357143 + 0.314286 + 0.153846) = 82.53
			Score: 82.5,
		}, rep.Team)
	})

	t.Run("rituals", func(t *testing.T) {
		require.Len(t, rep.Rituals, 3)
		assert.Equal(t, []string{"Weekly triage", "Monday check-in", "Release window"},
			[]string{rep.Rituals[0].Title, rep.Rituals[1].Title, rep.Rituals[2].Title}, "config order")
		// Triage: T1..T5, T4 opened late; Ana excused at T2, Dan silent at T3;
		// late: T1 Dan, T5 Ana. Latencies 5 10 10 15 20 30 [60] 60 120 180 210 270 330.
		// 100 × (0.4 × 13/14 + 0.4 × 11/14 + 0.2 × 4/5) = 100 × (0.371429 + 0.314286 + 0.16) = 84.57
		assert.Equal(t, cadence.Tally{Occurrences: 5, Held: 5, HeldOnTime: 4, Expected: 14, Excused: 1, Answered: 13, AnsweredOnTime: 11,
			MedianLatency: 60 * m, Score: 84.6}, rep.Rituals[0].Tally)
		// Check-in: C1..C5, C4 opened late; Lea silent at C3, Dan late at C3.
		// Latencies 5 10 10 30 [30] 30 40 60 210.
		// 100 × (0.4 × 9/10 + 0.4 × 8/10 + 0.2 × 4/5) = 100 × (0.36 + 0.32 + 0.16) = 84.0
		assert.Equal(t, cadence.Tally{Occurrences: 5, Held: 5, HeldOnTime: 4, Expected: 10, Answered: 9, AnsweredOnTime: 8,
			MedianLatency: 30 * m, Score: 84.0}, rep.Rituals[1].Tally)
		// Release window: W1 and W4 held on time, W2 skipped, W3 missed; Ana silent at W1.
		// Latencies 20 [30] 330.
		// 100 × (0.4 × 3/4 + 0.4 × 3/4 + 0.2 × 2/(4 − 1)) = 100 × (0.3 + 0.3 + 0.133333) = 73.33
		assert.Equal(t, cadence.Tally{Occurrences: 4, Held: 2, HeldOnTime: 2, Missed: 1, Skipped: 1, Expected: 4, Answered: 3, AnsweredOnTime: 3,
			MedianLatency: 30 * m, Score: 73.3}, rep.Rituals[2].Tally)
	})

	t.Run("people", func(t *testing.T) {
		require.Len(t, rep.People, 3)
		// A person's occurrences are the 12/6/10 prompts they owe; held on
		// time counts those of them that opened on time.
		lea, ana, dan := rep.People[0], rep.People[1], rep.People[2]
		assert.Equal(t, []string{"Lea", "Ana", "Dan"}, []string{lea.Name, ana.Name, dan.Name}, "roster order")

		// Lea: T1..T5, C1..C5, W1, W4 = 12; T4, C4 late; silent at C3 only.
		// Latencies 5 10 10 10 15 [20] 30 30 30 40 60.
		// 100 × (0.4 × 11/12 + 0.4 × 11/12 + 0.2 × 10/12) = 100 × (0.366667 + 0.366667 + 0.166667) = 90.0
		assert.Equal(t, cadence.Tally{Occurrences: 12, Held: 12, HeldOnTime: 10, Expected: 12, Answered: 11, AnsweredOnTime: 11,
			MedianLatency: 20 * m, Score: 90.0}, lea.Tally)
		// Most recent first: T5 C5 W4 T4 C4 T3 on time, then C3 unanswered.
		assert.Equal(t, 6, lea.Streak)

		// Ana: T1, W1, T3, T4, W4, T5 = 6 (excused at T2); T4 late;
		// silent at W1; late at T5. Latencies 20 60 [210] 270 330.
		// 100 × (0.4 × 5/6 + 0.4 × 4/6 + 0.2 × 5/6) = 100 × (0.333333 + 0.266667 + 0.166667) = 76.67
		assert.Equal(t, cadence.Tally{Occurrences: 6, Held: 6, HeldOnTime: 5, Expected: 6, Excused: 1, Answered: 5, AnsweredOnTime: 4,
			MedianLatency: 210 * m, Score: 76.7}, ana.Tally)
		assert.Equal(t, 0, ana.Streak, "her latest, T5, was late")

		// Dan: T1..T5, C1..C5 = 10; T4, C4 late; silent at T3; late at T1
		// and C3. Latencies 5 10 30 30 [60] 120 180 210 330.
		// 100 × (0.4 × 9/10 + 0.4 × 7/10 + 0.2 × 8/10) = 100 × (0.36 + 0.28 + 0.16) = 80.0
		assert.Equal(t, cadence.Tally{Occurrences: 10, Held: 10, HeldOnTime: 8, Expected: 10, Answered: 9, AnsweredOnTime: 7,
			MedianLatency: 60 * m, Score: 80.0}, dan.Tally)
		// T5 C5 T4 C4 on time, then T3 unanswered.
		assert.Equal(t, 4, dan.Streak)
	})

	t.Run("weeks", func(t *testing.T) {
		want := []cadence.WeekAdherence{
			// C1 T1 W1 (Sunday Mar 8 01:30 is still W10). Latencies 10 15 [30 30] 60 330.
			// 100 × (0.4 × 6/7 + 0.4 × 5/7 + 0.2 × 3/3) = 100 × (0.342857 + 0.285714 + 0.2) = 82.86
			{Week: "2026-W10", Start: utc(2026, 3, 2, 0, 0), Tally: cadence.Tally{Occurrences: 3, Held: 3, HeldOnTime: 3,
				Expected: 7, Answered: 6, AnsweredOnTime: 5, MedianLatency: 30 * m, Score: 82.9}},
			// C2 T2 and the skipped W2. Latencies 30 [30 60] 120 → 45m.
			// 100 × (0.4 × 4/4 + 0.4 × 4/4 + 0.2 × 2/(3 − 1)) = 100
			{Week: "2026-W11", Start: utc(2026, 3, 9, 0, 0), Tally: cadence.Tally{Occurrences: 3, Held: 2, HeldOnTime: 2, Skipped: 1,
				Expected: 4, Excused: 1, Answered: 4, AnsweredOnTime: 4, MedianLatency: 45 * m, Score: 100}},
			// C3 T3 and the missed W3. Latencies 10 [210] 210.
			// 100 × (0.4 × 3/5 + 0.4 × 2/5 + 0.2 × 2/3) = 100 × (0.24 + 0.16 + 0.133333) = 53.33
			{Week: "2026-W12", Start: utc(2026, 3, 16, 0, 0), Tally: cadence.Tally{Occurrences: 3, Held: 2, HeldOnTime: 2, Missed: 1,
				Expected: 5, Answered: 3, AnsweredOnTime: 2, MedianLatency: 210 * m, Score: 53.3}},
			// C4 T4 (late) and W4 (the DST Sunday). Latencies 10 10 20 [20] 40 180 330.
			// 100 × (0.4 × 7/7 + 0.4 × 7/7 + 0.2 × 1/3) = 100 × 0.866667 = 86.67
			{Week: "2026-W13", Start: utc(2026, 3, 23, 0, 0), Tally: cadence.Tally{Occurrences: 3, Held: 3, HeldOnTime: 1,
				Expected: 7, Answered: 7, AnsweredOnTime: 7, MedianLatency: 20 * m, Score: 86.7}},
			// C5 T5, first week of summer time in Zurich. Latencies 5 5 [30] 60 270.
			// 100 × (0.4 × 5/5 + 0.4 × 4/5 + 0.2 × 2/2) = 100 × (0.4 + 0.32 + 0.2) = 92.0
			{Week: "2026-W14", Start: utc(2026, 3, 30, 0, 0), Tally: cadence.Tally{Occurrences: 2, Held: 2, HeldOnTime: 2,
				Expected: 5, Answered: 5, AnsweredOnTime: 4, MedianLatency: 30 * m, Score: 92.0}},
		}
		assert.Equal(t, want, rep.Weeks)
	})
}

// The fixture's report rendered for a terminal and a wiki: run with
// -update after an intended change and review the diff.
func TestAdherenceFixtureGolden(t *testing.T) {
	rep, _ := fixtureReport(t)
	for _, tc := range []struct{ format, file string }{{"text", "report_fixture.txt"}, {"md", "report_fixture.md"}} {
		t.Run(tc.format, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, cadence.WriteReport(&b, rep, tc.format))
			golden(t, tc.file, b.Bytes())
		})
	}
}
