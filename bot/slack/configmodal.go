package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// The ritual editor as a modal: `/cadence ritual new [template]` and
// `/cadence ritual edit ID` open it (views.open on the command's
// trigger_id); its inputs are the file's keys, the same bot.ConfigForms
// the web admin page uses. A refused save comes back as response_action
// "errors" on the inputs concerned, and Slack keeps what was typed; a
// save refused as stale comes back as the view again ("update") with
// the newer version and whose change it was, so saving again overwrites
// it on purpose. "Preview schedule" redraws the view (views.update)
// with the next fire times of what is typed (schedulepreview.go).

// callbackRitual is the view's callback_id.
const callbackRitual = "config_ritual"

// maxRitualRows bounds the question rows a modal shows (Slack allows 100
// blocks in a modal).
const maxRitualRows = 12

// boolsBlock is the block of a row's checkboxes: "questions[0].#".
const boolsSuffix = "#"

// WithConfigForms turns on `/cadence ritual new|edit`.
func WithConfigForms(f bot.ConfigForms) Option { return func(o *options) { o.forms = f } }

// ritualDraft is the modal's private_metadata.
type ritualDraft struct {
	ID      string `json:"id,omitempty"` // empty: new
	Version int64  `json:"v,omitempty"`
	Channel string `json:"c,omitempty"` // where to confirm
}

// ritualCommand opens the editor for `ritual new [template]` and `ritual
// edit ID`. ok is false for other commands.
func (a *Adapter) ritualCommand(ctx context.Context, person *cadence.Person, cmd slack.SlashCommand) (*slack.Msg, bool) {
	f := strings.Fields(cmd.Text)
	if len(f) < 2 || !strings.EqualFold(f[0], "ritual") || (!strings.EqualFold(f[1], "new") && !strings.EqualFold(f[1], "edit")) {
		return nil, false
	}
	say := func(text string) (*slack.Msg, bool) {
		return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: text}, true
	}
	lang := a.svc.Roster().LanguageOf(person.ID)
	t := func(id string, kv ...any) string { return cadence.UIText(lang, "ritual_form."+id, kv...) }
	forms := a.opts.forms
	switch {
	case forms == nil:
		return say(t("off"))
	case !person.Role.CanRunRituals():
		return say(t("refused_role", "Role", cadence.UIText(lang, "cmd.role_"+string(person.Role))))
	}
	d := ritualDraft{Channel: cmd.ChannelID}
	values := map[string]string{}
	if strings.EqualFold(f[1], "new") {
		if len(f) > 3 {
			return say(t("usage_new"))
		}
		if len(f) == 3 {
			tpls := forms.Templates()
			i := slices.IndexFunc(tpls, func(t bot.FormTemplate) bool { return strings.EqualFold(t.Name, f[2]) })
			if i < 0 {
				var names []string
				for _, t := range tpls {
					names = append(names, "`"+t.Name+"`")
				}
				return say(t("no_template", "Name", f[2], "Names", strings.Join(names, ", ")))
			}
			for k, v := range tpls[i].Values {
				values[k] = v
			}
		}
	} else {
		if len(f) != 3 {
			return say(t("usage_edit"))
		}
		v, def, err := forms.Load(ctx, cadence.DefRitual, strings.ToLower(f[2]))
		switch {
		case errors.Is(err, cadence.ErrNotFound):
			return say(t("not_found", "ID", f[2]))
		case err != nil:
			a.log.Error().Err(err).Str("ritual", f[2]).Msg("loading a ritual to edit failed")
			return say(t("read_failed"))
		}
		values, d.ID, d.Version = v, def.ID, def.Version
	}
	rf := ritualForm{lang: lang}
	if d.ID != "" { // an existing ritual opens with its next fire times
		rf.preview = a.ritualPreview(ctx, person, d.ID, values)
	}
	if err := a.openView(ctx, cmd.TriggerID, ritualModal(lang, forms.Fields(cadence.DefRitual), d, values, rf)); err != nil {
		a.log.Warn().Err(err).Str("person", person.ID).Msg("opening the ritual modal failed")
		return say(viewFailure(err, "the ritual"))
	}
	return nil, true
}

// ritualForm is what a ritual modal shows besides its inputs: the
// schedule preview (nil: not asked yet) and a notice on top (a save
// refused as stale).
type ritualForm struct {
	lang    string
	preview *bot.PreviewText
	notice  string
}

// ritualModal lays out one input per key; question rows get their text
// inputs and one group of checkboxes each. The preview button and its
// answer come before the questions, next to the schedule they are about.
// Question rows take what the 100 blocks leave.
func ritualModal(lang string, fields []bot.FormField, d ritualDraft, values map[string]string, rf ritualForm) slack.ModalViewRequest {
	rf.lang = lang
	md, _ := jsonString(d)
	t := func(id string, kv ...any) string { return cadence.UIText(lang, "ritual_form."+id, kv...) }
	title := t("title_new")
	if d.ID != "" {
		title = t("title_short", "ID", d.ID)
	}
	var blocks []slack.Block
	if rf.notice != "" {
		blocks = append(blocks, slack.NewSectionBlock(markdown(truncate(":warning: "+escape(rf.notice), maxSectionText)), nil, nil))
	}
	preview := previewBlocks(rf.lang, rf.preview)
	fixed, perRow := len(blocks)+len(preview), 0
	for _, f := range fields {
		switch f.Kind {
		case "tables":
			fixed += 2
			perRow = 0
			hasBools := false
			for _, sf := range f.Sub {
				if sf.Kind == "bool" {
					hasBools = true
				} else {
					perRow++
				}
			}
			if hasBools {
				perRow++
			}
		default:
			fixed++
		}
	}
	previewed := false
	addPreview := func() {
		if !previewed {
			blocks, previewed = append(blocks, preview...), true
		}
	}
	for _, f := range fields {
		switch {
		case f.Key == "id" && d.ID != "":
			blocks = append(blocks, slack.NewContextBlock("id", markdown("*id* "+escape(d.ID)+" · "+t("version", "Version", d.Version))))
		case f.Kind == "tables":
			addPreview()
			blocks = append(blocks, slack.NewHeaderBlock(plain(strings.ReplaceAll(f.Key, "_", " "))))
			if f.Help != "" {
				blocks = append(blocks, slack.NewContextBlock("", plain(f.Help)))
			}
			have := rowsOf(values, f.Key)
			rows := min(have+1, maxRitualRows)
			if perRow > 0 {
				rows = max(min(rows, (maxModalBlocks-fixed)/perRow), 0)
			}
			if have > rows {
				// Rows a modal cannot show would be missing from its
				// submission, and saving would drop them: say where the
				// whole ritual can be edited instead of opening a form.
				return tooManyRowsModal(title, t("too_many_rows", "Count", have, "Key", f.Key, "Max", rows))
			}
			for i := range rows {
				prefix := fmt.Sprintf("%s[%d].", f.Key, i)
				var bools []bot.FormField
				for _, sf := range f.Sub {
					if sf.Kind == "bool" {
						bools = append(bools, sf)
						continue
					}
					blocks = append(blocks, fieldInput(prefix+sf.Key, fmt.Sprintf("%d. %s", i+1, sf.Key), sf, values))
				}
				if len(bools) > 0 {
					blocks = append(blocks, checkboxes(prefix+boolsSuffix, fmt.Sprintf("%d. %s", i+1, t("options")), prefix, bools, values))
				}
			}
		case f.Kind == "bool":
			blocks = append(blocks, checkboxes(f.Key+boolsSuffix, strings.ReplaceAll(f.Key, "_", " "), "", []bot.FormField{f}, values))
		default:
			blocks = append(blocks, fieldInput(f.Key, strings.ReplaceAll(f.Key, "_", " "), f, values))
		}
	}
	addPreview()
	return modal(callbackRitual, title, t("save"), md, blocks...)
}

// tooManyRowsModal is a modal with no inputs and no submit button (Slack
// refuses a submit on a view without inputs): only the reason and Close.
func tooManyRowsModal(title, text string) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: callbackRitual,
		Title: plain(truncate(title, maxModalTitle)), Close: plain("OK"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(markdown(truncate(escape(text), maxSectionText)), nil, nil)}},
	}
}

func fieldInput(block, label string, f bot.FormField, values map[string]string) *slack.InputBlock {
	in := textInput(block, label, values[block], f.Kind == "list", 3000, block != "id")
	if f.Help != "" {
		in.Hint = plain(truncate(f.Help, 2000))
	}
	return in
}

func checkboxes(block, label, prefix string, fs []bot.FormField, values map[string]string) *slack.InputBlock {
	var opts, initial []*slack.OptionBlockObject
	for _, f := range fs {
		o := option(prefix+f.Key, strings.ReplaceAll(f.Key, "_", " "))
		if f.Help != "" {
			o.Description = plain(truncate(f.Help, maxOptionText))
		}
		opts = append(opts, o)
		if values[prefix+f.Key] != "" {
			initial = append(initial, o)
		}
	}
	el := slack.NewCheckboxGroupsBlockElement(block, opts...)
	el.InitialOptions = initial
	in := slack.NewInputBlock(block, plain(label), nil, el)
	in.Optional = true
	return in
}

func rowsOf(values map[string]string, key string) int {
	n := 0
	for k, v := range values {
		if v == "" { // an empty row (the one to add a question) is not a row
			continue
		}
		if rest, ok := strings.CutPrefix(k, key+"["); ok {
			var i int
			if _, err := fmt.Sscanf(rest, "%d]", &i); err == nil && i+1 > n {
				n = i + 1
			}
		}
	}
	return n
}

// ritualValues reads the modal's inputs back as form values.
func ritualValues(st *slack.ViewState) map[string]string {
	values := map[string]string{}
	if st == nil {
		return values
	}
	for block, actions := range st.Values {
		a, ok := actions[block]
		if !ok {
			continue
		}
		if strings.HasSuffix(block, boolsSuffix) {
			for _, o := range a.SelectedOptions {
				values[o.Value] = "true"
			}
			continue
		}
		values[block] = a.Value
	}
	return values
}

// submitRitual saves the modal. Problems go next to their inputs: a
// field's block, a question's checkbox group, else the first input.
func (a *Adapter) submitRitual(ctx context.Context, cb *slack.InteractionCallback, person *cadence.Person) *slack.ViewSubmissionResponse {
	var d ritualDraft
	lang := a.svc.Roster().LanguageOf(person.ID)
	t := func(id string, kv ...any) string { return cadence.UIText(lang, "ritual_form."+id, kv...) }
	first := firstBlock(cb.View)
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &d); err != nil {
		return modalErrors(map[string]string{first: t("broken")})
	}
	forms := a.opts.forms
	if forms == nil {
		return modalErrors(map[string]string{first: t("off")})
	}
	values := ritualValues(cb.View.State)
	id := d.ID
	if id == "" {
		id = strings.TrimSpace(values["id"])
	}
	saved, err := forms.Save(ctx, person.ID, cadence.DefRitual, id, d.Version, values)
	if err == nil {
		a.log.Info().Str("person", person.ID).Str("ritual", saved.ID).Int64("version", saved.Version).Msg("ritual saved from a modal")
		if d.Channel != "" {
			user, text := cb.User.ID, t("saved", "ID", "*"+escape(saved.ID)+"*", "Version", saved.Version)
			a.background(func(ctx context.Context) { a.ephemeral(ctx, d.Channel, user, text) })
		}
		return nil
	}
	// The inputs: the view's blocks, and every block in its state (Slack
	// sends both; the state alone is enough).
	blocks := map[string]bool{}
	for _, b := range cb.View.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			blocks[in.BlockID] = true
		}
	}
	for b := range stateValues(cb.View.State) {
		blocks[b] = true
	}
	if first == "" {
		for _, f := range forms.Fields(cadence.DefRitual) {
			if blocks[f.Key] {
				first = f.Key
				break
			}
		}
	}
	var fe cadence.FieldErrors
	var stale *ops.StaleError
	errs := map[string]string{}
	put := func(block, msg string) {
		if errs[block] != "" {
			errs[block] += "; "
		}
		errs[block] += msg
	}
	switch {
	case errors.As(err, &fe):
		for k, msg := range fe {
			switch {
			case blocks[k]:
				put(k, msg)
			case blocks[boolsBlock(k)]:
				put(boolsBlock(k), msg)
			default:
				if k != "" {
					msg = k + ": " + msg
				}
				put(first, msg)
			}
		}
	case errors.As(err, &stale) && !stale.Deleted:
		// The view takes the newer version and says whose change it is,
		// so a second Save overwrites it on purpose.
		lang := a.svc.Roster().LanguageOf(person.ID)
		d.Version = stale.Version
		notice := cadence.UIText(lang, "ritual_form.stale", "By", stale.By, "At", cadence.UITime(lang, stale.At, personLoc(person)), "Version", stale.Version)
		v := ritualModal(lang, forms.Fields(cadence.DefRitual), d, values, ritualForm{notice: notice})
		return slack.NewUpdateViewSubmissionResponse(&v)
	case errors.As(err, &stale):
		put(first, stale.Error())
	case bot.IsUserError(err):
		put(first, err.Error())
	default:
		a.log.Error().Err(err).Str("person", person.ID).Str("ritual", id).Msg("saving a ritual from a modal failed")
		put(first, t("failed"))
	}
	for k, v := range errs {
		errs[k] = truncate(v, 2000)
	}
	return modalErrors(errs)
}

// boolsBlock is the checkbox group holding a boolean input's option.
func boolsBlock(key string) string {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[:i+1] + boolsSuffix
	}
	return key + boolsSuffix
}

func stateValues(st *slack.ViewState) map[string]map[string]slack.BlockAction {
	if st == nil {
		return nil
	}
	return st.Values
}
