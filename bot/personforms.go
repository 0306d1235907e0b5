package bot

import (
	"context"
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// Adding, changing and removing people from chat, shared by the Slack
// modal, the Teams card and the local chat: who may, which inputs the
// form has (ConfigForms.Fields of a person, labelled in the actor's
// language), what a refused save says next to which input, and what a
// removal does. Adapters draw the form their way and call these with what
// was typed; the checks are the config file's, through ConfigForms.

// PersonForm is the person editor as an adapter draws it.
type PersonForm struct {
	ID      string // empty: a new person
	Version int64  // the stored version the form started from
	Title   string
	// IDLine replaces the id input when editing ("ana · version 3").
	IDLine string
	Submit string
	Inputs []PersonInput
	// Top holds problems that belong to no input (a concurrent edit).
	Top string
}

// PersonInput is one input of the form with what was typed and its
// problem; Key is the file's key (block id, input id, form name).
type PersonInput struct {
	Key, Kind, Label, Help, Value, Error string
}

// PersonRemoval is the confirmation a removal asks for.
type PersonRemoval struct {
	ID      string
	Version int64
	Title   string
	Lines   []string // what happens, one sentence a line
	Confirm string   // the button
}

// PersonTitleMax bounds form titles (Slack allows 24 characters).
const personTitleMax = 24

func personLang(svc cadence.Service, actor *cadence.Person) string {
	return svc.Roster().LanguageOf(actor.ID)
}

// personGate refuses actors who may not edit people; "" lets them.
func personGate(forms ConfigForms, svc cadence.Service, actor *cadence.Person) string {
	lang := personLang(svc, actor)
	switch {
	case forms == nil:
		return cadence.UIText(lang, "person_form.off")
	case !actor.Role.CanRunRituals():
		return cadence.UIText(lang, "person_form.refused_role", "Role", string(actor.Role))
	}
	return ""
}

// personItem finds a person among those in force, file or store.
func personItem(ctx context.Context, forms ConfigForms, id string) (*ConfigItem, error) {
	items, err := forms.Items(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(items, func(it ConfigItem) bool { return it.Kind == cadence.DefPerson && it.ID == id })
	if i < 0 {
		return nil, nil
	}
	return &items[i], nil
}

// fileOf names the config file an item is in, for "edit it there".
func fileOf(lang string, it *ConfigItem) string {
	if it.File != "" {
		return it.File
	}
	return cadence.UIText(lang, "person_form.example_file")
}

// storedPerson loads a person made from chat or the web; refusal says
// why there is none to edit (in the file, unknown).
func storedPerson(ctx context.Context, forms ConfigForms, lang, id string) (map[string]string, *cadence.Definition, string, error) {
	values, def, err := forms.Load(ctx, cadence.DefPerson, id)
	if err == nil {
		return values, def, "", nil
	}
	if !errors.Is(err, cadence.ErrNotFound) {
		return nil, nil, cadence.UIText(lang, "person_form.read_failed", "ID", id), err
	}
	it, ierr := personItem(ctx, forms, id)
	switch {
	case ierr != nil:
		return nil, nil, cadence.UIText(lang, "person_form.read_failed", "ID", id), ierr
	case it != nil && !it.InStore:
		return nil, nil, cadence.UIText(lang, "person_form.in_file", "ID", id, "File", fileOf(lang, it)), nil
	}
	return nil, nil, cadence.UIText(lang, "person_form.not_found", "ID", id), nil
}

// OpenPersonForm answers `person new` and `person edit ID`: the form to
// show, or a refusal to say instead (role, file-managed, unknown). err
// is a fault of the bot, to log; refusal then says so.
func OpenPersonForm(ctx context.Context, forms ConfigForms, svc cadence.Service, actor *cadence.Person, cmd Command) (form *PersonForm, refusal string, err error) {
	if r := personGate(forms, svc, actor); r != "" {
		return nil, r, nil
	}
	lang := personLang(svc, actor)
	if cmd.Sub == "new" {
		return newPersonForm(forms, lang, "", 0, map[string]string{}), "", nil
	}
	values, def, refusal, err := storedPerson(ctx, forms, lang, cmd.Person)
	if refusal != "" || err != nil {
		return nil, refusal, err
	}
	return newPersonForm(forms, lang, def.ID, def.Version, values), "", nil
}

func newPersonForm(forms ConfigForms, lang, id string, version int64, values map[string]string) *PersonForm {
	f := &PersonForm{ID: id, Version: version, Title: cadence.UIText(lang, "person_form.title_new"), Submit: cadence.UIText(lang, "person_form.save")}
	if id != "" {
		f.Title = cadence.UIText(lang, "person_form.title_edit", "ID", id)
		f.IDLine = cadence.UIText(lang, "person_form.version", "ID", id, "Version", version)
	}
	if len([]rune(f.Title)) > personTitleMax {
		f.Title = string([]rune(f.Title)[:personTitleMax-1]) + "…"
	}
	for _, ff := range forms.Fields(cadence.DefPerson) {
		if ff.Kind == "tables" || (ff.Key == "id" && id != "") {
			continue // people have no tables; an id cannot change
		}
		f.Inputs = append(f.Inputs, PersonInput{Key: ff.Key, Kind: ff.Kind, Label: personLabel(lang, ff.Key),
			Help: personHelp(lang, ff), Value: values[ff.Key]})
	}
	return f
}

// personLabel words a key's label; a key the catalogs lack (added to the
// file later) shows as itself.
func personLabel(lang, key string) string {
	id := "person_form.field." + key + "_label"
	if s := cadence.UIText(lang, id); s != id {
		return s
	}
	return strings.ReplaceAll(key, "_", " ")
}

func personHelp(lang string, ff FormField) string {
	id := "person_form.field." + ff.Key + "_help"
	if s := cadence.UIText(lang, id); s != id {
		return s
	}
	return ff.Help
}

// SubmitPersonForm saves what was typed: done says so in the actor's
// language; or form comes back with each problem next to its input,
// what was typed kept. err is a fault of the bot, to log (the form then
// says saving failed).
func SubmitPersonForm(ctx context.Context, forms ConfigForms, svc cadence.Service, actor *cadence.Person, id string, version int64, values map[string]string) (done string, form *PersonForm, err error) {
	lang := personLang(svc, actor)
	form = newPersonForm(orNoForms(forms), lang, "", 0, values)
	if version > 0 {
		form = newPersonForm(orNoForms(forms), lang, id, version, values)
	}
	if r := personGate(forms, svc, actor); r != "" {
		form.Top = r
		return "", form, nil
	}
	if version == 0 {
		id = strings.ToLower(strings.TrimSpace(values["id"]))
		if id != "" {
			values["id"] = id
			// A person of the file or the store by that id: say which,
			// next to the id, before the editor's general refusal.
			it, ierr := personItem(ctx, forms, id)
			if ierr != nil {
				form.Top = cadence.UIText(lang, "person_form.failed")
				return "", form, ierr
			}
			if it != nil && !it.InStore {
				form.set("id", cadence.UIText(lang, "person_form.duplicate_file", "ID", id, "File", fileOf(lang, it)))
				return "", form, nil
			}
			if it != nil {
				form.set("id", cadence.UIText(lang, "person_form.duplicate", "ID", id))
				return "", form, nil
			}
		}
	}
	saved, err := forms.Save(ctx, actor.ID, cadence.DefPerson, id, version, values)
	if err == nil {
		name := cmpOr(values["name"], saved.ID)
		key := "person_form.saved_edit"
		if version == 0 {
			key = "person_form.saved_new"
		}
		return cadence.UIText(lang, key, "Name", name, "ID", saved.ID, "Version", saved.Version), nil, nil
	}
	var fe cadence.FieldErrors
	var stale *ops.StaleError
	switch {
	case errors.As(err, &fe):
		for _, k := range slices.Sorted(maps.Keys(fe)) {
			form.set(k, fe[k])
		}
	case errors.As(err, &stale):
		at := cadence.UITime(lang, stale.At, locOf(actor))
		if stale.Deleted {
			form.Top = cadence.UIText(lang, "person_form.stale_deleted", "By", stale.By, "At", at)
		} else {
			// The form carries the newer version (a card, a Slack modal
			// redrawn): saving again overwrites theirs, on purpose.
			form = newPersonForm(forms, lang, id, stale.Version, values)
			form.Top = cadence.UIText(lang, "person_form.stale", "By", stale.By, "At", at, "Version", stale.Version)
		}
	case IsUserError(err):
		if f, msg, ok := cadence.ErrorField(err); ok {
			form.set(f, msg)
		} else if t, ok := cadence.RefusalText(err); ok {
			form.set("", t)
		} else {
			form.set("", err.Error())
		}
	default:
		form.Top = cadence.UIText(lang, "person_form.failed")
		return "", form, err
	}
	return "", form, nil
}

// set puts a problem next to input key, or on top when the form has no
// such input ("" or another definition's key).
func (f *PersonForm) set(key, msg string) {
	for i := range f.Inputs {
		if f.Inputs[i].Key == key {
			if f.Inputs[i].Error != "" {
				f.Inputs[i].Error += "; "
			}
			f.Inputs[i].Error += msg
			return
		}
	}
	if key != "" {
		msg = key + ": " + msg
	}
	if f.Top != "" {
		f.Top += "\n"
	}
	f.Top += msg
}

// OpenPersonRemoval answers `person remove ID`: the confirmation saying
// what removing does (ConfigForms.Impact), or a refusal.
func OpenPersonRemoval(ctx context.Context, forms ConfigForms, svc cadence.Service, actor *cadence.Person, id string) (*PersonRemoval, string, error) {
	if r := personGate(forms, svc, actor); r != "" {
		return nil, r, nil
	}
	lang := personLang(svc, actor)
	values, def, refusal, err := storedPerson(ctx, forms, lang, id)
	if refusal != "" || err != nil {
		return nil, refusal, err
	}
	im, err := forms.Impact(ctx, cadence.DefPerson, def.ID)
	if err != nil {
		return nil, cadence.UIText(lang, "person_form.read_failed", "ID", id), err
	}
	name := cmpOr(values["name"], def.ID)
	rm := &PersonRemoval{ID: def.ID, Version: def.Version, Confirm: cadence.UIText(lang, "person_form.remove"),
		Title: cadence.UIText(lang, "person_form.remove_title", "ID", def.ID)}
	if len([]rune(rm.Title)) > personTitleMax {
		rm.Title = string([]rune(rm.Title)[:personTitleMax-1]) + "…"
	}
	rm.Lines = append(rm.Lines, cadence.UIText(lang, "person_form.remove_intro", "Name", name, "ID", def.ID))
	if rs := ritualsOf(svc, def.ID); len(rs) > 0 {
		rm.Lines = append(rm.Lines, cadence.UIText(lang, "person_form.remove_rituals", "Rituals", strings.Join(rs, ", ")))
	} else {
		rm.Lines = append(rm.Lines, cadence.UIText(lang, "person_form.remove_no_rituals"))
	}
	switch list := strings.Join(im.FollowUps, ", "); {
	case len(im.FollowUps) == 0:
		rm.Lines = append(rm.Lines, cadence.UIText(lang, "person_form.remove_no_followups"))
	case im.HandTo == "":
		rm.Lines = append(rm.Lines, cadence.UIText(lang, "person_form.remove_nobody", "List", list))
	default:
		rm.Lines = append(rm.Lines, cadence.UIPlural(lang, "person_form.remove_followups", len(im.FollowUps), "List", list, "Lead", nameOf(svc, im.HandTo)))
	}
	rm.Lines = append(rm.Lines, cadence.UIText(lang, "person_form.remove_history"))
	return rm, "", nil
}

// ConfirmPersonRemoval removes the person the confirmation was for. done
// or refusal is what to say; err is a fault of the bot, to log. The
// follow-ups' new owner is told in chat by the engine (through the
// outbox), as for any removal from the roster.
func ConfirmPersonRemoval(ctx context.Context, forms ConfigForms, svc cadence.Service, actor *cadence.Person, id string, version int64) (done, refusal string, err error) {
	if r := personGate(forms, svc, actor); r != "" {
		return "", r, nil
	}
	lang := personLang(svc, actor)
	err = forms.Delete(ctx, actor.ID, cadence.DefPerson, id, version)
	var stale *ops.StaleError
	switch {
	case err == nil:
		return cadence.UIText(lang, "person_form.removed", "ID", id), "", nil
	case errors.As(err, &stale):
		at := cadence.UITime(lang, stale.At, locOf(actor))
		if stale.Deleted {
			return "", cadence.UIText(lang, "person_form.stale_deleted", "By", stale.By, "At", at), nil
		}
		return "", cadence.UIText(lang, "person_form.stale", "By", stale.By, "At", at, "Version", stale.Version), nil
	case IsUserError(err):
		if t, ok := cadence.RefusalText(err); ok {
			return "", t, nil
		}
		return "", err.Error(), nil
	}
	return "", cadence.UIText(lang, "person_form.remove_failed"), err
}

// ritualsOf lists the rituals a person takes part in, leads or runs.
func ritualsOf(svc cadence.Service, id string) []string {
	var out []string
	for _, r := range svc.Rituals() {
		if slices.Contains(r.Participants, id) || slices.Contains(r.Facilitators, id) || r.Lead == id {
			out = append(out, cmpOr(r.Title, r.ID))
		}
	}
	return out
}

func nameOf(svc cadence.Service, id string) string {
	if p := svc.Roster().Person(id); p != nil && p.Name != "" {
		return p.Name
	}
	return id
}

// PersonEditorURL is the admin page's editor for cmd, for the local chat
// and adapters with no form of their own.
func PersonEditorURL(cmd Command) string {
	switch cmd.Sub {
	case "edit":
		return "/admin/person/" + url.PathEscape(cmd.Person)
	case "remove":
		return "/admin/person/" + url.PathEscape(cmd.Person) + "/delete"
	}
	return "/admin/person/new"
}

// personReply is what Execute says to `person …` where no form opens:
// where the editor is.
func personReply(ctx context.Context, svc cadence.Service, actor *cadence.Person, cmd Command) (Reply, error) {
	lang := personLang(svc, actor)
	if !actor.Role.CanRunRituals() {
		err := refuse("%s", cadence.UIText(lang, "person_form.refused_role", "Role", string(actor.Role)))
		auditRefusal(ctx, svc, actor.ID, cmd, "person:"+cmd.Person, err)
		return Reply{}, err
	}
	return Reply{Title: cadence.UIText(lang, "person_form.title_new"), Lines: []string{
		cadence.UIText(lang, "person_form.where", "URL", PersonEditorURL(cmd))}}, nil
}

type noForms struct{ ConfigForms }

func (noForms) Fields(cadence.DefinitionKind) []FormField { return nil }

func orNoForms(f ConfigForms) ConfigForms {
	if f == nil {
		return noForms{}
	}
	return f
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return strings.TrimSpace(a)
	}
	return b
}
