package cadence

import (
	"errors"
	"fmt"
	"time"
)

// DefaultLateAnswerGrace is how long after a person's close time a first
// answer is still accepted (counted late) unless the engine is configured
// otherwise.
const DefaultLateAnswerGrace = 7 * 24 * time.Hour

// AnswerMode is what a person can do about one occurrence at an instant.
type AnswerMode string

const (
	AnswerNew      AnswerMode = "new"       // open, not answered yet
	AnswerEdit     AnswerMode = "edit"      // answered; editable until their close
	AnswerLate     AnswerMode = "late"      // closed for them, not answered: a first answer is still accepted, counted late
	AnswerFinal    AnswerMode = "final"     // answered and closed: the answer stands
	AnswerExpired  AnswerMode = "expired"   // closed, not answered, too long ago for a late answer
	AnswerSkipped  AnswerMode = "skipped"   // the occurrence was skipped: nothing to answer
	AnswerMissed   AnswerMode = "missed"    // the bot was down for the whole window
	AnswerNotAsked AnswerMode = "not-asked" // the person is neither expected nor excused
)

// AnswerState is what a person can do about an occurrence, with the
// instants that bound it.
type AnswerState struct {
	Mode      AnswerMode
	ClosesAt  time.Time // the person's own close
	LateUntil time.Time // the last instant a first late answer is accepted
}

// CanSubmit reports whether an answer would be accepted now.
func (s AnswerState) CanSubmit() bool {
	return s.Mode == AnswerNew || s.Mode == AnswerEdit || s.Mode == AnswerLate
}

// AnswerStateAt is the one place the answering rules live: SubmitAnswer
// enforces them and adapters use them to decide which form or button to
// offer. answered says whether the person has an answer stored.
//
// A skipped or missed occurrence says so before anything else, so someone
// answering an occurrence skipped in advance (never asked, so not
// "expected") learns it was skipped.
func AnswerStateAt(o *Occurrence, person string, answered bool, now time.Time, grace time.Duration) AnswerState {
	closeAt := o.PersonCloseAt(person)
	s := AnswerState{ClosesAt: closeAt, LateUntil: closeAt.Add(grace)}
	_, excused := o.Excused[person]
	closed := o.Status != StatusOpen || !now.Before(closeAt)
	switch {
	case o.Status == StatusSkipped:
		s.Mode = AnswerSkipped
	case o.Status == StatusMissed:
		s.Mode = AnswerMissed
	case !o.IsExpected(person) && !excused:
		s.Mode = AnswerNotAsked
	case answered && closed:
		s.Mode = AnswerFinal
	case answered:
		s.Mode = AnswerEdit
	case !closed:
		s.Mode = AnswerNew
	case now.After(s.LateUntil):
		s.Mode = AnswerExpired
	default:
		s.Mode = AnswerLate
	}
	return s
}

// Refusal is a refusal worded for the person who caused it: Error is a
// sentence fit to show them; Unwrap gives the sentinel (ErrClosed, ...)
// adapters map to statuses.
type Refusal struct {
	Text string
	Err  error
}

func (r *Refusal) Error() string { return r.Text }
func (r *Refusal) Unwrap() error { return r.Err }

// RefusalText returns the sentence of a Refusal in err's chain.
func RefusalText(err error) (string, bool) {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Text, true
	}
	return "", false
}

// refusal explains why s does not take an answer, or nil when it does.
// title names the ritual, loc is the person's zone, name words a person.
func (s AnswerState) refusal(o *Occurrence, person, title string, loc *time.Location, name func(string) string) error {
	at := func(t time.Time) string { return t.In(loc).Format(TimeLayout) }
	switch s.Mode {
	case AnswerSkipped:
		text := fmt.Sprintf("%s of %s was skipped", title, at(o.Scheduled))
		if o.SkipReason != "" {
			text += " (" + o.SkipReason
			if o.SkippedBy != "" {
				text += ", by " + name(o.SkippedBy)
			}
			text += ")"
		}
		return &Refusal{Text: text + ", so there is nothing to answer.", Err: ErrClosed}
	case AnswerMissed:
		return &Refusal{Text: fmt.Sprintf("%s of %s was missed while cadencebot was down, so it takes no answers.", title, at(o.Scheduled)), Err: ErrClosed}
	case AnswerNotAsked:
		return fmt.Errorf("%s is not asked to answer %s: %w", person, o.ID, ErrForbidden)
	case AnswerFinal:
		return &Refusal{Text: fmt.Sprintf("Your answer to %s can no longer be edited: it closed %s.", title, at(s.ClosesAt)), Err: ErrClosed}
	case AnswerExpired:
		return &Refusal{Text: fmt.Sprintf("%s closed %s, too long ago for a late answer (they are accepted until %s).",
			title, at(s.ClosesAt), at(s.LateUntil)), Err: ErrClosed}
	}
	return nil
}

// LateAnswerGrace is how long after a person's close a first answer is
// still accepted.
func (e *Engine) LateAnswerGrace() time.Duration { return e.grace }

// LateAnswerGraceOf is svc's late-answer grace: its own when it says
// (the Engine does), else DefaultLateAnswerGrace.
func LateAnswerGraceOf(svc any) time.Duration {
	if g, ok := svc.(interface{ LateAnswerGrace() time.Duration }); ok {
		return g.LateAnswerGrace()
	}
	return DefaultLateAnswerGrace
}

// AnswerStateFor is AnswerStateAt for person, with answered read from
// answers and the grace from svc: what adapters call after
// Service.Occurrence.
func AnswerStateFor(svc Service, o *Occurrence, answers []*Answer, person string, now time.Time) AnswerState {
	answered := false
	for _, a := range answers {
		answered = answered || a.PersonID == person
	}
	return AnswerStateAt(o, person, answered, now, LateAnswerGraceOf(svc))
}

// CheckAnswer is what adapters ask before offering a form: what person
// may do about o now and, when they may not answer, why, in words fit to
// show them (a *Refusal; ErrForbidden when they were never asked).
func CheckAnswer(svc Service, r *Ritual, o *Occurrence, answers []*Answer, person *Person, now time.Time) (AnswerState, error) {
	st := AnswerStateFor(svc, o, answers, person.ID, now)
	loc := person.Location
	if loc == nil {
		loc = r.Zone()
	}
	name := func(id string) string {
		if p := svc.Roster().Person(id); p != nil && p.Name != "" {
			return p.Name
		}
		return id
	}
	return st, st.refusal(o, person.ID, r.Title, loc, name)
}
