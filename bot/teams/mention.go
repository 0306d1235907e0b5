package teams

import (
	"strings"

	"github.com/cadencebot/cadencebot/cadence"
)

// Teams shows the people and instants a message names as mentions and as
// dates in each reader's own zone: a person becomes <at>Name</at> with a
// mention entity in the card's msteams part (Teams requires one entity
// per <at> text), an instant the card's DATE and TIME functions
// (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format).
// A person without a Teams id in the roster is written by name.

// teamsIDs maps a roster person to their Teams user id (29:… or the
// Entra object id, both accepted in a mention).
type teamsIDs func(personID string) (string, bool)

// cardText writes message text for a card: plain runs escaped for
// Markdown (markdown.go), people as mentions, instants as DATE/TIME.
func (ids teamsIDs) cardText(s string) string {
	return cadence.ExpandInline(s, mdText, func(in cadence.Inline) string {
		switch in.Kind {
		case cadence.InlinePerson:
			if _, ok := ids.lookup(in.Value); ok {
				return atText(in.Fallback)
			}
		case cadence.InlineTime:
			iso := in.Time().Format("2006-01-02T15:04:05Z")
			return "{{DATE(" + iso + ", SHORT)}} {{TIME(" + iso + ")}}"
		case cadence.InlineLink:
			if u, ok := cadence.WebURL(in.Value); ok {
				// A TextBlock's Markdown link; the URL cannot end it early.
				return "[" + mdText(in.Fallback) + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(u) + ")"
			}
		}
		return mdText(in.Fallback)
	})
}

func (ids teamsIDs) lookup(personID string) (string, bool) {
	if ids == nil {
		return "", false
	}
	id, ok := ids(personID)
	return id, ok && id != ""
}

// mentionEntities lists the mention entity of every person the body names
// whose Teams id is known, once each.
func (ids teamsIDs) mentionEntities(b cadence.Body) []Entity {
	seen := map[string]bool{}
	var out []Entity
	visit := func(s string) {
		cadence.ExpandInline(s, func(string) string { return "" }, func(in cadence.Inline) string {
			if in.Kind != cadence.InlinePerson || seen[in.Value] {
				return ""
			}
			if id, ok := ids.lookup(in.Value); ok {
				seen[in.Value] = true
				out = append(out, Entity{Type: "mention", Text: atText(in.Fallback), Mentioned: &ChannelAccount{ID: id, Name: in.Fallback}})
			}
			return ""
		})
	}
	visit(b.Title)
	visit(b.Text)
	visit(b.Footer)
	for _, s := range b.Sections {
		visit(s.Heading)
		for _, l := range s.Lines {
			visit(l)
		}
		for _, e := range s.Entries {
			visit(e.Label)
			visit(e.Text)
		}
	}
	return out
}

func atText(name string) string { return "<at>" + name + "</at>" }

// attachMentions gives a card activity the entities of the mentions its
// text holds: each part of a split summary carries only its own, and is
// measured with them.
func attachMentions(act *Activity, ents []Entity) {
	if len(ents) == 0 {
		return
	}
	for _, att := range act.Attachments {
		c, ok := att.Content.(*adaptiveCard)
		if !ok {
			continue
		}
		raw, err := marshal(c.Body)
		if err != nil {
			continue // not a card this package drew
		}
		for _, e := range ents {
			if strings.Contains(string(raw), e.Text) {
				if c.MSTeams == nil {
					c.MSTeams = &msTeams{}
				}
				c.MSTeams.Entities = append(c.MSTeams.Entities, e)
			}
		}
	}
}
