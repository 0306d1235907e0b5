package slack

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/cadence"
)

const (
	maxHomeBlocks  = 100
	maxHomePending = 40
	maxHomeLate    = 10
)

// homeView is a person's App Home: prompts awaiting their answer (with
// Answer / Edit buttons) and the rituals coming up, in their zone.
func homeView(st *cadence.PersonStatus) slack.HomeTabViewRequest {
	return homeViewIn(cadence.DefaultLanguage, st)
}

// homeViewIn is homeView in the person's language lang.
func homeViewIn(lang string, st *cadence.PersonStatus) slack.HomeTabViewRequest {
	t := func(id string, kv ...any) string { return cadence.UIText(lang, "home."+id, kv...) }
	loc := time.UTC
	if st.Person != nil && st.Person.Location != nil {
		loc = st.Person.Location
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(t("title"))),
		slack.NewSectionBlock(markdown("*"+t("waiting")+"*"), nil, nil),
	}
	if len(st.Pending) == 0 {
		blocks = append(blocks, slack.NewContextBlock("", markdown(t("nothing"))))
	}
	for i, p := range st.Pending {
		if i == maxHomePending {
			blocks = append(blocks, slack.NewContextBlock("", markdown(t("more", "N", len(st.Pending)-i))))
			break
		}
		title := p.Occurrence.RitualID
		if p.Ritual != nil {
			title = p.Ritual.Title
		}
		text := fmt.Sprintf("*%s*\n%s", escape(title), t("closes", "Close", slackDate(p.ClosesAt, loc)))
		label, style := cadence.UIText(lang, "action.answer"), slack.StylePrimary
		if p.Answered {
			text += " · " + t("answered")
			label, style = t("edit"), slack.StyleDefault
		}
		btn := slack.NewButtonBlockElement(cadence.ActionAnswer, p.Occurrence.ID, plain(label))
		btn.Style = style
		blocks = append(blocks, slack.NewSectionBlock(markdown(text), nil, slack.NewAccessory(btn)))
	}
	for i, p := range st.Late {
		if i == 0 {
			blocks = append(blocks, slack.NewSectionBlock(markdown("*"+t("late")+"*"), nil, nil))
		}
		if i == maxHomeLate {
			blocks = append(blocks, slack.NewContextBlock("", markdown(t("more", "N", len(st.Late)-i))))
			break
		}
		title := p.Occurrence.RitualID
		if p.Ritual != nil {
			title = p.Ritual.Title
		}
		text := fmt.Sprintf("*%s*\n%s", escape(title), t("late_line", "Close", slackDate(p.ClosesAt, loc), "Until", slackDate(p.LateUntil, loc)))
		btn := slack.NewButtonBlockElement(cadence.ActionAnswer, p.Occurrence.ID, plain(cadence.UIText(lang, "action.answer_late")))
		blocks = append(blocks, slack.NewSectionBlock(markdown(text), nil, slack.NewAccessory(btn)))
	}
	blocks = append(blocks, slack.NewDividerBlock(), slack.NewSectionBlock(markdown("*"+t("coming_up")+"*"), nil, nil))
	if len(st.Upcoming) == 0 {
		blocks = append(blocks, slack.NewContextBlock("", markdown(t("none_scheduled"))))
	}
	var lines []string
	for _, u := range st.Upcoming {
		title := "?"
		if u.Ritual != nil {
			title = u.Ritual.Title
		}
		line := fmt.Sprintf("• %s — %s", escape(title), cadence.UITime(lang, u.At, loc))
		switch {
		case u.Paused:
			line += " _" + cadence.UIText(lang, "cmd.status_paused") + "_"
		case u.Away != nil:
			line += " _" + cadence.UIText(lang, "cmd.status_away") + "_"
		}
		lines = append(lines, line)
	}
	for _, dr := range st.OutOfOffice {
		span := cadence.UIDate(lang, dr.From)
		if dr.To != dr.From {
			span = cadence.UIText(lang, "cmd.span", "From", span, "To", cadence.UIDate(lang, dr.To))
		}
		if dr.Note != "" {
			span += " (" + escape(dr.Note) + ")"
		}
		lines = append(lines, "• "+t("ooo", "Span", span))
	}
	for _, b := range sections(strings.Join(lines, "\n")) {
		if len(blocks) >= maxHomeBlocks-1 {
			break
		}
		blocks = append(blocks, b)
	}
	blocks = append(blocks, slack.NewContextBlock("", markdown(t("footer", "Zone", escape(loc.String())))))
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}
