package slack

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// maxHomeFollowUps bounds the follow-ups listed in the App Home: each
// takes two blocks, and a home tab holds 100.
const maxHomeFollowUps = 20

// homeFollowUps adds "Your open follow-ups" to a person's App Home,
// before its closing line. Without the MLOps service the home is left as
// it is.
func (a *Adapter) homeFollowUps(ctx context.Context, p *cadence.Person, view *slack.HomeTabViewRequest) error {
	ops := a.ops()
	if ops == nil {
		return nil
	}
	fus, err := ops.FollowUps(ctx, cadence.FollowUpFilter{Owner: p.ID, Status: []cadence.FollowUpStatus{cadence.FollowUpOpen}})
	if err != nil {
		return fmt.Errorf("follow-ups of %s: %w", p.ID, err)
	}
	titles := map[int]string{}
	if len(fus) > 0 {
		incs, err := ops.Incidents(ctx, cadence.IncidentFilter{})
		if err != nil {
			return fmt.Errorf("incidents: %w", err)
		}
		for _, inc := range incs {
			titles[inc.Number] = inc.Title
		}
	}
	blocks := view.Blocks.BlockSet
	extra := followUpBlocksIn(a.svc.Roster().LanguageOf(p.ID), fus, titles, p.Location, a.clock.Now())
	if room := maxHomeBlocks - len(blocks); len(extra) > room {
		extra = extra[:max(room, 0)]
	}
	// The last block is the home's footer ("Times are in …").
	at := max(len(blocks)-1, 0)
	view.Blocks.BlockSet = append(blocks[:at:at], append(extra, blocks[at:]...)...)
	return nil
}

// followUpBlocksIn lists open follow-ups, earliest due first, overdue
// ones flagged, each with its buttons, in the person's language lang.
func followUpBlocksIn(lang string, fus []*cadence.FollowUp, incidentTitles map[int]string, loc *time.Location, now time.Time) []slack.Block {
	t := func(id string, kv ...any) string { return cadence.UIText(lang, "home."+id, kv...) }
	if loc == nil {
		loc = time.UTC
	}
	out := []slack.Block{slack.NewDividerBlock(), slack.NewSectionBlock(markdown("*"+t("followups")+"*"), nil, nil)}
	if len(fus) == 0 {
		return append(out, slack.NewContextBlock("", markdown(t("followups_none"))))
	}
	fus = slices.Clone(fus)
	slices.SortStableFunc(fus, func(x, y *cadence.FollowUp) int {
		if c := x.Due.In(time.UTC).Compare(y.Due.In(time.UTC)); c != 0 {
			return c
		}
		return x.Number - y.Number
	})
	for i, f := range fus {
		if i == maxHomeFollowUps {
			out = append(out, slack.NewContextBlock("", markdown(t("followups_more", "N", len(fus)-i))))
			break
		}
		day := cadence.UIText(lang, "format.day", "Weekday", cadence.UIText(lang, "weekday."+strings.ToLower(f.Due.In(time.UTC).Weekday().String()[:3])),
			"Day", f.Due.In(time.UTC).Day(), "Month", cadence.UIText(lang, "month."+strings.ToLower(f.Due.In(time.UTC).Month().String()[:3])))
		due := t("due", "Day", day)
		if !now.Before(f.Deadline(loc)) {
			due = ":warning: " + t("overdue", "Day", day)
		}
		inc := cadence.IncidentID(f.Incident)
		if t := incidentTitles[f.Incident]; t != "" {
			inc += " " + t
		}
		text := fmt.Sprintf("*%s* %s\n%s · %s", f.ID(), escape(f.Title), due, escape(inc))
		if now.Before(f.SnoozedUntil) {
			text += " · " + t("snoozed")
		}
		out = append(out, slack.NewSectionBlock(markdown(truncate(text, maxSectionText)), nil, nil))
		var btns []slack.BlockElement
		for _, act := range []struct {
			id, label string
			style     slack.Style
		}{
			{ops.ActionFollowUpDone, cadence.UIText(lang, "followup.done"), slack.StylePrimary},
			{ops.ActionFollowUpSnooze, cadence.UIText(lang, "followup.snooze"), slack.StyleDefault},
			{ops.ActionFollowUpReassign, cadence.UIText(lang, "followup.reassign"), slack.StyleDefault},
		} {
			b := slack.NewButtonBlockElement(act.id, f.ID(), plain(act.label))
			b.Style = act.style
			btns = append(btns, b)
		}
		out = append(out, slack.NewActionBlock("fu_"+f.ID(), btns...))
	}
	return out
}
