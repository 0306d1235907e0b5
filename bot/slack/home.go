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
	loc := time.UTC
	if st.Person != nil && st.Person.Location != nil {
		loc = st.Person.Location
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain("Your rituals")),
		slack.NewSectionBlock(markdown("*Waiting for your answer*"), nil, nil),
	}
	if len(st.Pending) == 0 {
		blocks = append(blocks, slack.NewContextBlock("", markdown("Nothing is waiting for you.")))
	}
	for i, p := range st.Pending {
		if i == maxHomePending {
			blocks = append(blocks, slack.NewContextBlock("", markdown(fmt.Sprintf("…and %d more", len(st.Pending)-i))))
			break
		}
		title := p.Occurrence.RitualID
		if p.Ritual != nil {
			title = p.Ritual.Title
		}
		text := fmt.Sprintf("*%s*\ncloses %s", escape(title), slackDate(p.ClosesAt, loc))
		label, style := "Answer", slack.StylePrimary
		if p.Answered {
			text += " · answered ✓"
			label, style = "Edit answer", slack.StyleDefault
		}
		btn := slack.NewButtonBlockElement(cadence.ActionAnswer, p.Occurrence.ID, plain(label))
		btn.Style = style
		blocks = append(blocks, slack.NewSectionBlock(markdown(text), nil, slack.NewAccessory(btn)))
	}
	for i, p := range st.Late {
		if i == 0 {
			blocks = append(blocks, slack.NewSectionBlock(markdown("*You can still answer late*"), nil, nil))
		}
		if i == maxHomeLate {
			blocks = append(blocks, slack.NewContextBlock("", markdown(fmt.Sprintf("…and %d more", len(st.Late)-i))))
			break
		}
		title := p.Occurrence.RitualID
		if p.Ritual != nil {
			title = p.Ritual.Title
		}
		text := fmt.Sprintf("*%s*\nclosed %s · a late answer is taken until %s", escape(title), slackDate(p.ClosesAt, loc), slackDate(p.LateUntil, loc))
		btn := slack.NewButtonBlockElement(cadence.ActionAnswer, p.Occurrence.ID, plain(cadence.LabelAnswerLate))
		blocks = append(blocks, slack.NewSectionBlock(markdown(text), nil, slack.NewAccessory(btn)))
	}
	blocks = append(blocks, slack.NewDividerBlock(), slack.NewSectionBlock(markdown("*Coming up*"), nil, nil))
	if len(st.Upcoming) == 0 {
		blocks = append(blocks, slack.NewContextBlock("", markdown("No rituals scheduled for you.")))
	}
	var lines []string
	for _, u := range st.Upcoming {
		title := "?"
		if u.Ritual != nil {
			title = u.Ritual.Title
		}
		line := fmt.Sprintf("• %s — %s", escape(title), u.At.In(loc).Format("Mon 2 Jan 15:04"))
		switch {
		case u.Paused:
			line += " _(paused)_"
		case u.Away != nil:
			line += " _(you are out of office: no prompt)_"
		}
		lines = append(lines, line)
	}
	for _, dr := range st.OutOfOffice {
		span := dr.From.String()
		if dr.To != dr.From {
			span += " to " + dr.To.String()
		}
		if dr.Note != "" {
			span += " (" + escape(dr.Note) + ")"
		}
		lines = append(lines, "• Out of office "+span)
	}
	for _, b := range sections(strings.Join(lines, "\n")) {
		if len(blocks) >= maxHomeBlocks-1 {
			break
		}
		blocks = append(blocks, b)
	}
	blocks = append(blocks, slack.NewContextBlock("", markdown("Times are in "+escape(loc.String())+". Type `/cadence help` for commands.")))
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}
