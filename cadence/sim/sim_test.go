package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/sim"
)

func team(t *testing.T) ([]*cadence.Ritual, *cadence.Roster) {
	zurich, err := time.LoadLocation("Europe/Zurich")
	require.NoError(t, err)
	almaty, err := time.LoadLocation("Asia/Almaty")
	require.NoError(t, err)
	roster := cadence.NewRoster([]*cadence.Person{
		{ID: "lea", Name: "Lea", Role: cadence.RoleLead, Location: zurich},
		{ID: "ana", Name: "Ana", Role: cadence.RoleSpecialist, Location: zurich},
		{ID: "cy", Name: "Cy", Role: cadence.RoleSpecialist, Location: almaty},
		{ID: "dan", Name: "Dan", Role: cadence.RoleSpecialist, Location: zurich},
	})
	triage, err := cadence.ParseSchedule("30 9 * * 1", zurich)
	require.NoError(t, err)
	standup, err := cadence.ParseSchedule("15 9 * * 1-5", zurich)
	require.NoError(t, err)
	return []*cadence.Ritual{
		{ID: "triage", Title: "Triage", Kind: cadence.KindTriage, Channel: "ops", Schedule: triage, Location: zurich,
			Participants: []string{"lea", "ana", "cy", "dan"}, Lead: "lea", Questions: cadence.DefaultQuestions(cadence.KindTriage),
			Window: 4 * time.Hour, Reminders: []time.Duration{time.Hour}},
		{ID: "standup", Title: "Standup", Kind: cadence.KindStandup, Channel: "ops", Schedule: standup, Location: zurich,
			Participants: []string{"ana", "cy", "dan"}, Lead: "lea", Questions: cadence.DefaultQuestions(cadence.KindStandup),
			Window: 3 * time.Hour, Reminders: []time.Duration{time.Hour}, PerPersonTime: true},
	}, roster
}

func run(t *testing.T, seed uint64, rate float64) *sim.Result {
	rituals, roster := team(t)
	to := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	res, err := sim.Run(context.Background(), sim.Options{Rituals: rituals, Roster: roster, Store: cadencetest.NewStore(),
		From: to.AddDate(0, 0, -28), To: to, Seed: seed, AnswerRate: rate})
	require.NoError(t, err)
	return res
}

func TestSimulateIsDeterministic(t *testing.T) {
	a, b := run(t, 42, 0.85), run(t, 42, 0.85)
	assert.Equal(t, a.Report, b.Report)
	assert.Equal(t, a.Answers, b.Answers)
	c := run(t, 43, 0.85)
	assert.NotEqual(t, a.Report.Team, c.Report.Team, "another seed, another history")
}

func TestSimulateProducesRealisticHistory(t *testing.T) {
	res := run(t, 7, 0.85)
	team := res.Report.Team
	// 4 weeks: 4 triages and 20 standups, all held on time by the engine.
	assert.Equal(t, 24, team.Occurrences)
	assert.Equal(t, 24, team.HeldOnTime)
	assert.Equal(t, res.Prompts, team.Expected, "one prompt per expected answer; excused people get none")
	assert.Positive(t, team.Excused, "some simulated leave")
	assert.InDelta(t, 0.85, float64(team.Answered)/float64(team.Expected), 0.15)
	assert.Less(t, team.AnsweredOnTime, team.Answered+1)
	assert.Equal(t, res.Answers, team.Answered, "each stored answer is counted once")

	none := run(t, 7, 0)
	assert.Zero(t, none.Answers)
	assert.Zero(t, none.Report.Team.Answered)
}

func TestSimulateRefusesBadOptions(t *testing.T) {
	rituals, roster := team(t)
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for name, o := range map[string]sim.Options{
		"no store":     {Rituals: rituals, Roster: roster, From: at, To: at.Add(time.Hour)},
		"empty period": {Rituals: rituals, Roster: roster, Store: cadencetest.NewStore(), From: at, To: at},
		"bad rate":     {Rituals: rituals, Roster: roster, Store: cadencetest.NewStore(), From: at, To: at.Add(time.Hour), AnswerRate: 2},
	} {
		_, err := sim.Run(context.Background(), o)
		assert.Error(t, err, name)
	}
}

func TestSimulateMLOpsActivity(t *testing.T) {
	rituals, roster := team(t)
	to := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	sim8 := func(seed uint64) *sim.Result {
		st := cadencetest.NewStore()
		res, err := sim.Run(context.Background(), sim.Options{Rituals: rituals, Roster: roster, Store: st,
			From: to.AddDate(0, 0, -56), To: to, Seed: seed, AnswerRate: 0.85, Location: roster.Person("lea").Location})
		require.NoError(t, err)
		// The audit chain covers every simulated decision and is intact.
		require.NoError(t, st.View(context.Background(), func(tx cadence.Tx) error {
			v, err := cadence.VerifyAudit(tx)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, v.Entries, res.Incidents+res.FollowUps+res.Releases)
			return nil
		}))
		return res
	}
	res := sim8(11)
	assert.Positive(t, res.Incidents)
	assert.Positive(t, res.FollowUps)
	assert.Positive(t, res.Releases)
	require.NotNil(t, res.Ops)
	assert.Positive(t, res.Ops.FollowUpsDue, "some follow-ups fell due in the period")
	again := sim8(11)
	assert.Equal(t, res.Ops, again.Ops, "same seed, same MLOps history")
	assert.Equal(t, res.Report, again.Report)

	none, err := sim.Run(context.Background(), sim.Options{Rituals: rituals, Roster: roster, Store: cadencetest.NewStore(),
		From: to.AddDate(0, 0, -14), To: to, Seed: 11, AnswerRate: 0.85, NoOps: true})
	require.NoError(t, err)
	assert.Zero(t, none.Incidents+none.FollowUps+none.Releases)
}

// The simulation excuses the person on call from standups, as the daemon
// does: each standup leaves them out, counted excused.
func TestSimulateExcusesOnCallFromStandups(t *testing.T) {
	rituals, roster := team(t)
	zurich := rituals[0].Location
	rot := &cadence.Rotation{ID: "primary", Title: "Primary", Members: []string{"ana", "cy"}, Location: zurich,
		Start: cadence.Date{Year: 2026, Month: 10, Day: 26}, HandoffHour: 9, Length: 7}
	to := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	st := cadencetest.NewStore()
	res, err := sim.Run(context.Background(), sim.Options{Rituals: rituals, Roster: roster, Store: st,
		From: to.AddDate(0, 0, -28), To: to, Seed: 7, AnswerRate: 0.85, NoOps: true, Rotations: []*cadence.Rotation{rot}})
	require.NoError(t, err)
	without := run(t, 7, 0.85)
	assert.Greater(t, res.Report.Team.Excused, without.Report.Team.Excused)

	var onCall int
	require.NoError(t, st.View(context.Background(), func(tx cadence.Tx) error {
		occs, err := tx.Occurrences(cadence.OccurrenceFilter{RitualID: "standup"})
		require.Len(t, occs, 20)
		for _, o := range occs {
			// Judged at each person's own prompt time (09:15 in Almaty
			// comes before Monday's 09:00 Zurich hand-off).
			for p, at := range o.PromptAt {
				if cadence.OnCallAt(rot, nil, at).Person != p {
					continue
				}
				assert.NotContains(t, o.Expected, p, "%s: %s is on call", o.ID, p)
				if o.Excused[p] == "on call (Primary)" {
					onCall++
				}
			}
		}
		return err
	}))
	assert.GreaterOrEqual(t, onCall, 15, "on call is the usual reason; leave may come first")
}

// Summaries are edited at most every EditInterval, yet every summary in
// the history shows its final state: the same as when each answer redraws
// it, and none is left out of date.
func TestSimulateSpacedSummaryEditsEndFinal(t *testing.T) {
	rituals, roster := team(t)
	for _, to := range []time.Time{
		time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC), // Friday's standup closed at 11:15, its last edit held past the end
	} {
		summaries := func(every time.Duration) map[string]cadence.Body {
			db := cadencetest.NewStore()
			_, err := sim.Run(context.Background(), sim.Options{Rituals: rituals, Roster: roster, Store: db,
				From: time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC), To: to, Seed: 5, AnswerRate: 0.85, EditInterval: every})
			require.NoError(t, err)
			out := map[string]cadence.Body{}
			require.NoError(t, db.View(context.Background(), func(tx cadence.Tx) error {
				dirty, err := tx.DirtySummaries(0)
				require.NoError(t, err)
				assert.Empty(t, dirty, "every summary drawn at its final state")
				ms, err := tx.Messages(cadence.MessageFilter{})
				for _, m := range ms {
					if m.Kind == cadence.KindSummary {
						out[m.Key] = m.Body.Plain()
					}
				}
				return err
			}))
			return out
		}
		each := summaries(time.Nanosecond)
		require.Len(t, each, 10+2) // two weeks of weekday standups and Monday triages
		assert.Equal(t, each, summaries(0), "default spacing, to %s", to)
		assert.Equal(t, each, summaries(6*time.Hour), "spaced beyond the windows, to %s", to)
	}
}
