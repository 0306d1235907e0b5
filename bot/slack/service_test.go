package slack_test

import (
	"context"
	"sync"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// fakeService is a cadence.Service over a fixed roster and rituals that
// records what the adapter asks of it and validates answers like the
// engine (cadence.ValidateResponses).
type fakeService struct {
	mu       sync.Mutex
	roster   *cadence.Roster
	rituals  []*cadence.Ritual
	occs     map[string]*cadence.Occurrence
	answers  map[string]map[string]*cadence.Answer
	declined []string // "occ/person/reason"
	now      func() time.Time
	failNext error
}

var _ cadence.Service = (*fakeService)(nil)

func (f *fakeService) Roster() *cadence.Roster    { return f.roster }
func (f *fakeService) Rituals() []*cadence.Ritual { return f.rituals }
func (f *fakeService) Ritual(id string) *cadence.Ritual {
	for _, r := range f.rituals {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func (f *fakeService) SubmitAnswer(_ context.Context, in cadence.AnswerInput) (*cadence.Answer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failNext; err != nil {
		f.failNext = nil
		return nil, err
	}
	occ := f.occs[in.OccurrenceID]
	if occ == nil {
		return nil, cadence.ErrNotFound
	}
	if occ.Status != cadence.StatusOpen {
		return nil, cadence.ErrClosed
	}
	if !occ.IsExpected(in.PersonID) {
		return nil, cadence.ErrForbidden
	}
	if err := cadence.ValidateResponses(f.Ritual(occ.RitualID), in.Responses); err != nil {
		return nil, err
	}
	a := &cadence.Answer{OccurrenceID: occ.ID, RitualID: occ.RitualID, PersonID: in.PersonID,
		Responses: in.Responses, SubmittedAt: f.now(), UpdatedAt: f.now(), Via: in.Via}
	if prev := f.answers[occ.ID][in.PersonID]; prev != nil {
		a.SubmittedAt, a.Edits = prev.SubmittedAt, prev.Edits+1
	}
	if f.answers[occ.ID] == nil {
		f.answers[occ.ID] = map[string]*cadence.Answer{}
	}
	f.answers[occ.ID][in.PersonID] = a
	return a, nil
}

func (f *fakeService) answer(occ, person string) *cadence.Answer {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.answers[occ][person]
}

func (f *fakeService) Decline(_ context.Context, occ, person, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.occs[occ] == nil {
		return cadence.ErrNotFound
	}
	f.declined = append(f.declined, occ+"/"+person+"/"+reason)
	return nil
}

func (f *fakeService) declines() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.declined...)
}

func (f *fakeService) Skip(context.Context, string, string, string) (*cadence.SkipResult, error) {
	return nil, cadence.ErrForbidden
}
func (f *fakeService) Pause(_ context.Context, actor, _ string) error {
	if p := f.roster.Person(actor); p == nil || !p.Role.CanRunRituals() {
		return cadence.ErrForbidden
	}
	return nil
}
func (f *fakeService) Resume(ctx context.Context, actor, id string) error {
	return f.Pause(ctx, actor, id)
}
func (f *fakeService) SetOutOfOffice(context.Context, string, cadence.DateRange) error {
	return nil
}
func (f *fakeService) CancelOutOfOffice(context.Context, string, cadence.Date) (cadence.DateRange, error) {
	return cadence.DateRange{}, cadence.ErrNotFound
}

func (f *fakeService) Status(_ context.Context, person string) (*cadence.PersonStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.roster.Person(person)
	st := &cadence.PersonStatus{Person: p}
	for _, o := range f.occs {
		if o.Status == cadence.StatusOpen && o.IsExpected(person) {
			st.Pending = append(st.Pending, cadence.PendingPrompt{Occurrence: o, Ritual: f.Ritual(o.RitualID),
				Answered: f.answers[o.ID][person] != nil, ClosesAt: o.ClosesAt})
		}
	}
	for _, r := range f.rituals {
		st.Upcoming = append(st.Upcoming, cadence.Upcoming{Ritual: r, At: r.Schedule.Next(f.now()).In(p.Location)})
	}
	return st, nil
}

func (f *fakeService) Occurrence(_ context.Context, id string) (*cadence.Occurrence, []*cadence.Answer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.occs[id]
	if o == nil {
		return nil, nil, cadence.ErrNotFound
	}
	var as []*cadence.Answer
	for _, a := range f.answers[id] {
		as = append(as, a)
	}
	return o, as, nil
}

func (f *fakeService) Report(context.Context, cadence.ReportQuery) (*cadence.Report, error) {
	return &cadence.Report{}, nil
}
