package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
	"github.com/cadencebot/cadencebot/dashboard"
)

// opsFixture drives the real Ops on an in-memory store through one week,
// Mon 2 – Sun 8 Nov 2026 (UTC). Every figure the tests expect is worked
// out by hand in the comments here.
//
//	Mon 2 Nov 09:00  INC-1 "drift on churn" (sev 2, owner Ana, link)
//	                 FU-1 Ana, due 4 Nov (Bucharest: ends 4 Nov 22:00 UTC)
//	                 FU-2 Bo,  due 6 Nov (UTC: ends 7 Nov 00:00)
//	Mon 2 Nov 10:00  REL-1 churn 2.3.0 retrain, medium, by Bo
//	Mon 2 Nov 14:00  Lea approves REL-1: lead time 4h
//	Tue 3 Nov 09:00  INC-2 "batch job failed" (sev 3, owner Bo); FU-3 Bo, due 5 Nov
//	Tue 3 Nov 10:00  REL-1 shipped; REL-2 ranker 4.0.0 new-model, high, by Ana
//	Wed 4 Nov 10:00  Lea approves REL-2 (1 of 2); REL-3 fraud 1.1.0 feature-flag, low, by Bo
//	Wed 4 Nov 20:00  Ana completes FU-1: on time
//	Thu 5 Nov 10:00  Root approves REL-2: approved, lead time 48h
//	Fri 6 Nov 10:00  Bo completes FU-3: a day late; REL-2 shipped
//	Fri 6 Nov 12:00  Lea closes INC-2
//	Fri 6 Nov 16:00  REL-2 rolled back
//	Sat 7 Nov 12:00  now: FU-2 is overdue
type opsFixture struct {
	t        *testing.T
	ctx      context.Context
	clock    *cadence.ManualClock
	roster   *cadence.Roster
	ops      *ops.Ops
	sections []dashboard.Section
}

func utc(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, time.UTC) }

func newOpsFixture(t *testing.T) *opsFixture {
	t.Helper()
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		require.NoError(t, err)
		return loc
	}
	f := &opsFixture{t: t, ctx: context.Background(), clock: cadence.NewManualClock(utc(2, 9))}
	f.roster = cadence.NewRoster([]*cadence.Person{
		{ID: "lea", Name: "Lea", Role: cadence.RoleLead, Location: zone("Europe/Zurich")},
		{ID: "ana", Name: "Ana", Role: cadence.RoleSpecialist, Location: zone("Europe/Bucharest"), Capabilities: []string{"monitoring"}},
		{ID: "bo", Name: "Bo", Role: cadence.RoleSpecialist, Location: time.UTC, Capabilities: []string{"release"}},
		{ID: "root", Name: "Root", Role: cadence.RoleAdmin, Location: time.UTC},
	})
	o, err := ops.New(ops.Config{
		Roster: f.roster, Store: cadencetest.NewStore(), Clock: f.clock, Logger: zerolog.Nop(),
		Approvers: []string{"lea", "root"}, HighRiskApprovals: 2,
	})
	require.NoError(t, err)
	f.ops = o
	f.sections = dashboard.OpsSections(o, f.roster, f.clock)

	f.at(2, 9)
	f.ok(o.OpenIncident(f.ctx, "lea", ops.IncidentInput{Title: "drift on churn", Severity: 2, Owner: "ana", Link: "https://chat.example.com/m/1"}))
	f.ok(o.AddFollowUp(f.ctx, "lea", ops.FollowUpInput{Incident: "INC-1", Title: "retune drift alert", Owner: "ana", Due: day(4)}))
	f.ok(o.AddFollowUp(f.ctx, "lea", ops.FollowUpInput{Incident: "INC-1", Title: "backfill features", Owner: "bo", Due: day(6)}))
	f.at(2, 10)
	f.ok(o.ProposeRelease(f.ctx, "bo", release("churn", "2.3.0", cadence.ChangeRetrain, cadence.RiskMedium)))
	f.at(2, 14)
	f.ok(o.ApproveRelease(f.ctx, "lea", "REL-1"))
	f.at(3, 9)
	f.ok(o.OpenIncident(f.ctx, "bo", ops.IncidentInput{Title: "batch job failed", Severity: 3}))
	f.ok(o.AddFollowUp(f.ctx, "bo", ops.FollowUpInput{Incident: "INC-2", Title: "add retry", Owner: "bo", Due: day(5)}))
	f.at(3, 10)
	f.ok(o.RecordReleaseOutcome(f.ctx, "bo", "REL-1", cadence.ReleaseShipped))
	f.ok(o.ProposeRelease(f.ctx, "ana", release("ranker", "4.0.0", cadence.ChangeNewModel, cadence.RiskHigh)))
	f.at(4, 10)
	f.ok(o.ApproveRelease(f.ctx, "lea", "REL-2"))
	f.ok(o.ProposeRelease(f.ctx, "bo", release("fraud", "1.1.0", cadence.ChangeFeatureFlag, cadence.RiskLow)))
	f.at(4, 20)
	f.ok(o.CompleteFollowUp(f.ctx, "ana", "FU-1"))
	f.at(5, 10)
	f.ok(o.ApproveRelease(f.ctx, "root", "REL-2"))
	f.at(6, 10)
	f.ok(o.CompleteFollowUp(f.ctx, "bo", "FU-3"))
	f.ok(o.RecordReleaseOutcome(f.ctx, "ana", "REL-2", cadence.ReleaseShipped))
	f.at(6, 12)
	f.ok(o.CloseIncident(f.ctx, "lea", "INC-2", "retries added"))
	f.at(6, 16)
	f.ok(o.RecordReleaseOutcome(f.ctx, "ana", "REL-2", cadence.ReleaseRolledBack))
	f.at(7, 12)
	return f
}

func day(d int) cadence.Date { return cadence.Date{Year: 2026, Month: 11, Day: d} }

func release(model, version string, change cadence.ChangeType, risk cadence.Risk) ops.ReleaseInput {
	return ops.ReleaseInput{
		Model: model, Version: version, Change: change, Risk: risk,
		Evidence: "https://mlflow.example.com/runs/1", RollbackPlan: "pin the previous version", DataContract: ops.ContractPassed,
	}
}

func (f *opsFixture) at(d, h int) { f.clock.Set(utc(d, h)) }

func (f *opsFixture) ok(_ any, err error) {
	f.t.Helper()
	require.NoError(f.t, err)
}

func (f *opsFixture) handler() http.Handler {
	svc := &fakeService{roster: f.roster, rituals: []*cadence.Ritual{{ID: "triage", Title: "Triage"}}}
	return dashboard.New(svc, f.clock, dashboard.Options{Loopback: true, Sections: f.sections}).Handler()
}

// The week [Mon 2, Mon 9 Nov), read on Sat 7 Nov 12:00.
const opsWeek = "?from=2026-11-02&to=2026-11-08"

func TestFollowUpsSection(t *testing.T) {
	h := newOpsFixture(t).handler()
	page := getOK(t, h, "/s/followups"+opsWeek)
	// Due in the week and decided by now: FU-1 (on time), FU-2 (open past
	// its day), FU-3 (done a day late). Open now: FU-2, 5d 3h old.
	assert.Equal(t, [][]string{
		{"due", "closed_on_time", "closed_on_time_pct", "open", "overdue", "mean_open_age_s"},
		{"3", "1", "33.3", "1", "1", "442800"},
	}, pageTable(t, page, "followup-figures"))
	assert.Equal(t, [][]string{
		{"id", "title", "incident", "owner", "due", "status", "age_s", "overdue"},
		{"FU-1", "retune drift alert", "INC-1", "ana", "2026-11-04", "done", "212400", "false"}, // open 2d 11h
		{"FU-2", "backfill features", "INC-1", "bo", "2026-11-06", "open", "442800", "true"},
		{"FU-3", "add retry", "INC-2", "bo", "2026-11-05", "done", "262800", "false"}, // open 3d 1h
	}, pageTable(t, page, "followups"))
	assert.Contains(t, page, `<td data-value="ana" data-label="Owner">Ana</td>`, "owners show by name")
	assert.Contains(t, page, `<td data-value="442800" class="num" data-label="Age">5d 3h</td>`)

	// The figures are the domain's: the same as Ops.Figures over the period.
	f := newOpsFixture(t)
	fig, err := f.ops.Figures(f.ctx, utc(2, 0), utc(9, 0))
	require.NoError(t, err)
	assert.Equal(t, 3, fig.FollowUpsDue)
	assert.Equal(t, 1, fig.FollowUpsOnTime)
	assert.Equal(t, 442800*time.Second, fig.MeanOpenAge)
}

func TestIncidentsSection(t *testing.T) {
	h := newOpsFixture(t).handler()
	page := getOK(t, h, "/s/incidents"+opsWeek)
	assert.Equal(t, [][]string{
		{"id", "title", "severity", "owner", "opened", "closed", "followups_open", "followups_total", "link"},
		{"INC-1", "drift on churn", "2", "ana", "2026-11-02", "", "1", "2", "https://chat.example.com/m/1"},
		{"INC-2", "batch job failed", "3", "bo", "2026-11-03", "2026-11-06", "0", "1", ""},
	}, pageTable(t, page, "incidents"))
}

func TestReleaseLaneSection(t *testing.T) {
	h := newOpsFixture(t).handler()
	page := getOK(t, h, "/s/releases"+opsWeek)
	// Deployed in the week: REL-1 shipped, REL-2 rolled back. Approved in
	// the week: REL-1 after 4h, REL-2 after 48h: mean and median 26h.
	// Proposal → production: REL-1 shipped after 24h, REL-2 after 72h
	// (shipped 6 Nov 10:00; its rollback at 16:00 does not count): 48h.
	assert.Equal(t, [][]string{
		{"deployed", "rolled_back", "change_failure_pct", "approved", "mean_lead_time_s", "median_lead_time_s", "median_to_production_s"},
		{"2", "1", "50", "2", "93600", "93600", "172800"},
	}, pageTable(t, page, "release-figures"))
	assert.Equal(t, [][]string{
		{"id", "model", "version", "change", "risk", "submitter", "proposed", "approvals", "approvals_needed", "status", "outcome", "lead_time_s", "to_production_s"},
		{"REL-1", "churn", "2.3.0", "retrain", "medium", "bo", "2026-11-02", "1", "1", "approved", "shipped", "14400", "86400"},
		{"REL-2", "ranker", "4.0.0", "new-model", "high", "ana", "2026-11-03", "2", "2", "approved", "rolled-back", "172800", "259200"},
		{"REL-3", "fraud", "1.1.0", "feature-flag", "low", "bo", "2026-11-04", "0", "1", "proposed", "", "", ""},
	}, pageTable(t, page, "releases"))
	assert.Contains(t, page, "Proposal → approval</", "lead time says what it measures")
	assert.Contains(t, page, "DORA")
	assert.Contains(t, page, `<td data-value="2" class="num" data-label="Approvals">2/2</td>`, "approvals show as x/needed")
	assert.Contains(t, page, `<td data-value="50" class="num" data-label="Change-failure rate">50.0%</td>`)
}

// A period that ended on Wed 4 Nov reads as things stood at its end
// (Thu 5 Nov 00:00): FU-3 still open, REL-2 one approval short.
func TestSectionsReadAPastPeriodAsItStood(t *testing.T) {
	h := newOpsFixture(t).handler()
	const past = "?from=2026-11-02&to=2026-11-04"
	assert.Equal(t, [][]string{
		{"id", "title", "incident", "owner", "due", "status", "age_s", "overdue"},
		{"FU-1", "retune drift alert", "INC-1", "ana", "2026-11-04", "done", "212400", "false"},
		{"FU-2", "backfill features", "INC-1", "bo", "2026-11-06", "open", "226800", "false"}, // 2d 15h
		{"FU-3", "add retry", "INC-2", "bo", "2026-11-05", "open", "140400", "false"},         // 1d 15h
	}, getCSV(t, h, "/api/s/followups/followups.csv"+past))
	// Only FU-1 was due (4 Nov, Bucharest) and decided by then.
	assert.Equal(t, []string{"1", "1", "100", "2", "0", "183600"}, getCSV(t, h, "/api/s/followups/followup-figures.csv"+past)[1])
	lane := getCSV(t, h, "/api/s/releases/releases.csv"+past)
	require.Len(t, lane, 4)
	assert.Equal(t, []string{"REL-2", "1", "2", "proposed", "", ""}, []string{lane[2][0], lane[2][7], lane[2][8], lane[2][9], lane[2][10], lane[2][11]})
	assert.Equal(t, "shipped", lane[1][10])
	incs := getCSV(t, h, "/api/s/incidents/incidents.csv"+past)
	assert.Equal(t, []string{"INC-2", "", "1", "1"}, []string{incs[2][0], incs[2][5], incs[2][6], incs[2][7]}, "closed on 6 Nov: still open then")
}

func TestSectionFiltersChangeRows(t *testing.T) {
	f := newOpsFixture(t)
	h := f.handler()

	// Capability "monitoring" is Ana alone: her follow-up, her incident,
	// her release.
	const ana = opsWeek + "&cap=monitoring"
	fus := getCSV(t, h, "/api/s/followups/followups.csv"+ana)
	assert.Equal(t, [][]string{fus[0], {"FU-1", "retune drift alert", "INC-1", "ana", "2026-11-04", "done", "212400", "false"}}, fus)
	assert.Equal(t, []string{"1", "1", "100", "0", "0", ""}, getCSV(t, h, "/api/s/followups/followup-figures.csv"+ana)[1])
	incs := getCSV(t, h, "/api/s/incidents/incidents.csv"+ana)
	require.Len(t, incs, 2)
	assert.Equal(t, "INC-1", incs[1][0])
	rels := getCSV(t, h, "/api/s/releases/releases.csv"+ana)
	require.Len(t, rels, 2)
	assert.Equal(t, "REL-2", rels[1][0])
	assert.Equal(t, []string{"1", "1", "100", "1", "172800", "172800", "259200"}, getCSV(t, h, "/api/s/releases/release-figures.csv"+ana)[1])

	// the next week, read on Tue 10 Nov: only what is still live.
	f.at(10, 9)
	const next = "?from=2026-11-09&to=2026-11-15"
	fus = getCSV(t, h, "/api/s/followups/followups.csv"+next)
	require.Len(t, fus, 2)
	assert.Equal(t, []string{"FU-2", "open", "true"}, []string{fus[1][0], fus[1][5], fus[1][7]})
	incs = getCSV(t, h, "/api/s/incidents/incidents.csv"+next)
	require.Len(t, incs, 2)
	assert.Equal(t, "INC-1", incs[1][0])
	rels = getCSV(t, h, "/api/s/releases/releases.csv"+next)
	require.Len(t, rels, 2)
	assert.Equal(t, "REL-3", rels[1][0])
	assert.Equal(t, []string{"0", "0", "", "0", "", "", ""}, getCSV(t, h, "/api/s/releases/release-figures.csv"+next)[1], "nothing deployed or approved: no rates")
}

func TestSectionCSVAndJSONMatchThePage(t *testing.T) {
	h := newOpsFixture(t).handler()
	for _, q := range []string{opsWeek, "?from=2026-11-02&to=2026-11-04", opsWeek + "&cap=release"} {
		for sec, tables := range map[string][]string{
			"followups": {"followup-figures", "followups"},
			"incidents": {"incidents"},
			"releases":  {"release-figures", "releases"},
		} {
			page := getOK(t, h, "/s/"+sec+q)
			for _, id := range tables {
				want := pageTable(t, page, id)
				assert.Equal(t, want, getCSV(t, h, "/api/s/"+sec+"/"+id+".csv"+q), "%s/%s%s", sec, id, q)
				js := getJSON(t, h, "/api/s/"+sec+"/"+id+".json"+q)
				require.Len(t, js.Rows, len(want)-1, "%s/%s%s", sec, id, q)
				for i, c := range js.Columns {
					assert.Equal(t, want[0][i], c.Key)
				}
			}
			assert.Contains(t, page, `href="../api/s/`+sec+`/`, "downloads are linked")
		}
	}
	// JSON carries typed values: numbers, booleans, null for no value.
	js := getJSON(t, h, "/api/s/followups/followups.json"+opsWeek)
	assert.Equal(t, map[string]any{
		"id": "FU-2", "title": "backfill features", "incident": "INC-1", "owner": "bo", "due": "2026-11-06",
		"status": "open", "age_s": float64(442800), "overdue": true,
	}, js.Rows[1])
	rel := getJSON(t, h, "/api/s/releases/releases.json"+opsWeek)
	assert.Nil(t, rel.Rows[2]["lead_time_s"])
	assert.Nil(t, rel.Rows[2]["outcome"])
}

func TestOpsSectionsInTheDigest(t *testing.T) {
	f := newOpsFixture(t)
	f.at(10, 9) // Tue 10 Nov 09:00: FU-2 overdue since 7 Nov 00:00
	r := &cadence.Report{From: utc(2, 0), To: utc(9, 0)}
	secs, err := dashboard.DigestSections(f.ctx, r, f.sections)
	require.NoError(t, err)
	assert.Equal(t, []cadence.Section{
		{Heading: "Overdue follow-ups", Lines: []string{
			"1 open, 1 overdue. Due in the period: 1 of 3 closed on time (33.3%).",
			"FU-2 backfill features (INC-1) · Bo · due 2026-11-06, 3 days overdue.",
		}},
		{Heading: "Release outcomes", Lines: []string{
			"2 deployed, 1 rolled back: change-failure rate 50.0%.",
			"Lead time from proposal to approval: median 1d 2h over 2 approved (mean 1d 2h).",
			"REL-1 churn 2.3.0 (retrain): shipped.",
			"REL-2 ranker 4.0.0 (new-model): rolled back.",
			"Waiting for approval: REL-3.",
		}},
	}, secs)

	// The same in Polish, for a Polish manager's DM.
	secs, err = dashboard.DigestSectionsIn(f.ctx, "pl", r, f.sections)
	require.NoError(t, err)
	assert.Equal(t, []cadence.Section{
		{Heading: "Zaległe działania", Lines: []string{
			"Otwarte: 1, zaległe: 1. Z terminem w tym okresie: 1 z 3 zamknięte na czas (33,3%).",
			"FU-2 backfill features (INC-1) · Bo · termin 2026-11-06, po terminie: 3 dni.",
		}},
		{Heading: "Wyniki wydań", Lines: []string{
			"Wdrożone: 2, wycofane: 1; odsetek nieudanych zmian 50,0%.",
			"Czas od propozycji do zatwierdzenia: mediana 1 d. 2 godz. dla 2 zatwierdzonych (średnia 1 d. 2 godz.).",
			"REL-1 churn 2.3.0 (retrain): wdrożone.",
			"REL-2 ranker 4.0.0 (new-model): wycofane.",
			"Czeka na zatwierdzenie: REL-3.",
		}},
	}, secs)

	// A week with nothing due, deployed or approved, and nothing open or
	// waiting, has nothing to say.
	empty, err := ops.New(ops.Config{Roster: f.roster, Store: cadencetest.NewStore(), Clock: f.clock})
	require.NoError(t, err)
	secs, err = dashboard.DigestSections(f.ctx, r, dashboard.OpsSections(empty, f.roster, f.clock))
	require.NoError(t, err)
	assert.Empty(t, secs)
}

// Fifteen follow-ups nearly a year overdue: the digest lists the ten
// longest overdue, says how many more there are, and rounds their ages.
func TestDigestOverdueListIsCappedAndRounded(t *testing.T) {
	f := newOpsFixture(t)
	for i := range 13 {
		f.ok(f.ops.AddFollowUp(f.ctx, "lea", ops.FollowUpInput{Incident: "INC-1", Title: fmt.Sprintf("item %d", i+1), Owner: "bo", Due: day(20)}))
	}
	f.clock.Set(time.Date(2027, 10, 25, 9, 0, 0, 0, time.UTC))
	r := &cadence.Report{From: time.Date(2027, 10, 18, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 10, 25, 0, 0, 0, 0, time.UTC)}
	secs, err := dashboard.DigestSections(f.ctx, r, f.sections)
	require.NoError(t, err)
	require.NotEmpty(t, secs)
	lines := secs[0].Lines
	assert.Equal(t, "14 open, 14 overdue.", lines[0])
	require.Len(t, lines, 12, "the head, ten follow-ups, and how many more")
	assert.Equal(t, "FU-2 backfill features (INC-1) · Bo · due 2026-11-06, 11 months overdue.", lines[1])
	assert.Equal(t, "…and 4 more on the dashboard's follow-ups page.", lines[11])
	for _, l := range lines {
		assert.NotRegexp(t, `\dd \d+h`, l)
	}
}

func TestSectionsAreListedInTheNavigation(t *testing.T) {
	h := newOpsFixture(t).handler()
	page := getOK(t, h, "/"+opsWeek)
	for _, s := range []string{"Follow-ups", "Incidents", "Release lane"} {
		assert.Contains(t, page, s)
	}
	assert.Equal(t, http.StatusNotFound, get(t, h, "/api/s/followups/nope.csv").Code)
}

// An incident title typed in chat as a formula is text in incidents.csv.
func TestIncidentsCSVNeutralisesFormulas(t *testing.T) {
	f := newOpsFixture(t)
	f.ok(f.ops.OpenIncident(f.ctx, "lea", ops.IncidentInput{Title: `=HYPERLINK("https://evil.example","runbook")`, Severity: 2}))
	incs := getCSV(t, f.handler(), "/api/s/incidents/incidents.csv?from=2026-11-02&to=2026-11-08")
	var titles []string
	for _, r := range incs[1:] {
		titles = append(titles, r[1])
	}
	assert.Contains(t, titles, `'=HYPERLINK("https://evil.example","runbook")`)
	for _, r := range incs {
		for _, c := range r {
			assert.NotRegexp(t, `^[=+@]`, c)
		}
	}
}

// After Ana hands her work to Bo, "monitoring" keeps its record: Bo
// holds it, INC-1 moved to him still counts, Ana's shipped REL-2 stays,
// and the hand-over is its history. (Bo's own items count under it too:
// he serves it now.)
func TestCapabilitySection(t *testing.T) {
	f := newOpsFixture(t)
	f.at(7, 13)
	f.ok(f.ops.Handover(f.ctx, "lea", "ana", "bo"))
	h := f.handler()
	page := getOK(t, h, "/s/capabilities"+opsWeek)
	assert.Equal(t, [][]string{
		{"capability", "owners", "followups_open", "incidents", "shipped", "handovers", "last_handover"},
		{"monitoring", "Bo", "1", "2", "2", "1", "2026-11-07"},
		{"release", "Bo", "1", "2", "1", "0", ""},
	}, pageTable(t, page, "capabilities"))
	assert.Equal(t, [][]string{
		{"capability", "id", "title", "owner", "due"},
		{"monitoring", "FU-2", "backfill features", "bo", "2026-11-06"},
		{"release", "FU-2", "backfill features", "bo", "2026-11-06"},
	}, pageTable(t, page, "capability-followups"))
	assert.Equal(t, [][]string{
		{"capability", "date", "from", "to", "by", "moved"},
		{"monitoring", "2026-11-07", "ana", "bo", "lea", "INC-1"},
	}, pageTable(t, page, "capability-history"))
	// The capability filter selects Ana (monitoring on the roster): her
	// capability shows, through its hand-over; the CSV is the page's.
	assert.Equal(t, [][]string{
		{"capability", "owners", "followups_open", "incidents", "shipped", "handovers", "last_handover"},
		{"monitoring", "Bo", "1", "2", "2", "1", "2026-11-07"},
	}, getCSV(t, h, "/api/s/capabilities/capabilities.csv"+opsWeek+"&cap=monitoring"))
}
