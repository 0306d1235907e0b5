package benchdata

import (
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// zones are where the synthetic team lives (the config example's cities):
// per-person standups fire at 09:15 in each of them, spread over 3 hours.
var zones = []string{"Europe/Bucharest", "Europe/Warsaw", "Europe/Belgrade", "Asia/Tbilisi", "Asia/Almaty", "Europe/Zurich"}

var capabilities = []string{"ci-cd", "feature-store", "data-contracts", "observability", "release"}

// team is people specialists and one lead in 25 (the facilitators), in
// roster order; everyone takes part in every ritual.
func team(people int) ([]*cadence.Person, error) {
	locs := make([]*time.Location, len(zones))
	for i, z := range zones {
		l, err := time.LoadLocation(z)
		if err != nil {
			return nil, fmt.Errorf("benchdata: time zone %s: %w", z, err)
		}
		locs[i] = l
	}
	out := make([]*cadence.Person, people)
	for i := range out {
		role := cadence.RoleSpecialist
		if i%25 == 0 {
			role = cadence.RoleLead
		}
		out[i] = &cadence.Person{
			ID: fmt.Sprintf("person-%04d", i), Name: fmt.Sprintf("Person %04d", i), Role: role,
			Location:     locs[i%len(locs)],
			Capabilities: []string{capabilities[i%len(capabilities)], capabilities[(i/5)%len(capabilities)]},
		}
	}
	return out, nil
}

// ritualSpecs are the team's rituals, the first n of which a data set
// uses: the config example's four, then a weekly model review.
var ritualSpecs = []struct {
	id, title string
	kind      cadence.Kind
	spec      string
	window    time.Duration
	perPerson bool
}{
	{"triage", "Weekly triage", cadence.KindTriage, "30 9 * * 1", 4 * time.Hour, false},
	{"deployment-planning", "Deployment planning", cadence.KindDeploymentPlanning, "0 14 * * 2", 4 * time.Hour, false},
	{"quality-review", "Quality review", cadence.KindQualityReview, "0 15 * * 4", 4 * time.Hour, false},
	{"standup", "Daily standup", cadence.KindStandup, "15 9 * * 1-5", 6 * time.Hour, true},
	{"model-review", "Model review", cadence.KindQualityReview, "0 11 * * 3", 4 * time.Hour, false},
}

// MaxRituals is how many rituals a Spec may ask for.
var MaxRituals = len(ritualSpecs)

func rituals(n int, roster []*cadence.Person) ([]*cadence.Ritual, error) {
	if n < 1 || n > len(ritualSpecs) {
		return nil, fmt.Errorf("benchdata: %d rituals: want 1 to %d", n, len(ritualSpecs))
	}
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		return nil, fmt.Errorf("benchdata: %w", err)
	}
	var ids, leads []string
	for _, p := range roster {
		ids = append(ids, p.ID)
		if p.Role == cadence.RoleLead {
			leads = append(leads, p.ID)
		}
	}
	out := make([]*cadence.Ritual, n)
	for i, s := range ritualSpecs[:n] {
		sched, err := cadence.ParseSchedule(s.spec, zurich)
		if err != nil {
			return nil, fmt.Errorf("benchdata: ritual %s: %w", s.id, err)
		}
		out[i] = &cadence.Ritual{
			ID: s.id, Title: s.title, Kind: s.kind, Channel: s.id, Spec: s.spec, Schedule: sched, Location: zurich,
			Participants: ids, Facilitators: leads, Questions: cadence.DefaultQuestions(s.kind),
			Window: s.window, Reminders: []time.Duration{time.Hour}, PerPersonTime: s.perPerson,
		}
		if len(leads) > 0 {
			out[i].Lead = leads[0]
		}
	}
	return out, nil
}
