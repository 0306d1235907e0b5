package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
	"github.com/cadencebot/cadencebot/config"
)

// configForms is bot.ConfigForms on the app: the editor for writes, the
// config package for the inputs, the checks and the preview.
type configForms struct{ a *App }

var _ bot.ConfigForms = configForms{}

func (f configForms) Items(ctx context.Context) ([]bot.ConfigItem, error) {
	cfg := f.a.live.load()
	var paused map[string]bool
	if err := f.a.db.View(ctx, func(tx cadence.Tx) error {
		paused = map[string]bool{}
		for _, r := range cfg.Rituals {
			st, err := tx.RitualState(r.ID)
			if err == nil && st.Paused {
				paused[r.ID] = true
			} else if err != nil && !errors.Is(err, cadence.ErrNotFound) {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	var out []bot.ConfigItem
	item := func(kind cadence.DefinitionKind, id string) bot.ConfigItem {
		it := bot.ConfigItem{Kind: kind, ID: id, File: cfg.Path}
		if d := cfg.Managed[string(kind)+":"+id]; d != nil {
			it.File = ""
			it.InStore, it.Archived, it.Version, it.UpdatedBy, it.UpdatedAt = true, d.Archived, d.Version, d.UpdatedBy, d.UpdatedAt
		}
		return it
	}
	for _, r := range cfg.Rituals {
		it := item(cadence.DefRitual, r.ID)
		it.Title, it.Paused = r.Title, paused[r.ID]
		it.Summary = fmt.Sprintf("%s · %s · %s · #%s · %d people", r.Kind, r.Spec, r.Location, r.Channel, len(r.Participants))
		out = append(out, it)
	}
	for _, p := range cfg.People {
		it := item(cadence.DefPerson, p.ID)
		it.Title = p.Name
		it.Summary = fmt.Sprintf("%s · %s", p.Role, p.Location)
		if len(p.Capabilities) > 0 {
			it.Summary += " · " + strings.Join(p.Capabilities, ", ")
		}
		out = append(out, it)
	}
	for _, d := range cfg.Managed {
		if d.Archived {
			it := item(d.Kind, d.ID)
			it.Title, it.Summary = d.ID, "archived: does not run"
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(x, y bot.ConfigItem) int {
		if x.Kind != y.Kind {
			return strings.Compare(string(y.Kind), string(x.Kind)) // rituals first
		}
		return 0
	})
	return out, nil
}

func (configForms) Fields(kind cadence.DefinitionKind) []bot.FormField {
	return botFields(config.FormFields(kind))
}

func botFields(fs []config.FormField) []bot.FormField {
	out := make([]bot.FormField, len(fs))
	for i, f := range fs {
		out[i] = bot.FormField{Key: f.Key, Kind: string(f.Kind), Help: f.Help, Sub: botFields(f.Sub)}
	}
	return out
}

func (configForms) Templates() []bot.FormTemplate {
	var out []bot.FormTemplate
	for _, t := range config.Templates() {
		out = append(out, bot.FormTemplate{Name: t.Name, Title: t.Title, About: t.About, Values: t.Form})
	}
	return out
}

func (f configForms) Load(ctx context.Context, kind cadence.DefinitionKind, id string) (map[string]string, *cadence.Definition, error) {
	d, err := f.a.editor.Definition(ctx, kind, id)
	if err != nil {
		return nil, nil, err
	}
	form, err := config.BodyForm(kind, d.Body)
	if err != nil {
		return nil, nil, err
	}
	form["id"] = d.ID
	return form, d, nil
}

// body turns the inputs into the definition's body, on top of what is
// stored (keys no form shows are kept).
func (f configForms) body(ctx context.Context, kind cadence.DefinitionKind, id string, version int64, values map[string]string) (string, error) {
	old := ""
	if version > 0 {
		if d, err := f.a.editor.Definition(ctx, kind, id); err == nil {
			old = d.Body
		}
	}
	body, fe := config.FormBody(kind, old, config.Form(values))
	if len(fe) > 0 {
		return "", fe
	}
	return body, nil
}

func (f configForms) Save(ctx context.Context, actor string, kind cadence.DefinitionKind, id string, version int64, values map[string]string) (*cadence.Definition, error) {
	if version == 0 {
		id = strings.TrimSpace(values["id"])
	}
	if id == "" {
		return nil, cadence.FieldErrors{"id": "an id is required (lowercase letters, digits and '-')"}
	}
	body, err := f.body(ctx, kind, id, version, values)
	if err != nil {
		return nil, err
	}
	return f.a.editor.Save(ctx, actor, kind, id, body, version)
}

func (f configForms) Archive(ctx context.Context, actor string, kind cadence.DefinitionKind, id string, version int64, archived bool) error {
	_, err := f.a.editor.Archive(ctx, actor, kind, id, version, archived)
	return err
}

func (f configForms) Delete(ctx context.Context, actor string, kind cadence.DefinitionKind, id string, version int64) error {
	return f.a.editor.Delete(ctx, actor, kind, id, version)
}

func (f configForms) Impact(ctx context.Context, kind cadence.DefinitionKind, id string) (ops.DeleteImpact, error) {
	return f.a.editor.Impact(ctx, kind, id)
}

// previewFires is how many fire times the preview shows per zone.
const previewFires = 5

// Preview checks the ritual as typed with everything else in force and
// lists its next fire times in each participant's zone.
func (f configForms) Preview(ctx context.Context, id string, values map[string]string) ([]bot.PreviewZone, error) {
	id = strings.TrimSpace(cmp.Or(id, values["id"]))
	if id == "" {
		return nil, cadence.FieldErrors{"id": "an id is required to preview"}
	}
	cur := f.a.live.load()
	var version int64
	if d := cur.Managed["ritual:"+id]; d != nil {
		version = d.Version
	}
	body, err := f.body(ctx, cadence.DefRitual, id, version, values)
	if err != nil {
		return nil, err
	}
	defs, err := storeDefinitions(ctx, f.a.db)
	if err != nil {
		return nil, err
	}
	defs = slices.DeleteFunc(defs, func(d *cadence.Definition) bool { return d.Kind == cadence.DefRitual && d.ID == id })
	defs = append(defs, &cadence.Definition{Kind: cadence.DefRitual, ID: id, Body: body, Version: 1})
	key := "ritual:" + id
	if f.a.inFile(cadence.DefRitual, id) {
		return nil, cadence.FieldErrors{"id": fmt.Sprintf("ritual %q is in the config file: pick another id", id)}
	}
	cfg, err := config.Live(cur.Path, cur.Source, defs)
	if err != nil {
		var ces config.Errors
		if errors.As(err, &ces) {
			return nil, ces.FieldErrors(key)
		}
		return nil, err
	}
	return schedulePreview(cfg, cfg.Ritual(id), f.a.opts.Clock.Now(), previewFires), nil
}

// schedulePreview groups r's participants by zone and lists the next n
// fire times as each zone's clocks show them. A per-person ritual fires
// at its wall-clock time in each zone; the others at one instant, which
// a DST change in either zone moves on the participant's clock: marked.
func schedulePreview(cfg *config.Config, r *cadence.Ritual, now time.Time, n int) []bot.PreviewZone {
	if r == nil || r.Schedule == nil {
		return nil
	}
	byZone := map[string]*bot.PreviewZone{}
	var order []string
	for _, id := range r.Participants {
		p := cfg.Roster.Person(id)
		if p == nil {
			continue
		}
		loc := p.Location
		if loc == nil {
			loc = r.Location
		}
		z := byZone[loc.String()]
		if z == nil {
			z = &bot.PreviewZone{Zone: loc.String()}
			byZone[loc.String()] = z
			order = append(order, loc.String())
			t := now
			for range n {
				next := r.Schedule.Next(t)
				if r.PerPersonTime {
					next = r.Schedule.NextIn(t, loc)
				}
				if next.IsZero() {
					break
				}
				fire := bot.PreviewFire{At: next.In(loc)}
				if slices.Contains(r.SkipDates, cadence.DateOf(next.In(r.Location))) {
					fire.Skip = "skip date: no occurrence"
				}
				fire.Changes = clockChanges(t, next, loc, r.Location, r.PerPersonTime)
				fire.Note = dstNote(fire.Changes)
				z.Fires = append(z.Fires, fire)
				t = next
			}
		}
		z.People = append(z.People, cmp.Or(p.Name, p.ID))
	}
	out := make([]bot.PreviewZone, 0, len(order))
	for _, z := range order {
		out = append(out, *byZone[z])
	}
	return out
}

// clockChanges lists the clock changes between two instants in the
// participant's zone, and, for one-instant rituals, in the ritual's zone
// (the meeting then moves on the participant's clock).
func clockChanges(prev, next time.Time, loc, ritualLoc *time.Location, perPerson bool) []bot.ClockChange {
	var out []bot.ClockChange
	change := func(l *time.Location) {
		a, ao := prev.In(l).Zone()
		b, bo := next.In(l).Zone()
		if ao != bo {
			out = append(out, bot.ClockChange{Zone: l.String(), From: a, To: b})
		}
	}
	change(loc)
	if !perPerson && ritualLoc != nil && ritualLoc.String() != loc.String() {
		change(ritualLoc)
	}
	return out
}

// dstNote words clock changes for the admin page.
func dstNote(cs []bot.ClockChange) string {
	if len(cs) == 0 {
		return ""
	}
	notes := make([]string, len(cs))
	for i, c := range cs {
		notes[i] = fmt.Sprintf("clocks change in %s (%s → %s)", c.Zone, c.From, c.To)
	}
	return "DST: " + strings.Join(notes, "; ")
}
