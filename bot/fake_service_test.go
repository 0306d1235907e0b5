package bot_test

import (
	"context"

	"github.com/cadencebot/cadencebot/cadence"
)

// fakeService implements cadence.Service with function fields; a nil field
// fails the test that reaches it (through errUnexpected).
type fakeService struct {
	rituals        []*cadence.Ritual
	team           string // the team's language
	SubmitAnswerFn func(context.Context, cadence.AnswerInput) (*cadence.Answer, error)
	DeclineFn      func(ctx context.Context, occurrenceID, personID, reason string) error
	SkipFn         func(ctx context.Context, actorID, ritualID, reason string) (*cadence.SkipResult, error)
	PauseFn        func(ctx context.Context, actorID, ritualID string) error
	ResumeFn       func(ctx context.Context, actorID, ritualID string) error
	SetOOOFn       func(ctx context.Context, personID string, r cadence.DateRange) error
	CancelOOOFn    func(ctx context.Context, personID string, day cadence.Date) (cadence.DateRange, error)
	StatusFn       func(ctx context.Context, personID string) (*cadence.PersonStatus, error)
	OccurrenceFn   func(ctx context.Context, id string) (*cadence.Occurrence, []*cadence.Answer, error)
	ReportFn       func(ctx context.Context, q cadence.ReportQuery) (*cadence.Report, error)
	calls          []string
}

var _ cadence.Service = (*fakeService)(nil)

type unexpectedCall string

func (u unexpectedCall) Error() string { return "unexpected call to " + string(u) }

func (f *fakeService) Roster() *cadence.Roster    { return cadence.NewRoster(nil).WithLanguage(f.team) }
func (f *fakeService) Rituals() []*cadence.Ritual { return f.rituals }
func (f *fakeService) Ritual(id string) *cadence.Ritual {
	for _, r := range f.rituals {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func (f *fakeService) SubmitAnswer(ctx context.Context, in cadence.AnswerInput) (*cadence.Answer, error) {
	f.calls = append(f.calls, "SubmitAnswer")
	if f.SubmitAnswerFn == nil {
		return nil, unexpectedCall("SubmitAnswer")
	}
	return f.SubmitAnswerFn(ctx, in)
}

func (f *fakeService) Decline(ctx context.Context, occ, person, reason string) error {
	f.calls = append(f.calls, "Decline")
	if f.DeclineFn == nil {
		return unexpectedCall("Decline")
	}
	return f.DeclineFn(ctx, occ, person, reason)
}

func (f *fakeService) Skip(ctx context.Context, actor, ritual, reason string) (*cadence.SkipResult, error) {
	f.calls = append(f.calls, "Skip")
	if f.SkipFn == nil {
		return nil, unexpectedCall("Skip")
	}
	return f.SkipFn(ctx, actor, ritual, reason)
}

func (f *fakeService) Pause(ctx context.Context, actor, ritual string) error {
	f.calls = append(f.calls, "Pause")
	if f.PauseFn == nil {
		return unexpectedCall("Pause")
	}
	return f.PauseFn(ctx, actor, ritual)
}

func (f *fakeService) Resume(ctx context.Context, actor, ritual string) error {
	f.calls = append(f.calls, "Resume")
	if f.ResumeFn == nil {
		return unexpectedCall("Resume")
	}
	return f.ResumeFn(ctx, actor, ritual)
}

func (f *fakeService) SetOutOfOffice(ctx context.Context, person string, r cadence.DateRange) error {
	f.calls = append(f.calls, "SetOutOfOffice")
	if f.SetOOOFn == nil {
		return unexpectedCall("SetOutOfOffice")
	}
	return f.SetOOOFn(ctx, person, r)
}

func (f *fakeService) CancelOutOfOffice(ctx context.Context, person string, day cadence.Date) (cadence.DateRange, error) {
	f.calls = append(f.calls, "CancelOutOfOffice")
	if f.CancelOOOFn == nil {
		return cadence.DateRange{}, unexpectedCall("CancelOutOfOffice")
	}
	return f.CancelOOOFn(ctx, person, day)
}

func (f *fakeService) Status(ctx context.Context, person string) (*cadence.PersonStatus, error) {
	f.calls = append(f.calls, "Status")
	if f.StatusFn == nil {
		return nil, unexpectedCall("Status")
	}
	return f.StatusFn(ctx, person)
}

func (f *fakeService) Occurrence(ctx context.Context, id string) (*cadence.Occurrence, []*cadence.Answer, error) {
	f.calls = append(f.calls, "Occurrence")
	if f.OccurrenceFn == nil {
		return nil, nil, unexpectedCall("Occurrence")
	}
	return f.OccurrenceFn(ctx, id)
}

func (f *fakeService) Report(ctx context.Context, q cadence.ReportQuery) (*cadence.Report, error) {
	f.calls = append(f.calls, "Report")
	if f.ReportFn == nil {
		return nil, unexpectedCall("Report")
	}
	return f.ReportFn(ctx, q)
}
