package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// The person controls of a prompt, shared by every adapter: the snooze
// buttons and the out-of-office form the "I'm out of office…" button
// opens. Adapters draw the buttons and the form their way and call these
// with what was clicked or typed; the words come back in the person's
// language.

// Inputs of the out-of-office form: Slack block and action ids, Teams
// input ids, HTML form field names, and the keys of its FieldErrors.
const (
	OOOFieldFrom = "ooo_from"
	OOOFieldTo   = "ooo_to"
	OOOFieldNote = "ooo_note"
)

// maxOOONote bounds the note of a range, as a chat input would.
const maxOOONote = 200

// SnoozeResult is what a snooze click did, worded for the person.
type SnoozeResult struct {
	Text  string
	Until time.Time // zero when nothing was snoozed
}

// Snoozed reports whether the prompt was put off.
func (r SnoozeResult) Snoozed() bool { return !r.Until.IsZero() }

// SnoozeClick puts off person's prompt for occID as the snooze button
// actionID asks. A refusal (closed, answered, too many snoozes) is a
// result whose Text says why and nothing changed; err is a fault of the
// bot only.
func SnoozeClick(ctx context.Context, svc cadence.Service, p *cadence.Person, occID, actionID string) (SnoozeResult, error) {
	d, ok := cadence.SnoozeOfAction(actionID)
	if !ok {
		return SnoozeResult{}, fmt.Errorf("snooze: %q is not a snooze button: %w", actionID, cadence.ErrInvalidInput)
	}
	sn, ok := svc.(cadence.Snoozer)
	if !ok {
		return SnoozeResult{}, fmt.Errorf("snooze: this bot cannot snooze prompts: %w", cadence.ErrInvalidInput)
	}
	lang := svc.Roster().LanguageOf(p.ID)
	title := occID
	if r := ritualOfOccurrence(svc, occID); r != nil {
		title = r.Title
	}
	until, err := sn.SnoozePrompt(ctx, occID, p.ID, d)
	switch {
	case err == nil:
	case errors.Is(err, cadence.ErrClosed):
		return SnoozeResult{Text: cadence.UIText(lang, "person_snooze.closed", "Ritual", title)}, nil
	case errors.Is(err, cadence.ErrConflict) && answered(ctx, svc, occID, p.ID):
		return SnoozeResult{Text: cadence.UIText(lang, "person_snooze.answered", "Ritual", title)}, nil
	case IsUserError(err):
		if t, ok := cadence.RefusalText(err); ok {
			return SnoozeResult{Text: t}, nil
		}
		return SnoozeResult{Text: err.Error()}, nil
	default:
		return SnoozeResult{}, err
	}
	loc := locOf(p)
	text := cadence.UIText(lang, "person_snooze.done", "Ritual", title, "Until", cadence.UITime(lang, until, loc))
	if occ, _, err := svc.Occurrence(ctx, occID); err == nil && !until.Before(occ.PersonCloseAt(p.ID)) {
		text += " " + cadence.UIText(lang, "person_snooze.late", "Close", cadence.UITime(lang, occ.PersonCloseAt(p.ID), loc))
	}
	return SnoozeResult{Text: text, Until: until}, nil
}

func answered(ctx context.Context, svc cadence.Service, occID, person string) bool {
	_, answers, err := svc.Occurrence(ctx, occID)
	if err != nil {
		return false
	}
	for _, a := range answers {
		if a.PersonID == person {
			return true
		}
	}
	return false
}

func ritualOfOccurrence(svc cadence.Service, occID string) *cadence.Ritual {
	rid, _, err := cadence.ParseOccurrenceID(occID)
	if err != nil {
		return nil
	}
	return svc.Ritual(rid)
}

func locOf(p *cadence.Person) *time.Location {
	if p == nil || p.Location == nil {
		return time.UTC
	}
	return p.Location
}

// OOOForm is the out-of-office form as typed: dates YYYY-MM-DD (what
// Slack's datepicker, Teams' Input.Date and <input type=date> send).
type OOOForm struct {
	From, To, Note string
}

// OOOFormFor is the form as it first shows for p: from and to today in
// their zone.
func OOOFormFor(p *cadence.Person, now time.Time) OOOForm {
	today := cadence.DateOf(now.In(locOf(p))).String()
	return OOOForm{From: today, To: today}
}

// OOOText words the form's labels for p: title, intro, from, to, note,
// note_hint, save.
func OOOText(svc cadence.Service, p *cadence.Person, id string) string {
	lang := svc.Roster().LanguageOf(p.ID)
	return cadence.UIText(lang, "person_ooo."+id, "Zone", locOf(p).String())
}

// OOOResult is a recorded out-of-office range, worded for the person.
type OOOResult struct {
	Range cadence.DateRange
	Text  string
	// Excused is true when the prompt the form came from is excused now.
	Excused bool
}

// SubmitOOO checks the form with the rules of `/cadence ooo` (two dates,
// the last not before the first, at most a year, not over already) and
// records the range through the same SetOutOfOffice: open prompts that
// fall in it excuse the person. FieldErrors (keyed by the OOOField
// names, in the person's language) come back for a form to show next to
// its inputs; other errors are faults or refusals to show as they are.
// occID, when set, is the prompt the form came from.
func SubmitOOO(ctx context.Context, svc cadence.Service, p *cadence.Person, occID string, f OOOForm, now time.Time) (OOOResult, error) {
	lang := svc.Roster().LanguageOf(p.ID)
	t := func(id string, kv ...any) string { return cadence.UIText(lang, "person_ooo."+id, kv...) }
	loc := locOf(p)
	today := cadence.DateOf(now.In(loc))
	fe := cadence.FieldErrors{}
	day := func(field, s string) cadence.Date {
		s = strings.TrimSpace(s)
		if s == "" {
			fe[field] = t("err_required")
			return cadence.Date{}
		}
		d, err := cadence.ParseDate(s)
		if err != nil {
			fe[field] = t("err_date", "Value", s)
		}
		return d
	}
	from, to := day(OOOFieldFrom, f.From), day(OOOFieldTo, f.To)
	switch {
	case len(fe) > 0:
	case to.Before(from):
		fe[OOOFieldTo] = t("err_order", "From", cadence.UIDate(lang, from))
	case to.Before(today):
		fe[OOOFieldTo] = t("err_past", "Today", cadence.UIDate(lang, today))
	case oooDays(from, to) > maxOOODays:
		fe[OOOFieldTo] = t("err_too_long", "Days", oooDays(from, to), "Max", maxOOODays)
	}
	note := strings.TrimSpace(f.Note)
	if len([]rune(note)) > maxOOONote {
		fe[OOOFieldNote] = fmt.Sprintf("%d/%d", len([]rune(note)), maxOOONote)
	}
	if len(fe) > 0 {
		return OOOResult{}, fe
	}
	dr := cadence.DateRange{From: from, To: to, Note: note}
	if err := svc.SetOutOfOffice(ctx, p.ID, dr); err != nil {
		return OOOResult{}, err
	}
	res := OOOResult{Range: dr, Text: t("done", "From", cadence.UIDate(lang, from), "To", cadence.UIDate(lang, to), "Day", from.String())}
	if occID == "" {
		return res, nil
	}
	if o, _, err := svc.Occurrence(ctx, occID); err == nil {
		title := o.RitualID
		if r := svc.Ritual(o.RitualID); r != nil {
			title = r.Title
		}
		_, res.Excused = o.Excused[p.ID]
		switch {
		case res.Excused:
			res.Text += " " + t("excused", "Ritual", title)
		case o.Status == cadence.StatusOpen && !answered(ctx, svc, occID, p.ID):
			res.Text += " " + t("still_open", "Ritual", title)
		}
	}
	return res, nil
}

// oooDays counts the days of a range, both ends included.
func oooDays(from, to cadence.Date) int {
	return int(to.In(time.UTC).Sub(from.In(time.UTC)).Hours()/24) + 1
}
