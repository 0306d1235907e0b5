package cadence

import (
	"slices"
	"sort"
	"time"
)

// StepKind names one decision of the planner.
type StepKind string

const (
	// StepStart: a ritual seen for the first time starts from now, without
	// back-filling history.
	StepStart StepKind = "start"
	// StepOpen: a fire time is due: the occurrence opens (agenda, summary,
	// prompts to everyone whose prompt time has come).
	StepOpen StepKind = "open"
	// StepMiss: the whole window of a fire time passed while the bot was
	// down; it is recorded as missed, never dropped.
	StepMiss StepKind = "miss"
	// StepSkip: a fire time falls while the ritual is paused, on a team
	// holiday, or after a lead skipped it.
	StepSkip StepKind = "skip"
	// StepPrompt: per-person rituals prompt each person at their own time.
	StepPrompt StepKind = "prompt"
	// StepRemind: a reminder offset before someone's close time has come.
	StepRemind StepKind = "remind"
	// StepClose: the window has ended; the summary is finalised.
	StepClose StepKind = "close"
)

// SkipReasonPaused is the reason recorded for fire times that fall while a
// ritual is paused. They are kept as skipped occurrences (visible in
// history, excluded from adherence) rather than silently dropped.
const SkipReasonPaused = "paused"

// Step is one decision: the occurrence and ritual state after it, and the
// people to message. The engine applies a step in one store transaction.
type Step struct {
	Kind       StepKind
	Occurrence *Occurrence    // after the step; nil for StepStart
	State      *RitualState   // after the step; nil when unchanged
	Prompt     []string       // people to prompt now
	Remind     map[string]int // person → index (in PlanInput.Reminders order) of the reminder to send
}

// PlanInput is everything a planning decision reads. Building it is the
// engine's job; NextStep itself touches no store and no clock.
type PlanInput struct {
	Ritual *Ritual
	State  *RitualState // nil for a ritual the engine has never seen
	// Open are the ritual's open occurrences.
	Open []*Occurrence
	// Answered lists, per open occurrence ID, who has answered.
	Answered map[string]map[string]bool
	// Away says whether a person is out of office or on holiday at an
	// instant, and why. Nil means nobody is ever away.
	Away func(person string, at time.Time) (bool, string)
	// Attend, if set, names who is asked at a fire time instead of the
	// ritual's participants, or why that fire is skipped (hand-offs:
	// only the outgoing on-call, only when a hand-off happens).
	Attend func(fire time.Time) (people []string, skip string)
	// attendees is Attend's answer for the fire being planned.
	attendees []string
	// Locations gives a person's time zone, for per-person rituals. Nil,
	// or a nil result, means the ritual's zone.
	Locations func(person string) *time.Location
	// Substitute, if set, names who stands in for a facilitator who
	// handed their work over (cadence/ops: Ops.Handover).
	Substitute func(person string) string
	Now        time.Time
	// Tolerance is how long after it was due an occurrence may open and
	// still count as on time.
	Tolerance time.Duration
	// Reminders are the ritual's reminder offsets, largest first (the
	// earliest reminder first). Nil means the ritual's own, sorted.
	Reminders []time.Duration
	// earliest remembers earliestPrompt per fire time for the planner's
	// calls on one input (NextWake's search plans ~12 instants): it reads
	// every participant's zone and away state, and none of that depends
	// on Now. Set by the engine's planInput; nil computes each time.
	earliest map[time.Time]earliestAt
	// zones are the distinct time zones of the ritual's participants (a
	// nil entry: someone prompted at the fire time itself), for a lower
	// bound of earliestPrompt that costs a few zones instead of a pass
	// over everyone. Set by the engine; nil skips the bound.
	zones []*time.Location
	// walls remembers promptAt's fire time moved into a zone, per fire
	// and zone: a plan asks it for every participant at two or three
	// fire times, and participants share a few zones (500 people, 3
	// zones: 1,500 cron walks a plan become 9). Set by the engine's
	// planInput; nil computes each time.
	walls map[wallKey]time.Time
}

type wallKey struct {
	fire int64 // Unix nanoseconds: one instant, whatever its Location
	loc  *time.Location
}

type earliestAt struct {
	due time.Time
	ok  bool
}

// NextStep returns the first thing to do for one ritual at in.Now, and false
// when nothing is due. Applying the step and planning again yields the next
// one; replaying a step that was already applied is impossible, because
// its effect is in the state the next plan reads.
//
// Order: open occurrences first, oldest first (close, then prompts, then
// reminders), then the next fire time after the cursor.
func NextStep(in PlanInput) (Step, bool) {
	r := in.Ritual
	if in.Reminders == nil {
		in.Reminders = sortedReminders(r.Reminders)
	}
	if in.Away == nil {
		in.Away = func(string, time.Time) (bool, string) { return false, "" }
	}
	if in.State == nil {
		return Step{Kind: StepStart, State: &RitualState{RitualID: r.ID, Cursor: startCursor(in)}}, true
	}
	open := slices.Clone(in.Open)
	sort.Slice(open, func(i, j int) bool { return open[i].Scheduled.Before(open[j].Scheduled) })
	for _, o := range open {
		if st, ok := planOpen(in, o); ok {
			return st, true
		}
	}
	return planFire(in)
}

// NextDue returns the earliest instant in [in.Now, until] at which
// NextStep would return a step, the state it reads staying as it is; false
// when nothing falls due by until. It asks the same rules NextStep does
// when each of them starts to hold, so the two cannot drift: a close or
// prompt is due from an instant on, a reminder only inside a window
// before its person's close (something due at t is not always due later).
func NextDue(in PlanInput, until time.Time) (time.Time, bool) {
	now := in.Now
	if in.State == nil {
		return now, true // StepStart
	}
	if in.Reminders == nil {
		in.Reminders = sortedReminders(in.Ritual.Reminders)
	}
	if in.Away == nil {
		in.Away = func(string, time.Time) (bool, string) { return false, "" }
	}
	best := until.Add(1)
	consider := func(t time.Time) {
		if t.Before(best) {
			best = t
		}
	}
	for _, o := range in.Open {
		consider(o.ClosesAt)
		answered := in.Answered[o.ID]
		for _, p := range o.Expected {
			if at, ok := promptDue(o, p); ok {
				consider(at)
			}
			if idx, next := reminderDue(o, p, answered[p], in.Reminders, now); idx >= 0 {
				consider(now)
			} else if !next.IsZero() {
				consider(next)
			}
		}
	}
	bound := until
	if best.Before(bound) {
		bound = best
	}
	if _, due, ok := fireDue(in, bound); ok {
		consider(due)
	}
	if best.After(until) {
		return time.Time{}, false
	}
	if best.Before(now) {
		return now, true
	}
	return best, true
}

// startCursor is where a new ritual's schedule starts: now, moved past any
// fire time whose prompts would already be due (a per-person standup seen
// at 07:00 in Zurich has already passed 09:15 in Almaty; it starts with the
// next day instead of opening late). An "@every" schedule has no calendar
// to wait for: its grid starts at now, so its first occurrence opens at
// once instead of one whole interval after the start.
func startCursor(in PlanInput) time.Time {
	if iv := in.Ritual.Schedule.Interval(); iv > 0 {
		return in.Now.Add(-iv)
	}
	cur := in.Now
	for i := 0; i < 64; i++ {
		f := in.Ritual.Schedule.Next(cur)
		if f.IsZero() {
			break
		}
		if due, _ := earliestPrompt(in, f); !due.Before(in.Now) {
			break
		}
		cur = f
	}
	return cur
}

// planOpen decides the next step for one open occurrence.
func planOpen(in PlanInput, o *Occurrence) (Step, bool) {
	now := in.Now
	if !now.Before(o.ClosesAt) {
		c := o.Clone()
		c.Status, c.ClosedAt = StatusClosed, now
		return Step{Kind: StepClose, Occurrence: c}, true
	}
	answered := in.Answered[o.ID]
	var prompt []string
	for _, p := range o.Expected {
		if at, ok := promptDue(o, p); ok && !now.Before(at) {
			prompt = append(prompt, p)
		}
	}
	if len(prompt) > 0 {
		c := o.Clone()
		markPrompted(c, prompt, now, in.Reminders)
		return Step{Kind: StepPrompt, Occurrence: c, Prompt: prompt}, true
	}
	remind := map[string]int{}
	for _, p := range o.Expected {
		if idx, _ := reminderDue(o, p, answered[p], in.Reminders, now); idx >= 0 {
			remind[p] = idx
		}
	}
	if len(remind) > 0 {
		c := o.Clone()
		if c.Reminded == nil {
			c.Reminded = map[string]int{}
		}
		for p, i := range remind {
			c.Reminded[p] = i + 1
		}
		return Step{Kind: StepRemind, Occurrence: c, Remind: remind}, true
	}
	return Step{}, false
}

// promptDue is when p's prompt for o falls due; false once p was prompted.
func promptDue(o *Occurrence, p string) (time.Time, bool) {
	if _, done := o.Prompted[p]; done {
		return time.Time{}, false
	}
	return o.PersonPromptAt(p), true
}

// reminderDue says which reminder p gets at now: the index (in reminders
// order) of the latest one whose time has come, -1 when none; and next,
// when the following one's time comes (zero when none comes before p's
// close). A reminder is due from its offset before p's own close until
// that close, and only to someone prompted who has not answered: a
// window, not a threshold, which NextDue must not step over.
func reminderDue(o *Occurrence, p string, answered bool, reminders []time.Duration, now time.Time) (idx int, next time.Time) {
	idx = -1
	if _, prompted := o.Prompted[p]; !prompted || answered {
		return idx, next
	}
	closeAt := o.PersonCloseAt(p)
	if !now.Before(closeAt) {
		return idx, next
	}
	// Send only the latest reminder whose time has come: after downtime,
	// one reminder, not a burst.
	for i := o.Reminded[p]; i < len(reminders); i++ {
		at := closeAt.Add(-reminders[i])
		switch {
		case !at.After(now):
			idx = i
		case at.Before(closeAt) && (next.IsZero() || at.Before(next)):
			next = at
		}
	}
	return idx, next
}

// markPrompted records prompts sent at now. Reminder slots whose time has
// already come are used up, so a late prompt is not followed at once by a
// reminder.
func markPrompted(o *Occurrence, people []string, now time.Time, reminders []time.Duration) {
	if o.Prompted == nil {
		o.Prompted = map[string]time.Time{}
	}
	if o.Reminded == nil {
		o.Reminded = map[string]int{}
	}
	for _, p := range people {
		o.Prompted[p] = now
		closeAt := o.PersonCloseAt(p)
		n := 0
		for i, d := range reminders {
			if !closeAt.Add(-d).After(now) {
				n = i + 1
			}
		}
		if n > o.Reminded[p] {
			o.Reminded[p] = n
		}
	}
}

// planFire decides what to do with the next fire time after the cursor.
func planFire(in PlanInput) (Step, bool) {
	r, st, now := in.Ritual, in.State, in.Now
	fire, due, ok := fireDue(in, now)
	if !ok {
		return Step{}, false
	}
	next := *st
	next.Cursor = fire
	base := &Occurrence{
		ID:        OccurrenceID(r.ID, fire),
		RitualID:  r.ID,
		Scheduled: fire,
		DueAt:     due,
	}

	skip := func(reason, by string) (Step, bool) {
		base.Status, base.SkipReason, base.SkippedBy = StatusSkipped, reason, by
		base.ClosesAt = due.Add(r.Window)
		return Step{Kind: StepSkip, Occurrence: base, State: &next}, true
	}
	switch {
	case st.Paused:
		return skip(SkipReasonPaused, st.PausedBy)
	case st.SkipNext != "":
		reason, by := st.SkipNext, st.SkipNextBy
		next.SkipNext, next.SkipNextBy = "", ""
		return skip(reason, by)
	case slices.Contains(r.SkipDates, DateOf(fire.In(r.Schedule.Location()))):
		return skip("team holiday "+DateOf(fire.In(r.Schedule.Location())).String(), "")
	case openCovers(in, due) != nil:
		// The schedule changed under an open occurrence: it keeps its
		// window, and a second one inside it would ask the same again.
		return skip("schedule changed while "+openCovers(in, due).ID+" was open", "")
	}
	if in.Attend != nil {
		people, why := in.Attend(fire)
		if why != "" {
			return skip(why, "")
		}
		in.attendees = people
	}

	o := buildOccurrence(in, base)
	if !now.Before(o.ClosesAt) {
		// The bot was down for the whole window.
		return Step{Kind: StepMiss, Occurrence: &Occurrence{
			ID: o.ID, RitualID: r.ID, Scheduled: fire, DueAt: due, ClosesAt: o.ClosesAt, Status: StatusMissed,
		}, State: &next}, true
	}
	o.Status = StatusOpen
	o.OpenedAt = now
	o.Late = now.Sub(o.DueAt) > in.Tolerance
	if n := len(r.Facilitators); n > 0 {
		o.Facilitator = pickFacilitator(r.Facilitators, st.Rotation, func(p string) bool {
			away, _ := in.Away(p, o.PersonPromptAt(p))
			return away
		})
		if in.Substitute != nil {
			o.Facilitator = in.Substitute(o.Facilitator)
		}
		next.Rotation++
	}
	// After downtime, people whose own window has already passed were never
	// asked: excuse them rather than count them as not answering.
	for _, p := range slices.Clone(o.Expected) {
		if !now.Before(o.CloseAt[p]) {
			o.Excuse(p, "window passed while cadencebot was down")
		}
	}
	var prompt []string
	for _, p := range o.Expected {
		if !now.Before(o.PromptAt[p]) {
			prompt = append(prompt, p)
		}
	}
	markPrompted(o, prompt, now, in.Reminders)
	return Step{Kind: StepOpen, Occurrence: o, State: &next, Prompt: prompt}, true
}

// fireDue is the next fire time after the cursor and when it falls due
// (its earliest prompt). ok is false when the schedule has none, or when
// it cannot fall due by until: a bound over the participants' zones says
// so for a thousand people in a few zones without a pass over everyone.
func fireDue(in PlanInput, until time.Time) (fire, due time.Time, ok bool) {
	fire = in.Ritual.Schedule.Next(in.State.Cursor)
	if fire.IsZero() {
		return fire, fire, false
	}
	if lb, ok := earliestPossible(in, fire); ok && lb.After(until) {
		return fire, fire, false
	}
	due, _ = earliestPrompt(in, fire)
	return fire, due, !due.After(until)
}

// openCovers returns an open occurrence whose window is still running at
// due. The same schedule never does that (windowEnd cuts a window at the
// next fire time); an edited one can. Per-person rituals overlap by
// design (a window per zone) and are left alone.
func openCovers(in PlanInput, due time.Time) *Occurrence {
	if in.Ritual.PerPersonTime {
		return nil
	}
	for _, o := range in.Open {
		if o.ClosesAt.After(due) {
			return o
		}
	}
	return nil
}

// buildOccurrence fills in who is expected and when: prompt and close times
// per person, excused people and their reasons.
func buildOccurrence(in PlanInput, base *Occurrence) *Occurrence {
	r := in.Ritual
	o := base
	o.Excused = map[string]string{}
	o.PromptAt = map[string]time.Time{}
	o.CloseAt = map[string]time.Time{}
	next := r.Schedule.Next(base.Scheduled)
	people := r.Participants
	if in.attendees != nil {
		people = in.attendees
	}
	for _, p := range people {
		at := promptAt(r, base.Scheduled, p, in)
		o.PromptAt[p] = at
		o.CloseAt[p] = windowEnd(r, at, next, func(fire time.Time) time.Time { return promptAt(r, fire, p, in) })
		if away, why := in.Away(p, at); away {
			o.Excused[p] = why
			continue
		}
		o.Expected = append(o.Expected, p)
	}
	o.ClosesAt = windowEnd(r, o.DueAt, next, func(fire time.Time) time.Time {
		due, _ := earliestPrompt(in, fire)
		return due
	})
	for _, p := range o.Expected {
		if c := o.CloseAt[p]; c.After(o.ClosesAt) {
			o.ClosesAt = c
		}
	}
	return o
}

// windowEnd is when a window opened at `at` ends: r.Window later, or
// sooner when the next occurrence (at next, opening at openAt(next)) comes
// first. The window is checked against the nominal period, but a 24-hour
// window on a daily ritual meets a 23-hour day at spring-forward; cutting
// it there keeps one occurrence open at a time.
func windowEnd(r *Ritual, at, next time.Time, openAt func(time.Time) time.Time) time.Time {
	end := at.Add(r.Window)
	if next.IsZero() {
		return end
	}
	if n := openAt(next); n.After(at) && n.Before(end) {
		return n
	}
	return end
}

// earliestPrompt is when the occurrence at fire is due: the fire time, or
// for per-person rituals the earliest prompt of anyone not away. It also
// reports whether anyone is expected at all.
func earliestPrompt(in PlanInput, fire time.Time) (time.Time, bool) {
	r := in.Ritual
	if !r.PerPersonTime {
		return fire, true
	}
	if in.earliest == nil {
		return earliestPromptOf(in, fire)
	}
	if e, ok := in.earliest[fire]; ok {
		return e.due, e.ok
	}
	due, ok := earliestPromptOf(in, fire)
	in.earliest[fire] = earliestAt{due, ok}
	return due, ok
}

func earliestPromptOf(in PlanInput, fire time.Time) (time.Time, bool) {
	r := in.Ritual
	var due time.Time
	for _, p := range r.Participants {
		at := promptAt(r, fire, p, in)
		if in.Away != nil {
			if away, _ := in.Away(p, at); away {
				continue
			}
		}
		if due.IsZero() || at.Before(due) {
			due = at
		}
	}
	if due.IsZero() {
		return fire, false
	}
	return due, true
}

// earliestPossible is a lower bound of earliestPrompt(in, fire): the
// earliest prompt over the participants' zones, nobody counted away (being
// away only takes people out, so the real one is never earlier). ok is
// false when the input has no zones to bound with.
func earliestPossible(in PlanInput, fire time.Time) (time.Time, bool) {
	r := in.Ritual
	if !r.PerPersonTime || in.zones == nil {
		return time.Time{}, false
	}
	var lb time.Time
	for _, loc := range in.zones {
		at := fire
		if loc != nil {
			if w := r.Schedule.WallIn(fire, loc); !w.IsZero() {
				at = w
			}
		}
		if lb.IsZero() || at.Before(lb) {
			lb = at
		}
	}
	return lb, !lb.IsZero()
}

// promptAt is when person p is prompted for the occurrence at fire.
func promptAt(r *Ritual, fire time.Time, p string, in PlanInput) time.Time {
	if !r.PerPersonTime {
		return fire
	}
	loc := personLocation(in, p)
	if loc == nil {
		return fire
	}
	if in.walls == nil {
		return wallOr(r, fire, loc)
	}
	k := wallKey{fire.UnixNano(), loc}
	at, ok := in.walls[k]
	if !ok {
		at = wallOr(r, fire, loc)
		in.walls[k] = at
	}
	return at
}

// wallOr is fire's k-th-of-the-day wall time in loc, or fire when the
// schedule has none there.
func wallOr(r *Ritual, fire time.Time, loc *time.Location) time.Time {
	if at := r.Schedule.WallIn(fire, loc); !at.IsZero() {
		return at
	}
	return fire
}

func personLocation(in PlanInput, p string) *time.Location {
	if in.Locations == nil {
		return nil
	}
	return in.Locations(p)
}

// Excuse takes p off the people expected to answer o, saying why.
func (o *Occurrence) Excuse(p, why string) {
	o.Expected = slices.DeleteFunc(o.Expected, func(x string) bool { return x == p })
	if o.Excused == nil {
		o.Excused = map[string]string{}
	}
	o.Excused[p] = why
}

// pickFacilitator rotates through list, passing over people who are away.
// If everyone is away, the rotation's pick stands.
func pickFacilitator(list []string, rotation int, away func(string) bool) string {
	n := len(list)
	start := ((rotation % n) + n) % n
	for i := 0; i < n; i++ {
		p := list[(start+i)%n]
		if !away(p) {
			return p
		}
	}
	return list[start]
}

func sortedReminders(rs []time.Duration) []time.Duration {
	out := slices.Clone(rs)
	slices.SortFunc(out, func(a, b time.Duration) int {
		switch {
		case a > b:
			return -1
		case a < b:
			return 1
		}
		return 0
	})
	return slices.Compact(out)
}
