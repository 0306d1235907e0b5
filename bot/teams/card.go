package teams

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// Adaptive Card schema elements cadencebot uses; each card declares the
// lowest version it needs (cardversion.go).
const (
	cardSchema = "http://adaptivecards.io/schemas/adaptive-card.json"
	// inputPrefix namespaces question inputs in a submit's value, which
	// also carries "action" and "occurrence".
	inputPrefix = "q_"
)

type adaptiveCard struct {
	Schema  string `json:"$schema"`
	Type    string `json:"type"`
	Version string `json:"version"`
	// FallbackText is what a client that cannot render this version shows.
	FallbackText string   `json:"fallbackText,omitempty"`
	Body         []any    `json:"body"`
	Actions      []any    `json:"actions,omitempty"`
	MSTeams      *msTeams `json:"msteams,omitempty"`
}

type msTeams struct {
	Width    string   `json:"width,omitempty"`
	Entities []Entity `json:"entities,omitempty"` // mentions (mention.go)
}

type textBlock struct {
	Type      string `json:"type"`
	Text      string `json:"text"`
	Wrap      bool   `json:"wrap"`
	Size      string `json:"size,omitempty"`
	Weight    string `json:"weight,omitempty"`
	Color     string `json:"color,omitempty"`
	IsSubtle  bool   `json:"isSubtle,omitempty"`
	Spacing   string `json:"spacing,omitempty"`
	Separator bool   `json:"separator,omitempty"`
}

type container struct {
	Type  string `json:"type"`
	Style string `json:"style,omitempty"`
	Bleed bool   `json:"bleed,omitempty"`
	Items []any  `json:"items"`
}

type inputText struct {
	Type         string `json:"type"`
	ID           string `json:"id"`
	Label        string `json:"label"`
	IsMultiline  bool   `json:"isMultiline"`
	IsRequired   bool   `json:"isRequired,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
	MaxLength    int    `json:"maxLength,omitempty"`
	Value        string `json:"value,omitempty"`
}

type actionSubmit struct {
	Type             string     `json:"type"`
	Title            string     `json:"title"`
	Style            string     `json:"style,omitempty"`
	Data             submitData `json:"data"`
	AssociatedInputs string     `json:"associatedInputs,omitempty"`
}

// submitData comes back in the message activity's value when a button is
// pressed, merged with the card's inputs. Ritual buttons carry the
// occurrence; MLOps buttons the item they act on and the outbox key of
// the message, so the card can be redrawn in place with the result.
type submitData struct {
	Action     string `json:"action"`
	Occurrence string `json:"occurrence,omitempty"`
	Value      string `json:"value,omitempty"`
	Key        string `json:"key,omitempty"`
}

// cardOptions change how a card is drawn: a prompt after a submit, an
// MLOps notice after a click, the people a follow-up can be reassigned to.
type cardOptions struct {
	errors map[string]string // question ID → what is wrong
	values map[string]string // typed values, kept when errors are shown
	note   string            // a line above the actions ("Saved at ...")
	closed bool              // a click ended what the card asks: no buttons
	people []choice          // the roster, for a Reassign button
	ids    teamsIDs          // people's Teams ids, for mentions (mention.go)
	// ooo words the out-of-office form of a person's prompt
	// (personcontrols.go); nil draws the button as a plain submit.
	ooo func(personID string) *oooForm
}

// headerStyle gives each kind a recognisable band of colour.
var headerStyle = map[cadence.MessageKind]string{
	cadence.KindAgenda:   "accent",
	cadence.KindPrompt:   "emphasis",
	cadence.KindReminder: "warning",
	cadence.KindSummary:  "good",
	cadence.KindNotice:   "attention",
	cadence.KindDigest:   "accent",
}

// cardParts are the pieces of a card before it is assembled: a header, the
// content elements (which may be split across activities), and the trailer
// (inputs, note, footer) and actions that stay on the last part.
type cardParts struct {
	header  []any
	content []any
	trailer []any
	actions []any
	// image follows the content when the whole card fits in one activity
	// with it; otherwise imageAlt takes its place (see render).
	image, imageAlt any
}

func buildParts(m *cadence.Message, o cardOptions) cardParts {
	b, text := m.Body, o.ids.cardText
	var p cardParts
	head := []any{textBlock{Type: "TextBlock", Text: text(b.Title), Wrap: true, Size: "Large", Weight: "Bolder"}}
	if b.Text != "" && b.Text != b.Title {
		head = append(head, textBlock{Type: "TextBlock", Text: text(b.Text), Wrap: true, Spacing: "Small"})
	}
	p.header = []any{container{Type: "Container", Style: headerStyle[m.Kind], Bleed: true, Items: head}}
	for _, s := range b.Sections {
		if s.Heading != "" {
			p.content = append(p.content, textBlock{Type: "TextBlock", Text: text(s.Heading), Wrap: true, Weight: "Bolder", Spacing: "Medium", Separator: true})
		}
		for _, l := range s.Lines {
			p.content = append(p.content, textBlock{Type: "TextBlock", Text: "• " + text(l), Wrap: true, Spacing: "Small"})
		}
		// A question over its answer, so the two never run together.
		for _, e := range s.Entries {
			p.content = append(p.content,
				textBlock{Type: "TextBlock", Text: text(e.Label), Wrap: true, IsSubtle: true, Spacing: "Small"},
				textBlock{Type: "TextBlock", Text: text(e.Text), Wrap: true, Spacing: "None"})
		}
	}
	if img := b.Image; img != nil && len(img.PNG) > 0 {
		p.image, p.imageAlt = imageElement(img), imageAltLine(img)
	}
	// Prompts and reminders carry the questions: either card can be
	// answered where it is.
	answering := len(b.Questions) > 0
	if answering {
		p.trailer = append(p.trailer, questionInputs(b, o, !hasOOOForm(m, o))...)
	}
	if o.note != "" {
		p.trailer = append(p.trailer, textBlock{Type: "TextBlock", Text: mdText(o.note), Wrap: true, Color: "Good", Spacing: "Medium"})
	}
	if b.Footer != "" {
		p.trailer = append(p.trailer, textBlock{Type: "TextBlock", Text: text(b.Footer), Wrap: true, Size: "Small", IsSubtle: true, Spacing: "Medium"})
	}
	if !o.closed {
		p.actions = cardActions(m, answering, o)
	}
	return p
}

// questionInputs draws one input per question, of the kind its type asks
// for (questioninput.go), pre-filled with
// the previous answer (editing) or the values just typed (errors), with
// each error in red under its input.
func questionInputs(b cadence.Body, o cardOptions, clientRequired bool) []any {
	var items []any
	for _, q := range b.Questions {
		value := b.Prefill[q.ID]
		if v, ok := o.values[q.ID]; ok {
			value = v
		}
		items = append(items, questionInput(b.Questions, &q, value, clientRequired)...)
		if e, ok := o.errors[q.ID]; ok {
			items = append(items, textBlock{Type: "TextBlock", Text: "⚠ " + mdText(e), Wrap: true, Color: "Attention", Spacing: "None"})
		}
	}
	for _, id := range slices.Sorted(maps.Keys(o.errors)) { // errors not tied to a question of this card
		if questionIndex(b.Questions, id) < 0 {
			items = append(items, textBlock{Type: "TextBlock", Text: "⚠ " + mdText(id+": "+o.errors[id]), Wrap: true, Color: "Attention"})
		}
	}
	return items
}

func questionIndex(qs []cadence.Question, id string) int {
	for i, q := range qs {
		if q.ID == id {
			return i
		}
	}
	return -1
}

// cardActions turns the body's buttons into Action.Submit. On a prompt the
// first action submits the inputs; the others (skip, out of office) must
// not be blocked by required inputs, hence associatedInputs "none".
func cardActions(m *cadence.Message, answering bool, o cardOptions) []any {
	var out []any
	if answering {
		// The questions were put in the reader's language (Question.In);
		// the button follows them.
		lang := m.Body.Questions[0].Lang
		title := cadence.UIText(lang, "card.submit")
		switch {
		case len(m.Body.Prefill) > 0:
			title = cadence.UIText(lang, "card.update")
		case slices.ContainsFunc(m.Body.Actions, func(a cadence.Action) bool { return a.Late || a.Label == cadence.LabelAnswerLate }):
			title = cadence.UIText(lang, "card.submit_late") // after the close: say so on the button
		}
		out = append(out, actionSubmit{Type: "Action.Submit", Title: title, Style: "positive",
			Data: submitData{Action: cadence.ActionAnswer, Occurrence: m.OccurrenceID}})
	}
	for _, a := range m.Body.Actions {
		if answering && a.ID == cadence.ActionAnswer {
			continue
		}
		if ops.IsAction(a.ID) {
			out = append(out, opsAction(m, a, o.people))
			continue
		}
		occ := a.Value
		if occ == "" {
			occ = m.OccurrenceID
		}
		if a.ID == cadence.ActionOOO && hasOOOForm(m, o) {
			if f := o.ooo(m.To.Person); f != nil {
				out = append(out, oooAction(a.Label, occ, f))
				continue
			}
		}
		s := actionSubmit{Type: "Action.Submit", Title: a.Label, Style: actionStyle(a.Style),
			Data: submitData{Action: a.ID, Occurrence: occ}}
		if answering {
			s.AssociatedInputs = "none"
		}
		out = append(out, s)
	}
	return out
}

func actionStyle(s string) string {
	switch s {
	case "primary":
		return "positive"
	case "danger":
		return "destructive"
	}
	return ""
}

func newCard(body, actions []any, fallback string) *adaptiveCard {
	if body == nil {
		body = []any{}
	}
	return &adaptiveCard{Schema: cardSchema, Type: "AdaptiveCard", Version: cardVersion(body, actions), FallbackText: fallback,
		Body: body, Actions: actions, MSTeams: &msTeams{Width: "Full"}}
}

// fallbackText is the title and the text of m, for a client that cannot
// draw the card.
func fallbackText(m *cadence.Message) string {
	s := cadence.PlainText(m.Body.Title)
	if t := cadence.PlainText(m.Body.Text); t != "" && t != s {
		if s != "" {
			s += "\n\n"
		}
		s += t
	}
	return s
}

// cardActivity wraps a card in a message activity; summary is the
// notification text Teams shows in the activity feed.
func cardActivity(c *adaptiveCard, summary string) *Activity {
	return &Activity{Type: typeMessage, Summary: summary,
		Attachments: []Attachment{{ContentType: contentTypeCard, Content: c}}}
}

// continued titles the later parts of a split message.
func continued(title string, part, total int) string {
	return title + " (" + strconv.Itoa(part) + "/" + strconv.Itoa(total) + ")"
}

// marshal encodes without HTML escaping: cards carry text with < and &,
// and \u003c would only make activities bigger.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
