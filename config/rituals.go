package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/cadencebot/cadencebot/cadence"
)

func (d *decoder) rituals(elems []toml.Primitive, cfg *Config) []*cadence.Ritual {
	if len(elems) == 0 {
		d.add("rituals", "no rituals: add at least one [[rituals]] table")
		return nil
	}
	var out []*cadence.Ritual
	first := map[string]string{} // id → field of its first ritual
	for i, prim := range elems {
		field := fmt.Sprintf("rituals[%d]", i)
		var rf ritualFile
		if !d.decode(prim, field, &rf) {
			continue // partly decoded: checking it would report noise
		}
		r := d.ritual(field, &rf, cfg)
		if r.ID != "" {
			if f, dup := first[r.ID]; dup {
				d.add(field+".id", "duplicate ritual id %q (first at line %d)", r.ID, d.positions().line(f))
				continue
			}
			first[r.ID] = field + ".id"
		}
		out = append(out, r)
	}
	return out
}

func (d *decoder) ritual(field string, f *ritualFile, cfg *Config) *cadence.Ritual {
	r := &cadence.Ritual{
		ID:            f.ID,
		Title:         or(f.Title, f.ID),
		Kind:          cadence.Kind(f.Kind),
		Platform:      or(f.Platform, cfg.Bot.DefaultPlatform),
		Channel:       f.Channel,
		Lead:          f.Lead,
		PerPersonTime: f.PerPersonTime,
		Checklist:     f.Checklist,
	}
	if msg := checkID(f.ID); msg != "" {
		d.add(field+".id", "%s", msg)
	}
	switch {
	case f.Kind == "":
		d.add(field+".kind", "missing kind (triage, deployment-planning, quality-review, standup or handoff)")
	case !r.Kind.Valid():
		d.add(field+".kind", "unknown kind %q (use triage, deployment-planning, quality-review, standup or handoff)", f.Kind)
	}
	bound := d.handoff(field, f, r, cfg)
	if f.Platform != "" {
		d.oneOf(field+".platform", f.Platform, platforms...)
	}
	switch {
	case f.Channel == "":
		d.add(field+".channel", "missing channel (where the agenda and summary are posted)")
	case strings.ContainsAny(f.Channel, " \t\n"):
		d.add(field+".channel", "%q: channel names have no spaces", f.Channel)
	}
	if bound {
		// A hand-off ritual without its rotation has no defaults: saying
		// its schedule and participants are missing would be noise.
		d.schedule(field, f, r, cfg.Bot.Timezone)
		d.participants(field, f, r, cfg)
	}
	d.questions(field, f, r)
	d.window(field, f, r)
	for i, s := range f.SkipDates {
		if date, ok := d.date(fmt.Sprintf("%s.skip_dates[%d]", field, i), s); ok {
			r.SkipDates = append(r.SkipDates, date)
		}
	}
	for i, item := range f.Checklist {
		if strings.TrimSpace(item) == "" {
			d.add(fmt.Sprintf("%s.checklist[%d]", field, i), "empty checklist item")
		}
	}
	return r
}

// handoff binds a kind = "handoff" ritual to its rotation: it must name
// one; its schedule defaults to the rotation's hand-off time (weekly on
// the hand-off day for turns in whole weeks, else daily: days without a
// hand-off are skipped), its participants to the rotation's members.
// Other kinds may not name a rotation.
// It reports false for a hand-off ritual whose rotation is missing.
func (d *decoder) handoff(field string, f *ritualFile, r *cadence.Ritual, cfg *Config) bool {
	if r.Kind != cadence.KindHandoff {
		if f.Rotation != "" {
			d.add(field+".rotation", "only a kind = \"handoff\" ritual follows a rotation; this one is %q", f.Kind)
		}
		return true
	}
	var ids []string
	var rot *cadence.Rotation
	for _, x := range cfg.Rotations {
		ids = append(ids, x.ID)
		if x.ID == f.Rotation {
			rot = x
		}
	}
	known := "no [[rotations]] are configured"
	if len(ids) > 0 {
		known = "known rotations: " + strings.Join(ids, ", ")
	}
	switch {
	case f.Rotation == "":
		d.add(field+".rotation", "missing rotation: a hand-off ritual names the on-call rotation whose hand-offs it runs (%s)", known)
		return false
	case rot == nil:
		d.add(field+".rotation", "unknown rotation %q (%s)", f.Rotation, known)
		return false
	}
	r.Rotation = rot.ID
	if f.PerPersonTime {
		d.add(field+".per_person_time", "a hand-off happens at one instant for everyone; drop per_person_time")
	}
	if strings.TrimSpace(f.Schedule) == "" {
		dow := "*"
		if rot.Length%7 == 0 {
			dow = fmt.Sprint(int(rot.Start.In(time.UTC).Weekday()))
		}
		f.Schedule = fmt.Sprintf("CRON_TZ=%s %d %d * * %s", rot.Location, rot.HandoffMinute, rot.HandoffHour, dow)
	}
	if len(f.Participants) == 0 {
		f.Participants = rot.Members
	}
	return true
}

// schedule parses the cron spec in the ritual's zone and checks it fits
// per_person_time.
func (d *decoder) schedule(field string, f *ritualFile, r *cadence.Ritual, defaultZone *time.Location) {
	loc := defaultZone
	if f.Timezone != "" {
		l, msg := loadZone(f.Timezone)
		if msg != "" {
			d.add(field+".timezone", "%s", msg)
		} else {
			loc = l
		}
	}
	r.Location = loc
	r.Spec = strings.TrimSpace(f.Schedule)
	if r.Spec == "" {
		d.add(field+".schedule", `missing schedule (5-field cron such as "30 9 * * MON", a descriptor such as "@weekly", or "@every 30s")`)
		return
	}
	s, err := cadence.ParseSchedule(r.Spec, loc)
	if err != nil {
		d.add(field+".schedule", "%s", strings.TrimPrefix(err.Error(), fmt.Sprintf("schedule %q: ", r.Spec)))
		return
	}
	r.Schedule = s
	cronTZ := strings.HasPrefix(r.Spec, "CRON_TZ=") || strings.HasPrefix(r.Spec, "TZ=")
	if cronTZ {
		if f.Timezone != "" && s.Location().String() != loc.String() {
			d.add(field+".timezone", "%q conflicts with the zone in schedule (%s); give one", f.Timezone, s.Location())
		}
		r.Location = s.Location()
	}
	if f.PerPersonTime {
		switch {
		case s.Interval() > 0:
			d.add(field+".per_person_time", "needs a time-of-day schedule; %q has none", r.Spec)
		case cronTZ:
			d.add(field+".per_person_time", "conflicts with the zone in schedule: per-person rituals fire in each participant's own zone")
		}
	}
}

// participants resolves ids, role:X, capability:X and all into person ids
// in roster order; a selector that matches nobody is an error, because it
// is almost always a typo.
func (d *decoder) participants(field string, f *ritualFile, r *cadence.Ritual, cfg *Config) {
	if len(f.Participants) == 0 {
		d.add(field+".participants", `missing participants (person ids, "role:<role>", "capability:<capability>" or "all")`)
	}
	r.Participants = d.selectPeople(field+".participants", f.Participants, cfg)
	if r.Platform == "slack" {
		for _, id := range r.Participants { // roster order
			if p := cfg.Roster.Person(id); p != nil && p.Handles.SlackID == "" && p.Handles.Email == "" {
				d.add(field+".participants", "%s takes part on slack but has no slack user id or email", p.ID)
			}
		}
	}

	switch {
	case f.Facilitator != "" && len(f.Facilitators) > 0:
		d.add(field+".facilitators", "set facilitator or facilitators, not both")
	case f.Facilitator != "":
		if d.knownPerson(field+".facilitator", f.Facilitator, cfg) {
			r.Facilitators = []string{f.Facilitator}
		}
	default:
		for i, id := range f.Facilitators {
			ff := fmt.Sprintf("%s.facilitators[%d]", field, i)
			switch {
			case slices.Contains(r.Facilitators, id):
				d.add(ff, "%q is listed twice", id)
			case d.knownPerson(ff, id, cfg):
				r.Facilitators = append(r.Facilitators, id)
			}
		}
	}
	// Allowed (a lead may run a meeting without reporting in it), but
	// usually a slip: the facilitator then gets no prompt and no reminder.
	for i, id := range r.Facilitators {
		if !slices.Contains(r.Participants, id) && len(r.Participants) > 0 {
			ff := field + ".facilitator"
			if f.Facilitator == "" {
				ff = fmt.Sprintf("%s.facilitators[%d]", field, i)
			}
			d.warn(ff, "%q facilitates but is not among the participants: they are named on the agenda but get no prompt and are not counted; add them to participants if they should answer", id)
		}
	}
	if f.Lead != "" {
		d.knownPerson(field+".lead", f.Lead, cfg)
	} else {
		r.Lead = defaultLead(cfg.People)
	}
}

func (d *decoder) knownPerson(field, id string, cfg *Config) bool {
	if cfg.Roster.Person(id) == nil {
		d.add(field, "unknown person %q", id)
		return false
	}
	return true
}

// defaultLead is who hears about a ritual's problems when it names no
// lead: the first lead, else the first admin, else nobody.
func defaultLead(people []*cadence.Person) string {
	for _, role := range []cadence.Role{cadence.RoleLead, cadence.RoleAdmin} {
		for _, p := range people {
			if p.Role == role {
				return p.ID
			}
		}
	}
	return ""
}

func (d *decoder) questions(field string, f *ritualFile, r *cadence.Ritual) {
	if f.Questions == nil {
		r.Questions = cadence.DefaultQuestions(r.Kind)
		return
	}
	if len(*f.Questions) == 0 {
		d.add(field+".questions", "no questions: remove `questions = []` to use the defaults for %s, or list at least one", or(f.Kind, "the kind"))
		return
	}
	for i, q := range *f.Questions {
		qf := fmt.Sprintf("%s.questions[%d]", field, i)
		if msg := checkID(q.ID); msg != "" {
			d.add(qf+".id", "%s", msg)
		} else if cadence.IsChecklistQuestion(q.ID) {
			d.add(qf+".id", "%q: ids starting with \"check-\" are reserved for the checklist items, which every prompt asks", q.ID)
		} else if r.Question(q.ID) != nil {
			d.add(qf+".id", "duplicate question id %q", q.ID)
			continue
		}
		if strings.TrimSpace(q.Text) == "" {
			d.add(qf+".text", "missing text")
		}
		typ, ok := cadence.ParseQuestionType(q.Type)
		if !ok {
			d.add(qf+".type", "%q is not one of %s", q.Type, strings.Join(cadence.QuestionTypes, ", "))
		}
		cq := cadence.Question{ID: q.ID, Text: q.Text, Texts: d.questionTexts(qf+".text_i18n", q.TextI18n), Required: q.Required,
			Blocker: q.Blocker, Plan: q.Plan, Type: typ, Options: q.Options, Min: q.Min, Max: q.Max, FollowUpOf: q.FollowUpOf, When: q.When}
		if ok {
			for _, p := range cadence.CheckQuestion(cq, r.Questions) {
				d.add(qf+"."+p.Field, "%s", p.Msg)
			}
		}
		r.Questions = append(r.Questions, cq)
	}
}

// reminderSpec reads "1h before close" and "30m after open".
var reminderSpec = regexp.MustCompile(`^\s*(\S+)\s+(before\s+close|after\s+open)\s*$`)

// window checks the response window against the schedule and turns the
// reminders into offsets before close, earliest reminder first.
func (d *decoder) window(field string, f *ritualFile, r *cadence.Ritual) {
	wf := field + ".window"
	if f.Window == "" {
		d.add(wf, `missing window (how long answers are collected, e.g. "4h")`)
		return
	}
	w, err := time.ParseDuration(f.Window)
	switch {
	case err != nil:
		d.add(wf, `%q is not a duration (e.g. "4h", "90m", "45s")`, f.Window)
		return
	case w <= 0:
		d.add(wf, "must be positive, not %q", f.Window)
		return
	}
	r.Window = w
	if r.Schedule != nil {
		if p := r.Schedule.Period(); w > p {
			d.add(wf, "%s is longer than the %s between two occurrences of %q; occurrences would overlap", fmtDuration(w), fmtDuration(p), r.Spec)
		}
	}
	firstAt := map[time.Duration]int{}
	for i, s := range f.Reminders {
		rf := fmt.Sprintf("%s.reminders[%d]", field, i)
		m := reminderSpec.FindStringSubmatch(s)
		var off time.Duration
		if m != nil {
			off, err = time.ParseDuration(m[1])
		}
		if m == nil || err != nil {
			d.add(rf, `%q is not a reminder: use "<duration> before close" or "<duration> after open", e.g. "1h before close"`, s)
			continue
		}
		if strings.HasPrefix(m[2], "after") {
			off = w - off
		}
		if off <= 0 || off >= w {
			d.add(rf, "%q is not inside the %s window", s, fmtDuration(w))
			continue
		}
		if j, dup := firstAt[off]; dup {
			d.add(rf, "%q is the same time as reminders[%d]", s, j)
			continue
		}
		firstAt[off] = i
		r.Reminders = append(r.Reminders, off)
	}
	slices.SortFunc(r.Reminders, func(a, b time.Duration) int { return int(b - a) })
}
