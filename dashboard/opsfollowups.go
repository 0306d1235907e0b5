package dashboard

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// followUpSection is /s/followups: the closure figures, then every
// follow-up live in the period.
type followUpSection struct{ *opsView }

func (s *followUpSection) ID() string    { return "followups" }
func (s *followUpSection) Title() string { return "Follow-ups" }

// followUpAt is a follow-up as it stood at an instant.
type followUpAt struct {
	*cadence.FollowUp
	status   cadence.FollowUpStatus
	age      time.Duration // open: since created; closed: how long it was open
	deadline time.Time
	overdue  bool // open past the end of its due day
}

func (s *followUpSection) stateAt(f *cadence.FollowUp, at time.Time) followUpAt {
	v := followUpAt{FollowUp: f, status: f.Status, deadline: f.Deadline(s.loc(f.Owner))}
	if f.Status != cadence.FollowUpOpen && f.ClosedAt.After(at) {
		v.status = cadence.FollowUpOpen
	}
	if v.status == cadence.FollowUpOpen {
		v.age = at.Sub(f.CreatedAt)
		v.overdue = !v.deadline.After(at)
	} else {
		v.age = f.ClosedAt.Sub(f.CreatedAt)
	}
	return v
}

// load returns the owners' follow-ups (all of them, for the figures)
// and those live in the period, as of at.
func (s *followUpSection) load(ctx context.Context, q cadence.ReportQuery, at time.Time) (all []*cadence.FollowUp, rows []followUpAt, err error) {
	fus, err := s.src.FollowUps(ctx, cadence.FollowUpFilter{})
	if err != nil {
		return nil, nil, fmt.Errorf("follow-ups: %w", err)
	}
	for _, f := range fus {
		if !selected(q, f.Owner) {
			continue
		}
		all = append(all, f)
		end := f.ClosedAt
		if f.Status == cadence.FollowUpOpen {
			end = time.Time{}
		}
		if live(q, f.CreatedAt, end) && !f.CreatedAt.After(at) {
			rows = append(rows, s.stateAt(f, at))
		}
	}
	return all, rows, nil
}

func (s *followUpSection) Tables(ctx context.Context, q cadence.ReportQuery) ([]*Table, error) {
	at := s.at(q)
	all, rows, err := s.load(ctx, q, at)
	if err != nil {
		return nil, err
	}
	fig := ops.ComputeFigures(all, nil, s.loc, q.From, q.To, at)
	overdue := 0
	for _, r := range rows {
		if r.overdue {
			overdue++
		}
	}
	figures := &Table{
		ID:    "followup-figures",
		Title: "Follow-up figures",
		Columns: []Column{
			{Key: "due", Label: "Due in period", Numeric: true},
			{Key: "closed_on_time", Label: "Closed on time", Numeric: true},
			{Key: "closed_on_time_pct", Label: "Closed on time %", Numeric: true},
			{Key: "open", Label: "Open", Numeric: true},
			{Key: "overdue", Label: "Overdue", Numeric: true},
			{Key: "mean_open_age_s", Label: "Mean age of open", Numeric: true},
		},
		Rows: [][]Cell{{
			intCell(fig.FollowUpsDue), intCell(fig.FollowUpsOnTime), pctCell(fig.FollowUpsOnTime, fig.FollowUpsDue),
			intCell(fig.OpenFollowUps), intCell(overdue),
			secondsCell(fig.MeanOpenAge, fig.OpenFollowUps > 0),
		}},
	}
	list := &Table{
		ID:    "followups",
		Title: "Follow-ups",
		Columns: []Column{
			{Key: "id", Label: "ID"},
			{Key: "title", Label: "Title"},
			{Key: "incident", Label: "Incident"},
			{Key: "owner", Label: "Owner"},
			{Key: "due", Label: "Due"},
			{Key: "status", Label: "Status"},
			{Key: "age_s", Label: "Age", Numeric: true},
			{Key: "overdue", Label: "Overdue"},
		},
	}
	for _, r := range rows {
		list.Rows = append(list.Rows, []Cell{
			textCell(r.ID()), textCell(r.Title), textCell(cadence.IncidentID(r.Incident)),
			s.personCell(r.Owner), textCell(r.Due.String()), textCell(string(r.status)),
			secondsCell(r.age, true), boolCell(r.overdue),
		})
	}
	return []*Table{figures, list}, nil
}

// DigestSection lists the follow-ups overdue now, oldest due date first,
// after a line on how many of those due in the digest's period were
// closed on time. Nothing open and nothing due: nothing to say.
func (s *followUpSection) DigestSection(ctx context.Context, r *cadence.Report, lang string) (cadence.Section, bool, error) {
	w := digestWords(lang)
	now := s.clock.Now().UTC()
	fus, err := s.src.FollowUps(ctx, cadence.FollowUpFilter{})
	if err != nil {
		return cadence.Section{}, false, fmt.Errorf("follow-ups: %w", err)
	}
	fig := ops.ComputeFigures(fus, nil, s.loc, r.From, r.To, now)
	var overdue []followUpAt
	open := 0
	for _, f := range fus {
		if f.Status != cadence.FollowUpOpen {
			continue
		}
		open++
		if v := s.stateAt(f, now); v.overdue {
			overdue = append(overdue, v)
		}
	}
	if open == 0 && fig.FollowUpsDue == 0 {
		return cadence.Section{}, false, nil
	}
	slices.SortStableFunc(overdue, func(a, b followUpAt) int {
		return cmp.Or(a.deadline.Compare(b.deadline), cmp.Compare(a.Number, b.Number))
	})
	sec := cadence.Section{Heading: w.t("overdue_heading")}
	head := w.t("overdue_head", "Open", open, "Overdue", len(overdue))
	if fig.FollowUpsDue > 0 {
		head += " " + w.t("overdue_due", "OnTime", fig.FollowUpsOnTime, "Due", fig.FollowUpsDue, "Pct", w.pct(fig.FollowUpsOnTime, fig.FollowUpsDue))
	}
	sec.Lines = append(sec.Lines, head)
	for i, v := range overdue {
		if i == digestOverdueMax {
			sec.Lines = append(sec.Lines, w.t("overdue_more", "N", len(overdue)-i))
			break
		}
		sec.Lines = append(sec.Lines, w.t("overdue_line", "ID", v.ID(), "Title", v.Title, "Incident", cadence.IncidentID(v.Incident),
			"Owner", s.name(v.Owner), "Due", v.Due.String(), "Age", w.roughAge(now.Sub(v.deadline))))
	}
	return sec, true, nil
}

// digestOverdueMax is how many overdue follow-ups a digest lists, the
// longest overdue first; a manager reads a list, not a table.
const digestOverdueMax = 10

// roughAge says how long ago in the unit a person would use: "5 hours",
// "3 days", "3 weeks", "11 months", "2 years". Whole units, rounded down.
func roughAge(d time.Duration) string { return digestWords(cadence.DefaultLanguage).roughAge(d) }

// roughAge is roughAge in the digest's language.
func (l digestLang) roughAge(d time.Duration) string {
	days := int(d / (24 * time.Hour))
	switch {
	case d < time.Hour:
		return l.t("age_under_hour")
	case days < 1:
		return l.n("age_hours", int(d/time.Hour))
	case days < 14:
		return l.n("age_days", days)
	case days < 61:
		return l.n("age_weeks", days/7)
	case days < 365:
		return l.n("age_months", int(float64(days)/30.44))
	}
	return l.n("age_years", days/365)
}
