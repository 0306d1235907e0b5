package cadence

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Message keys. Every message the engine sends is keyed by what it is
// about, so enqueuing it twice is a no-op and adapters can find it.

// AgendaKey is the key of an occurrence's agenda in the ritual's channel.
func AgendaKey(occurrenceID string) string { return MessageKey("occ", occurrenceID, "agenda") }

// SummaryKey is the key of the summary threaded under the agenda.
func SummaryKey(occurrenceID string) string { return MessageKey("occ", occurrenceID, "summary") }

// PromptKey is the key of a person's prompt.
func PromptKey(occurrenceID, person string) string {
	return MessageKey("occ", occurrenceID, "prompt", person)
}

// ReminderKey is the key of a person's i-th reminder (i counts from the
// earliest reminder).
func ReminderKey(occurrenceID, person string, i int) string {
	return MessageKey("occ", occurrenceID, "reminder", person, strconv.Itoa(i))
}

// ReceiptKey is the key of the receipt for a person's n-th submission
// (0 for the first, then one per edit).
func ReceiptKey(occurrenceID, person string, n int) string {
	return MessageKey("occ", occurrenceID, "receipt", person, strconv.Itoa(n))
}

// TimeLayout shows a time with its zone, for people in many zones.
const TimeLayout = "Mon 2 Jan 15:04 MST"

// composer builds message content. It only formats; what to send and when
// is decided by the planner and the service methods.
type composer struct {
	roster   *Roster
	l        Localizer // words messages in the reader's language
	platform func(r *Ritual) string
	grace    time.Duration // late first answers are accepted this long after a close
}

func (c composer) name(id string) string {
	if p := c.roster.Person(id); p != nil && p.Name != "" {
		return p.Name
	}
	return id
}

// to is how person p is written to: in their language.
func (c composer) to(p string) words { return words{c.l, c.roster.LanguageOf(p)} }

// team is how channel posts are written: in the team's language.
func (c composer) team() words { return words{c.l, c.roster.Language()} }

func (c composer) loc(id string, r *Ritual) *time.Location {
	if p := c.roster.Person(id); p != nil && p.Location != nil {
		return p.Location
	}
	return r.Zone()
}

// mention names a person in a channel message: a clickable mention where
// the platform has one, the name elsewhere.
func (c composer) mention(id string) string { return MentionText(id, c.name(id)) }

func (c composer) mentions(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = c.mention(id)
	}
	return strings.Join(out, ", ")
}

func (c composer) base(r *Ritual, o *Occurrence, kind MessageKind, key string, to Recipient, now time.Time) *Message {
	return &Message{
		Key:           key,
		Kind:          kind,
		Platform:      c.platform(r),
		To:            to,
		RitualID:      r.ID,
		OccurrenceID:  o.ID,
		CreatedAt:     now,
		Revision:      1,
		State:         StatePending,
		NextAttemptAt: now,
	}
}

func (c composer) agenda(r *Ritual, o *Occurrence, extra []Section, now time.Time) *Message {
	m := c.base(r, o, KindAgenda, AgendaKey(o.ID), Recipient{Channel: r.Channel}, now)
	w := c.team()
	loc := r.Zone()
	text := w.t("agenda.open", "Ritual", r.Title, "Close", w.when(o.ClosesAt, loc))
	if r.PerPersonTime {
		text = w.t("agenda.open_per_person", "Ritual", r.Title, "Time", o.Scheduled.In(loc).Format("15:04"), "Window", w.duration(r.Window))
	}
	if o.Late {
		text += " " + w.t("agenda.opened_late", "Due", w.when(o.DueAt, loc))
	}
	var secs []Section
	if o.Facilitator != "" {
		secs = append(secs, Section{Heading: w.t("agenda.facilitator"), Lines: []string{c.mention(o.Facilitator)}})
	}
	if len(o.Expected) > 0 {
		secs = append(secs, Section{Heading: w.t("agenda.asked"), Lines: []string{c.mentions(o.Expected)}})
	}
	if ex := c.excusedLines(o); len(ex) > 0 {
		secs = append(secs, Section{Heading: w.t("agenda.excused"), Lines: ex})
	}
	var qs []string
	for _, q := range r.Questions {
		if !IsChecklistQuestion(q.ID) { // listed under Checklist below
			qs = append(qs, q.In(w.lang).Text)
		}
	}
	secs = append(secs, Section{Heading: w.t("agenda.questions"), Lines: qs})
	if len(r.Checklist) > 0 {
		secs = append(secs, Section{Heading: w.t("agenda.checklist"), Lines: append([]string(nil), r.Checklist...)})
	}
	secs = append(secs, extra...)
	m.Body = Body{
		Title:    w.t("agenda.title", "Ritual", r.Title, "Date", w.date(o.Scheduled, loc)),
		Text:     text,
		Sections: secs,
		Actions:  []Action{{ID: ActionAnswer, Label: w.t("action.answer"), Value: o.ID, Style: "primary"}},
	}
	// An agenda that goes out after the close (an outage) says so.
	late := c.closedAgenda(r, o, m.Body)
	m.StaleAt, m.LateBody = o.ClosesAt, &late
	return m
}

func (c composer) excusedLines(o *Occurrence) []string {
	var out []string
	for _, p := range sortedKeys(o.Excused) {
		out = append(out, fmt.Sprintf("%s: %s", c.mention(p), UserText(o.Excused[p])))
	}
	return out
}

// summary is the thread reply under the agenda, rebuilt whenever an answer
// arrives or the occurrence closes.
func (c composer) summary(r *Ritual, o *Occurrence, answers []*Answer, now time.Time) *Message {
	m := c.base(r, o, KindSummary, SummaryKey(o.ID), Recipient{Channel: r.Channel}, now)
	m.Thread = AgendaKey(o.ID)
	m.Body = c.summaryBody(r, o, answers)
	return m
}

func (c composer) summaryBody(r *Ritual, o *Occurrence, answers []*Answer) Body {
	w := c.team()
	loc := r.Zone()
	byPerson := map[string]*Answer{}
	for _, a := range answers {
		byPerson[a.PersonID] = a
	}
	var blockers, missing []string
	var secs []Section
	answered := 0
	for _, p := range o.Expected {
		a := byPerson[p]
		if a == nil {
			missing = append(missing, p)
			continue
		}
		answered++
		heading := c.mention(p)
		if a.SubmittedAt.After(o.PersonCloseAt(p)) {
			heading += " " + w.t("summary.late_mark")
		}
		entries := c.answerEntries(w, r, a, true)
		for _, q := range r.Questions {
			if t := UserText(strings.TrimSpace(a.Text(q.ID))); q.Blocker && t != "" && !isNone(t) {
				blockers = append(blockers, fmt.Sprintf("%s: %s", c.mention(p), t))
			}
		}
		secs = append(secs, Section{Heading: heading, Entries: entries})
	}
	text := w.t("summary.answered", "Answered", answered, "Expected", len(o.Expected))
	if len(blockers) > 0 {
		text += ", " + w.n("summary.blockers", len(blockers))
	}
	var head []Section
	if len(blockers) > 0 {
		head = append(head, Section{Heading: w.t("summary.blockers_heading"), Lines: blockers})
	}
	if len(r.Checklist) > 0 && o.Status != StatusSkipped {
		sec, tally := c.checklistSection(w, r, o, byPerson)
		text += ", " + w.t("summary.checklist", "Tally", tally.in(w))
		head = append(head, sec)
	}
	if sec, ok := c.tallySection(w, r, o, byPerson); ok {
		head = append(head, sec)
	}
	secs = append(head, secs...)
	var footer string
	switch o.Status {
	case StatusClosed:
		text = w.t("summary.closed", "Text", text)
		footer = w.t("summary.closed_footer", "At", w.when(o.ClosedAt, loc))
		if len(missing) > 0 {
			secs = append(secs, Section{Heading: w.t("summary.did_not_answer"), Lines: []string{c.mentions(missing)}})
		}
	case StatusSkipped:
		text = w.t("summary.skipped", "Reason", UserText(o.SkipReason))
		if o.SkippedBy != "" {
			text += " " + w.t("summary.by", "Name", c.mention(o.SkippedBy))
		}
		footer = w.t("summary.skipped_footer", "At", w.when(o.ClosedAt, loc))
	default:
		footer = w.t("summary.open_footer", "At", w.when(o.ClosesAt, loc))
		if len(missing) > 0 {
			secs = append(secs, Section{Heading: w.t("summary.not_answered_yet"), Lines: []string{c.mentions(missing)}})
		}
	}
	if ex := c.excusedLines(o); len(ex) > 0 {
		secs = append(secs, Section{Heading: w.t("agenda.excused"), Lines: ex})
	}
	return Body{Title: w.t("summary.title", "Ritual", r.Title), Text: text, Sections: secs, Footer: footer}
}

// prompt is a person's prompt; extra sections (their plan last time) go
// above the questions.
func (c composer) prompt(r *Ritual, o *Occurrence, p string, extra []Section, now time.Time) *Message {
	m := c.base(r, o, KindPrompt, PromptKey(o.ID, p), Recipient{Person: p}, now)
	w := c.to(p)
	closeAt := o.PersonCloseAt(p)
	m.Body = Body{
		Title:     r.Title,
		Text:      w.t("prompt.text", "Close", c.at(w, closeAt, p, r)),
		Sections:  extra,
		Questions: QuestionsIn(r.Questions, w.lang),
		Actions:   promptActions(w, o.ID),
	}
	if o.Facilitator != "" {
		m.Body.Footer = w.t("prompt.facilitator", "Name", c.name(o.Facilitator))
	}
	// A prompt that goes out after the person's close (an outage) offers
	// the late answer instead; after that, it is not sent at all.
	late := m.Body.Clone()
	late.Text = w.t("prompt.late", "Close", c.at(w, closeAt, p, r), "Until", c.at(w, closeAt.Add(c.grace), p, r))
	late.Actions = lateActions(w, o.ID)
	m.StaleAt, m.LateBody, m.ExpiresAt = closeAt, &late, closeAt.Add(c.grace)
	return m
}

// at shows t in person p's zone, in words w.
func (c composer) at(w words, t time.Time, p string, r *Ritual) string {
	return w.dateTime(t, c.loc(p, r))
}

// closedAgenda is an agenda's body once its occurrence has closed: the
// same sections, words that stay true, and the late answer the rules
// still allow.
func (c composer) closedAgenda(r *Ritual, o *Occurrence, b Body) Body {
	w := c.team()
	loc := r.Zone()
	out := b.Clone()
	if r.PerPersonTime {
		out.Text = w.t("agenda.closed_per_person", "Ritual", r.Title, "Grace", w.wholeDays(c.grace))
	} else {
		out.Text = w.t("agenda.closed", "Ritual", r.Title, "Close", w.when(o.ClosesAt, loc), "Until", w.when(o.ClosesAt.Add(c.grace), loc))
	}
	if o.Late {
		out.Text += " " + w.t("agenda.opened_late", "Due", w.when(o.DueAt, loc))
	}
	out.Actions = lateActions(w, o.ID)
	return out
}

// skippedAgenda is an agenda's body once its occurrence was skipped.
func (c composer) skippedAgenda(r *Ritual, o *Occurrence, b Body) Body {
	w := c.team()
	out := b.Clone()
	by := ""
	if o.SkippedBy != "" {
		by = " " + w.t("summary.by", "Name", c.mention(o.SkippedBy))
	}
	out.Text = w.t("agenda.skipped", "Ritual", r.Title, "Reason", UserText(o.SkipReason), "By", by)
	out.Actions = nil
	return out
}

func (c composer) reminder(r *Ritual, o *Occurrence, p string, i int, now time.Time) *Message {
	m := c.base(r, o, KindReminder, ReminderKey(o.ID, p, i), Recipient{Person: p}, now)
	w := c.to(p)
	closeAt := o.PersonCloseAt(p)
	left := closeAt.Sub(now)
	m.Body = Body{
		Title:     w.t("reminder.title", "Ritual", r.Title),
		Text:      w.t("reminder.text", "Ritual", r.Title, "Left", w.duration(left), "Close", c.at(w, closeAt, p, r)),
		Questions: QuestionsIn(r.Questions, w.lang),
		Actions:   promptActions(w, o.ID),
	}
	// "closes in 30m" is true for a fifth of the time left (at most 2m);
	// later it names the close only. It is not sent once the next
	// reminder's time has come (that one says it) or after the close.
	late := m.Body.Clone()
	late.Text = w.t("reminder.late", "Ritual", r.Title, "Close", c.at(w, closeAt, p, r))
	m.StaleAt, m.LateBody, m.ExpiresAt = now.Add(min(left/5, reminderSlack)), &late, closeAt
	if rs := sortedReminders(r.Reminders); i+1 < len(rs) {
		m.ExpiresAt = closeAt.Add(-rs[i+1])
	}
	return m
}

// reminderSlack bounds how long a reminder's "closes in …" may be late.
const reminderSlack = 2 * time.Minute

// lateActions is the one button left after a close: the late answer.
func lateActions(w words, occID string) []Action {
	return []Action{{ID: ActionAnswer, Label: w.t("action.answer_late"), Value: occID, Style: "primary", Late: true}}
}

// LabelAnswerLate is the English label of the answer button once a window
// has closed; messages stored before Action.Late carry it.
const LabelAnswerLate = "Answer late"

// answerEntries lists a person's answers as question and answer, in the
// ritual's order, the questions in w's language. Checklist answers are summed up elsewhere in summaries.
func (c composer) answerEntries(w words, r *Ritual, a *Answer, skipChecklist bool) []Entry {
	var out []Entry
	for _, q := range r.Questions {
		t := UserText(strings.TrimSpace(a.Text(q.ID)))
		if t == "" || (skipChecklist && IsChecklistQuestion(q.ID)) {
			continue
		}
		out = append(out, Entry{Label: q.In(w.lang).Text, Text: q.AnswerDisplay(t)})
	}
	return out
}

func promptActions(w words, occID string) []Action {
	return []Action{
		{ID: ActionAnswer, Label: w.t("action.answer"), Value: occID, Style: "primary"},
		{ID: ActionSnoozeHour, Label: w.t("action.snooze_1h"), Value: occID},
		{ID: ActionSnoozeTomorrow, Label: w.t("action.snooze_tomorrow"), Value: occID},
		{ID: ActionDecline, Label: w.t("action.skip"), Value: occID},
		{ID: ActionOOO, Label: w.t("action.ooo"), Value: occID},
	}
}

func (c composer) receipt(r *Ritual, o *Occurrence, a *Answer, late bool, now time.Time) *Message {
	m := c.base(r, o, KindReceipt, ReceiptKey(o.ID, a.PersonID, a.Edits), Recipient{Person: a.PersonID}, now)
	w := c.to(a.PersonID)
	text := w.t("receipt.saved", "Ritual", r.Title)
	if a.Edits > 0 {
		text = w.t("receipt.edit_saved", "Ritual", r.Title)
	}
	if late {
		text += " " + w.t("receipt.late")
	} else if o.Status == StatusOpen {
		text += " " + w.t("receipt.editable", "Until", c.at(w, o.PersonCloseAt(a.PersonID), a.PersonID, r))
	}
	m.Body = Body{Title: w.t("receipt.title"), Text: text, Sections: []Section{{Heading: r.Title, Entries: c.answerEntries(w, r, a, false)}}}
	return m
}

func (c composer) declined(r *Ritual, o *Occurrence, p string, now time.Time) *Message {
	m := c.base(r, o, KindReceipt, MessageKey("occ", o.ID, "declined", p), Recipient{Person: p}, now)
	m.Body = Body{Title: r.Title, Text: c.to(p).t("declined.text", "Ritual", r.Title)}
	return m
}

// notice is a one-off message to a channel or person about a ritual.
func (c composer) notice(r *Ritual, key string, to Recipient, title, text string, now time.Time) *Message {
	return &Message{
		Key: key, Kind: KindNotice, Platform: c.platform(r), To: to, RitualID: r.ID,
		Body:      Body{Title: title, Text: text},
		CreatedAt: now, Revision: 1, State: StatePending, NextAttemptAt: now,
	}
}

// FormatDuration prints 4h, 1h30m, 45m, 30s.
func FormatDuration(d time.Duration) string {
	if d <= 0 {
		return "0m"
	}
	if d < time.Minute {
		return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + "s"
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("%dh%dm", h, m)
	case h > 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dm", m)
}

// Zone is the zone the ritual's schedule is read in.
func (r *Ritual) Zone() *time.Location {
	if r.Schedule != nil && r.Schedule.Location() != nil {
		return r.Schedule.Location()
	}
	if r.Location != nil {
		return r.Location
	}
	return time.UTC
}
