package bot_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

var zurich = mustLoad("Europe/Zurich")

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// now is Monday 30 Nov 2026 08:00 UTC (09:00 in Zurich).
var now = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

var (
	triage  = &cadence.Ritual{ID: "triage", Title: "Weekly triage"}
	standup = &cadence.Ritual{ID: "standup", Title: "Daily standup"}

	ana   = &cadence.Person{ID: "ana", Name: "Ana", Role: cadence.RoleSpecialist, Location: zurich}
	lena  = &cadence.Person{ID: "lena", Name: "Lena", Role: cadence.RoleLead, Location: zurich}
	max   = &cadence.Person{ID: "max", Name: "Max", Role: cadence.RoleManager}
	admin = &cadence.Person{ID: "root", Name: "Root", Role: cadence.RoleAdmin, Location: zurich}
)

func newFake() *fakeService { return &fakeService{rituals: []*cadence.Ritual{triage, standup}} }

func TestExecute(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		actor *cadence.Person
		setup func(*testing.T, *fakeService)
		want  bot.Reply
		calls []string
	}{
		{
			name: "pause by lead", text: "pause standup", actor: lena,
			setup: func(t *testing.T, f *fakeService) {
				f.PauseFn = func(_ context.Context, actor, ritual string) error {
					assert.Equal(t, "lena", actor)
					assert.Equal(t, "standup", ritual)
					return nil
				}
			},
			want:  bot.Reply{Title: "Paused Daily standup", Lines: []string{"Daily standup will not open until someone runs /cadence resume standup."}},
			calls: []string{"Pause"},
		},
		{
			name: "resume by admin, ritual id in another case", text: "resume STANDUP", actor: admin,
			setup: func(t *testing.T, f *fakeService) {
				f.ResumeFn = func(_ context.Context, actor, ritual string) error {
					assert.Equal(t, "standup", ritual)
					return nil
				}
			},
			want:  bot.Reply{Title: "Resumed Daily standup", Lines: []string{"Daily standup opens again at its next scheduled time."}},
			calls: []string{"Resume"},
		},
		{
			name: "skip the open occurrence with a reason", text: "skip triage team offsite", actor: lena,
			setup: func(t *testing.T, f *fakeService) {
				f.SkipFn = func(_ context.Context, actor, ritual, reason string) (*cadence.SkipResult, error) {
					assert.Equal(t, "team offsite", reason)
					return &cadence.SkipResult{OccurrenceID: "triage@20261130T083000Z", Scheduled: time.Date(2026, 11, 30, 8, 30, 0, 0, time.UTC)}, nil
				}
			},
			want: bot.Reply{Title: "Skipped Weekly triage", Lines: []string{
				"The Weekly triage of Mon 30 Nov 09:30 CET is skipped; participants are not expected to answer.",
				"Reason: team offsite",
			}},
			calls: []string{"Skip"},
		},
		{
			name: "skip the next occurrence", text: "skip triage", actor: lena,
			setup: func(t *testing.T, f *fakeService) {
				f.SkipFn = func(context.Context, string, string, string) (*cadence.SkipResult, error) {
					return &cadence.SkipResult{Next: true, Scheduled: time.Date(2026, 12, 7, 8, 30, 0, 0, time.UTC)}, nil
				}
			},
			want: bot.Reply{Title: "Skipped Weekly triage", Lines: []string{
				"The next Weekly triage (Mon 7 Dec 09:30 CET) will be skipped; participants will not be prompted.",
			}},
			calls: []string{"Skip"},
		},
		{
			name: "pause refused for a specialist", text: "pause standup", actor: ana,
			want: bot.Reply{Title: "Sorry", Failed: true, Lines: []string{"Pause: only leads and admins can pause a ritual; you are a specialist"}},
		},
		{
			name: "skip refused for a manager", text: "skip triage", actor: max,
			want: bot.Reply{Title: "Sorry", Failed: true, Lines: []string{"Skip: only leads and admins can skip a ritual; you are a manager"}},
		},
		{
			name: "resume refused for a specialist", text: "resume standup", actor: ana,
			want: bot.Reply{Title: "Sorry", Failed: true, Lines: []string{"Resume: only leads and admins can resume a ritual; you are a specialist"}},
		},
		{
			name: "report refused for a specialist", text: "report", actor: ana,
			want: bot.Reply{Title: "Sorry", Failed: true, Lines: []string{"Report: only leads, managers and admins can read the team report; you are a specialist. /cadence status shows your own prompts"}},
		},
		{
			name: "unknown ritual lists the known ones", text: "pause retro", actor: lena,
			want: bot.Reply{Title: "Sorry", Failed: true, Lines: []string{`Pause: there is no ritual "retro"; known rituals: triage, standup`}},
		},
		{
			name: "the service refusing is shown, not logged", text: "pause standup", actor: lena,
			setup: func(t *testing.T, f *fakeService) {
				f.PauseFn = func(context.Context, string, string) error {
					return fmt.Errorf("standup is already paused: %w", cadence.ErrConflict)
				}
			},
			want:  bot.Reply{Title: "Sorry", Failed: true, Lines: []string{"Pause: standup is already paused: conflict"}},
			calls: []string{"Pause"},
		},
		{
			name: "usage error comes with the usage line", text: "ooo 2026-12-01", actor: ana,
			want: bot.Reply{Title: "Sorry", Failed: true, Lines: []string{
				`Ooo: want two dates YYYY-MM-DD, got "2026-12-01"`,
				"Usage: ooo FROM TO [note] | list | cancel [DAY] — for example /cadence ooo 2026-12-21 2027-01-02 holidays",
			}},
		},
		{
			name: "ooo for anyone", text: "ooo 2026-12-21 2027-01-02 winter break", actor: ana,
			setup: func(t *testing.T, f *fakeService) {
				f.SetOOOFn = func(_ context.Context, person string, r cadence.DateRange) error {
					assert.Equal(t, "ana", person)
					assert.Equal(t, cadence.DateRange{From: date("2026-12-21"), To: date("2027-01-02"), Note: "winter break"}, r)
					return nil
				}
			},
			want: bot.Reply{Title: "Out of office Mon 21 Dec 2026 to Sat 2 Jan 2027", Lines: []string{
				"You will not be prompted from Mon 21 Dec 2026 to Sat 2 Jan 2027 (both included, Europe/Zurich).",
				"/cadence ooo list shows your days off; /cadence ooo cancel 2026-12-21 takes this back.",
			}},
			calls: []string{"SetOutOfOffice"},
		},
		{
			name: "ooo list", text: "ooo list", actor: ana,
			setup: func(t *testing.T, f *fakeService) {
				f.StatusFn = func(context.Context, string) (*cadence.PersonStatus, error) {
					return &cadence.PersonStatus{OutOfOffice: []cadence.DateRange{
						{From: date("2026-11-30"), To: date("2026-11-30"), Note: "from the prompt's button"},
						{From: date("2026-12-21"), To: date("2027-01-02")},
					}}, nil
				}
			},
			want: bot.Reply{Title: "Your days out of office", Lines: []string{
				"Mon 30 Nov 2026 (from the prompt's button)", "Mon 21 Dec 2026 to Sat 2 Jan 2027",
			}},
			calls: []string{"Status"},
		},
		{
			name: "ooo cancel a day", text: "ooo cancel 2026-12-22", actor: ana,
			setup: func(t *testing.T, f *fakeService) {
				f.CancelOOOFn = func(_ context.Context, person string, day cadence.Date) (cadence.DateRange, error) {
					assert.Equal(t, "ana", person)
					assert.Equal(t, date("2026-12-22"), day)
					return cadence.DateRange{From: date("2026-12-21"), To: date("2027-01-02")}, nil
				}
			},
			want: bot.Reply{Title: "Cancelled: out of office Mon 21 Dec 2026 to Sat 2 Jan 2027", Lines: []string{
				"You will be prompted again on those days. Rituals already open that excused you stay excused; you can still answer them.",
			}},
			calls: []string{"CancelOutOfOffice"},
		},
		{
			name: "ooo cancel with nothing to cancel", text: "ooo cancel", actor: ana,
			setup: func(t *testing.T, f *fakeService) {
				f.CancelOOOFn = func(context.Context, string, cadence.Date) (cadence.DateRange, error) {
					return cadence.DateRange{}, fmt.Errorf("you have no out-of-office day from today (2026-11-30) on: %w", cadence.ErrNotFound)
				}
			},
			want: bot.Reply{Title: "Sorry", Failed: true, Lines: []string{
				"Ooo: you have no out-of-office day from today (2026-11-30) on: not found",
			}},
			calls: []string{"CancelOutOfOffice"},
		},
		{
			name: "ooo today is accepted", text: "ooo 2026-11-30 2026-11-30", actor: ana,
			setup: func(t *testing.T, f *fakeService) {
				f.SetOOOFn = func(context.Context, string, cadence.DateRange) error { return nil }
			},
			want: bot.Reply{Title: "Out of office Mon 30 Nov 2026", Lines: []string{
				"You will not be prompted from Mon 30 Nov 2026 to Mon 30 Nov 2026 (both included, Europe/Zurich).",
				"/cadence ooo list shows your days off; /cadence ooo cancel 2026-11-30 takes this back.",
			}},
			calls: []string{"SetOutOfOffice"},
		},
		{
			name: "ooo in the past is refused", text: "ooo 2026-11-01 2026-11-29", actor: ana,
			want: bot.Reply{Title: "Sorry", Failed: true, Lines: []string{
				"Ooo: Sun 29 Nov 2026 is in the past (today is Mon 30 Nov 2026 in Europe/Zurich)",
				"Usage: ooo FROM TO [note] | list | cancel [DAY] — for example /cadence ooo 2026-12-21 2027-01-02 holidays",
			}},
		},
		{
			name: "not on the roster", text: "status", actor: nil,
			want: bot.Reply{Title: "Sorry", Failed: true, Lines: []string{"Status: you are not on the cadencebot roster; ask an admin to add you"}},
		},
		{
			name: "status", text: "status", actor: ana,
			setup: func(t *testing.T, f *fakeService) {
				f.StatusFn = func(_ context.Context, person string) (*cadence.PersonStatus, error) {
					assert.Equal(t, "ana", person)
					return &cadence.PersonStatus{
						Pending: []cadence.PendingPrompt{
							{Occurrence: &cadence.Occurrence{ID: "triage@x", RitualID: "triage"}, Ritual: triage, ClosesAt: now.Add(3*time.Hour + 30*time.Minute)},
							{Occurrence: &cadence.Occurrence{ID: "standup@x", RitualID: "standup"}, Ritual: standup, Answered: true, ClosesAt: now.Add(45 * time.Minute)},
						},
						Late: []cadence.PendingPrompt{
							{Occurrence: &cadence.Occurrence{ID: "triage@y", RitualID: "triage", Scheduled: now.Add(-7 * 24 * time.Hour)}, Ritual: triage,
								ClosesAt: now.Add(-7*24*time.Hour + 4*time.Hour), LateUntil: now.Add(4 * time.Hour)},
						},
						Upcoming: []cadence.Upcoming{
							{Ritual: standup, At: time.Date(2026, 12, 1, 8, 15, 0, 0, time.UTC)},
							{Ritual: triage, At: time.Date(2026, 12, 7, 8, 30, 0, 0, time.UTC), Paused: true},
						},
					}, nil
				}
			},
			want: bot.Reply{Title: "Your cadence", Sections: []cadence.Section{
				{Heading: "Waiting for your answer", Lines: []string{
					"Weekly triage — closes Mon 30 Nov 12:30 CET (in 3h30m)",
					"Daily standup — answered; you can edit it until Mon 30 Nov 09:45 CET (in 45m)",
				}},
				{Heading: "You can still answer late", Lines: []string{
					"Weekly triage of Mon 23 Nov 09:00 CET — closed Mon 23 Nov 13:00 CET; a late answer is taken until Mon 30 Nov 13:00 CET",
				}},
				{Heading: "Your next rituals", Lines: []string{
					"Daily standup — Tue 1 Dec 09:15 CET",
					"Weekly triage — Mon 7 Dec 09:30 CET (paused)",
				}},
			}},
			calls: []string{"Status"},
		},
		{
			name: "status shows out of office", text: "status", actor: ana,
			setup: func(t *testing.T, f *fakeService) {
				away := cadence.DateRange{From: date("2026-12-01"), To: date("2026-12-02"), Note: "offsite"}
				f.StatusFn = func(context.Context, string) (*cadence.PersonStatus, error) {
					return &cadence.PersonStatus{
						Upcoming: []cadence.Upcoming{
							{Ritual: standup, At: time.Date(2026, 12, 1, 8, 15, 0, 0, time.UTC), Away: &away},
							{Ritual: triage, At: time.Date(2026, 12, 7, 8, 30, 0, 0, time.UTC)},
						},
						OutOfOffice: []cadence.DateRange{away},
					}, nil
				}
			},
			want: bot.Reply{Title: "Your cadence", Sections: []cadence.Section{
				{Heading: "Waiting for your answer", Lines: []string{"Nothing is waiting for you."}},
				{Heading: "Your next rituals", Lines: []string{
					"Daily standup — Tue 1 Dec 09:15 CET (you are out of office: no prompt)",
					"Weekly triage — Mon 7 Dec 09:30 CET",
				}},
				{Heading: "Out of office", Lines: []string{"Tue 1 Dec 2026 to Wed 2 Dec 2026 (offsite)"}},
			}},
			calls: []string{"Status"},
		},
		{
			name: "status with nothing", text: "status", actor: ana,
			setup: func(t *testing.T, f *fakeService) {
				f.StatusFn = func(context.Context, string) (*cadence.PersonStatus, error) { return &cadence.PersonStatus{}, nil }
			},
			want: bot.Reply{Title: "Your cadence", Sections: []cadence.Section{
				{Heading: "Waiting for your answer", Lines: []string{"Nothing is waiting for you."}},
				{Heading: "Your next rituals", Lines: []string{"You are not a participant of any ritual."}},
			}},
			calls: []string{"Status"},
		},
		{
			name: "report for a manager without a zone", text: "report", actor: max,
			setup: func(t *testing.T, f *fakeService) {
				f.ReportFn = func(_ context.Context, q cadence.ReportQuery) (*cadence.Report, error) {
					assert.Equal(t, cadence.ReportQuery{From: now.AddDate(0, 0, -28), To: now}, q)
					return &cadence.Report{
						Team: cadence.Tally{Score: 87.4, Answered: 42, Expected: 48, AnsweredOnTime: 39, Held: 12, Missed: 1, Skipped: 1, MedianLatency: 65 * time.Minute},
						Rituals: []cadence.RitualAdherence{
							{RitualID: "triage", Title: "Weekly triage", Tally: cadence.Tally{Score: 90, Answered: 10, Expected: 12, AnsweredOnTime: 9, Held: 4, MedianLatency: 26 * time.Hour}},
							{RitualID: "standup", Tally: cadence.Tally{Score: 50.5, Answered: 1, Expected: 2, Held: 1}},
						},
					}, nil
				}
			},
			want: bot.Reply{Title: "Team adherence, last 4 weeks",
				Lines: []string{
					"Mon 2 Nov 2026 to Mon 30 Nov 2026",
					"Team score 87 · 42/48 answered, 39 on time · 12 held, 1 missed, 1 skipped · median answer after 1h5m",
				},
				Sections: []cadence.Section{{Heading: "Per ritual", Lines: []string{
					"Weekly triage: score 90 · 10/12 answered, 9 on time · 4 held · median answer after 1d2h",
					"standup: score 50 · 1/2 answered, 0 on time · 1 held",
				}}}},
			calls: []string{"Report"},
		},
		{
			name: "report with no rituals", text: "report", actor: lena,
			setup: func(t *testing.T, f *fakeService) {
				f.ReportFn = func(context.Context, cadence.ReportQuery) (*cadence.Report, error) { return &cadence.Report{}, nil }
			},
			want: bot.Reply{Title: "Team adherence, last 4 weeks",
				Lines:    []string{"Mon 2 Nov 2026 to Mon 30 Nov 2026", "Team score 0 · 0/0 answered, 0 on time · 0 held"},
				Sections: []cadence.Section{{Heading: "Per ritual", Lines: []string{"No ritual was scheduled in this period."}}}},
			calls: []string{"Report"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			if tt.setup != nil {
				tt.setup(t, f)
			}
			got, err := bot.Run(context.Background(), f, tt.actor, tt.text, now)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.calls, f.calls, "service calls")
		})
	}
}

func TestExecuteReturnsTypedErrors(t *testing.T) {
	f := newFake()
	_, err := bot.Execute(context.Background(), f, ana, bot.Command{Verb: bot.VerbPause, Ritual: "standup"}, now)
	assert.ErrorIs(t, err, cadence.ErrForbidden)
	_, err = bot.Execute(context.Background(), f, lena, bot.Command{Verb: bot.VerbPause, Ritual: "nope"}, now)
	assert.ErrorIs(t, err, cadence.ErrNotFound)
	assert.Empty(t, f.calls)
}

func TestRunHidesFaultsOfTheBot(t *testing.T) {
	f := newFake()
	boom := errors.New("bbolt: database not open")
	f.StatusFn = func(context.Context, string) (*cadence.PersonStatus, error) { return nil, boom }
	got, err := bot.Run(context.Background(), f, ana, "status", now)
	require.ErrorIs(t, err, boom, "the adapter gets the fault to log")
	assert.True(t, got.Failed)
	assert.Equal(t, "Something went wrong", got.Title)
	assert.NotContains(t, got.String(), "bbolt")
}

func TestRunUnknownVerbShowsHelp(t *testing.T) {
	got, err := bot.Run(context.Background(), newFake(), ana, "/cadence frobnicate", now)
	require.NoError(t, err)
	assert.True(t, got.Failed)
	assert.Equal(t, `I don't know the command "frobnicate". Here is what I understand:`, got.Lines[0])
	assert.Equal(t, bot.HelpReply("").Lines, got.Lines[1:])
}

func TestHelpListsEveryVerbWithAnExample(t *testing.T) {
	help, err := bot.Run(context.Background(), newFake(), nil, "help", now)
	require.NoError(t, err)
	assert.False(t, help.Failed)
	text := help.String()
	for _, v := range []bot.Verb{bot.VerbHelp, bot.VerbStatus, bot.VerbSkip, bot.VerbOOO, bot.VerbPause, bot.VerbResume, bot.VerbReport} {
		u, ok := bot.UsageOf(v)
		require.True(t, ok, v)
		assert.Contains(t, text, u.Syntax+" — ")
		assert.Contains(t, text, "Example: /cadence "+string(v))
		// Every example must parse to its own verb.
		cmd, err := bot.ParseCommand(u.Example)
		require.NoError(t, err, u.Example)
		assert.Equal(t, v, cmd.Verb, u.Example)
	}
	assert.Contains(t, text, "pause RITUAL — Stop a ritual from opening until it is resumed. (leads and admins only)")
}

func TestReplyBody(t *testing.T) {
	r := bot.Reply{Title: "T", Lines: []string{"a", "b"}, Sections: []cadence.Section{{Heading: "H", Lines: []string{"c"}}}}
	assert.Equal(t, cadence.Body{Title: "T", Text: "a", Sections: []cadence.Section{{Lines: []string{"a", "b"}}, {Heading: "H", Lines: []string{"c"}}}}, r.Body())
	assert.Equal(t, "T\na\nb\n\nH\n• c", r.String())
}
