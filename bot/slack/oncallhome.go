package slack

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// homeOnCall adds "On call" (who is on call now and next in each
// rotation, in the person's zone) to the App Home, before its footer.
// Without rotations the home is left as it is.
func (a *Adapter) homeOnCall(ctx context.Context, p *cadence.Person, view *slack.HomeTabViewRequest) error {
	oc, ok := a.svc.(bot.OnCallBackend)
	if !ok || len(oc.Rotations()) == 0 {
		return nil
	}
	now, err := oc.OnCall(ctx, a.clock.Now())
	if err != nil {
		return fmt.Errorf("on call: %w", err)
	}
	name := func(id string) string {
		if q := a.svc.Roster().Person(id); q != nil && q.Name != "" {
			return q.Name
		}
		return id
	}
	lang := a.svc.Roster().LanguageOf(p.ID)
	lines := bot.OnCallLinesIn(lang, now, name, p.Location)
	extra := []slack.Block{slack.NewDividerBlock(),
		slack.NewSectionBlock(markdown("*"+cadence.UIText(lang, "oncall.title")+"*\n"+escape(strings.Join(lines, "\n"))), nil, nil)}
	blocks := view.Blocks.BlockSet
	if room := maxHomeBlocks - len(blocks); len(extra) > room {
		return nil
	}
	at := max(len(blocks)-1, 0)
	view.Blocks.BlockSet = append(blocks[:at:at], append(extra, blocks[at:]...)...)
	return nil
}
