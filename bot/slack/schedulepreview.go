package slack

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// The ritual modal's "Preview schedule": the button's block_actions
// carries the view (id, hash, state.values); the answer is the view
// again, every typed value set as the initial one (views.update replaces
// the whole view), with the next fire times of what is typed in each
// participant's zone. The hash is Slack's lock: if the view changed since
// the click (another click, a submit), views.update says hash_conflict
// and the newer view stays.

const (
	actionRitualPreview = "ritual_preview"
	blockPreviewButton  = "ritual_preview"
	blockPreviewOut     = "ritual_preview_out"
)

// previewBlocks are the button and what it found (a hint before the
// first click): two blocks, so the questions keep the rest of the 100.
func previewBlocks(lang string, p *bot.PreviewText) []slack.Block {
	btn := slack.NewButtonBlockElement(actionRitualPreview, "preview", plain(truncate(cadence.UIText(lang, "ritual_form.preview"), maxButtonText)))
	out := []slack.Block{slack.NewActionBlock(blockPreviewButton, btn)}
	if p == nil {
		return append(out, slack.NewContextBlock(blockPreviewOut, plain(cadence.UIText(lang, "ritual_form.preview_hint"))))
	}
	return append(out, slack.NewSectionBlock(markdown(truncate(previewMarkdown(p), maxSectionText)), nil, nil, slack.SectionBlockOptionBlockID(blockPreviewOut)))
}

// previewMarkdown writes a preview as one section: the title, a line per
// zone and per fire time, clock changes marked with a warning sign.
func previewMarkdown(p *bot.PreviewText) string {
	var b strings.Builder
	b.WriteString("*" + escape(p.Title) + "*")
	for i, line := range p.Problems {
		if i == 0 {
			b.WriteString("\n:x: " + escape(line))
		} else {
			b.WriteString("\n• " + escape(line))
		}
	}
	for _, z := range p.Zones {
		b.WriteString("\n*" + escape(z.Heading) + "*")
		for _, f := range z.Fires {
			b.WriteString("\n• ")
			if f.DST {
				b.WriteString(":warning: ")
			}
			b.WriteString(escape(f.When))
			if len(f.Notes) > 0 {
				b.WriteString(" — _" + escape(strings.Join(f.Notes, "; ")) + "_")
			}
		}
	}
	return b.String()
}

// ritualPreview asks for the fire times of what is typed, worded in the
// person's language; failures that are ours are logged.
func (a *Adapter) ritualPreview(ctx context.Context, person *cadence.Person, id string, values map[string]string) *bot.PreviewText {
	lang := a.svc.Roster().LanguageOf(person.ID)
	zones, err := a.opts.forms.Preview(ctx, id, values)
	p, internal := bot.WordPreview(lang, zones, err)
	if internal {
		a.log.Error().Err(err).Str("person", person.ID).Str("ritual", id).Msg("previewing a ritual's schedule failed")
	}
	return &p
}

// previewClick answers the button: the same view, what was typed kept,
// the preview filled in.
func (a *Adapter) previewClick(ctx context.Context, cb *slack.InteractionCallback, person *cadence.Person) {
	log := a.log.With().Str("person", person.ID).Str("view", cb.View.ID).Logger()
	forms := a.opts.forms
	var d ritualDraft
	if forms == nil || cb.View.ID == "" || cb.View.CallbackID != callbackRitual || json.Unmarshal([]byte(cb.View.PrivateMetadata), &d) != nil {
		log.Warn().Msg("a preview click from no ritual modal ignored")
		return
	}
	if !person.Role.CanRunRituals() {
		log.Warn().Msg("a preview click from someone who may not edit rituals ignored")
		return
	}
	values := ritualValues(cb.View.State)
	id := d.ID
	if id == "" {
		id = strings.TrimSpace(values["id"])
	}
	rf := ritualForm{preview: a.ritualPreview(ctx, person, id, values)}
	v := ritualModal(a.svc.Roster().LanguageOf(person.ID), forms.Fields(cadence.DefRitual), d, values, rf)
	err := a.updateView(ctx, v, cb.View.ID, cb.View.Hash)
	switch {
	case codeOf(err) == "hash_conflict":
		log.Info().Msg("the ritual modal changed since the preview click; the newer view stays")
	case err != nil:
		log.Warn().Err(err).Msg("showing a schedule preview failed")
	}
}

// updateView replaces an open view; hash, when given, makes Slack refuse
// (hash_conflict) if the view changed since the payload that carried it.
func (a *Adapter) updateView(ctx context.Context, v slack.ModalViewRequest, viewID, hash string) error {
	return a.call(ctx, "views.update", "", func() error {
		_, err := a.api.UpdateViewContext(ctx, v, "", hash, viewID)
		return err
	})
}

// personLoc is where a person's clock is (UTC when unknown).
func personLoc(p *cadence.Person) *time.Location {
	if p == nil || p.Location == nil {
		return time.UTC
	}
	return p.Location
}
