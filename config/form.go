package config

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// An editor (web page, Slack modal, Teams card) shows a ritual or person
// as one input per key of its file table, read from the file schema: a
// key added to the file (a question type, a person's language) appears in
// every editor without touching it.

// FieldKind is how an editor asks for a key.
type FieldKind string

const (
	FieldText   FieldKind = "text"   // one line
	FieldBool   FieldKind = "bool"   // a checkbox
	FieldList   FieldKind = "list"   // one item per line
	FieldNumber FieldKind = "number" // an integer or a decimal
	FieldTables FieldKind = "tables" // rows of sub-fields (questions)
)

// FormField is one key of a ritual or person.
type FormField struct {
	Key  string
	Kind FieldKind
	Help string
	Sub  []FormField // FieldTables: the keys of each row
	// Pairs marks a FieldList that holds a table of strings by key
	// (text_i18n), one "key = text" per line.
	Pairs bool
}

// Form holds what was typed, by key: "schedule", "questions[1].text".
// Lists are one item per line; booleans "true" or empty.
type Form map[string]string

// notEdited are keys left out of editors; a save keeps what the body has.
var notEdited = map[string]bool{
	"people.out_of_office": true, // /cadence ooo is where people set it
}

// FormFields lists the keys an editor shows for kind, in file order.
func FormFields(kind cadence.DefinitionKind) []FormField {
	table := tableOf(kind)
	return formFields(table, tables[table])
}

func formFields(table string, t reflect.Type) []FormField {
	var out []FormField
	for f := range t.Fields() {
		key := tomlName(f)
		if key == "" || notEdited[table+"."+key] {
			continue
		}
		ff := FormField{Key: key, Help: fieldHelp[table+"."+key]}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Bool:
			ff.Kind = FieldBool
		case ft.Kind() >= reflect.Int && ft.Kind() <= reflect.Float64:
			ff.Kind = FieldNumber
		case ft.Kind() == reflect.Slice && isTable(ft.Elem()):
			sub, ok := tables[table+"."+key]
			if !ok {
				continue
			}
			ff.Kind, ff.Sub = FieldTables, formFields(table+"."+key, sub)
		case ft.Kind() == reflect.Slice:
			ff.Kind = FieldList
		case ft.Kind() == reflect.Map:
			ff.Kind, ff.Pairs = FieldList, true
		default:
			ff.Kind = FieldText
		}
		out = append(out, ff)
	}
	return out
}

var fieldHelp = map[string]string{
	"rituals.id":                  "unique, lowercase letters, digits, '-' (cannot change later)",
	"rituals.kind":                "triage, deployment-planning, quality-review or standup",
	"rituals.schedule":            `5-field cron ("30 9 * * MON"), @daily, @weekly…`,
	"rituals.timezone":            "IANA zone of the schedule (default: the bot's)",
	"rituals.platform":            "local, slack or teams (default: the bot's)",
	"rituals.channel":             "where the agenda and summary are posted",
	"rituals.participants":        `one per line: person ids, "role:<role>", "capability:<name>" or "all"`,
	"rituals.facilitator":         "one person who runs every occurrence (or use facilitators)",
	"rituals.facilitators":        "one per line; they take turns, one per occurrence",
	"rituals.lead":                "told about problems; takes over follow-ups of people removed",
	"rituals.questions":           "leave all rows empty for the kind's default questions",
	"rituals.window":              `how long answers are collected ("4h", "90m")`,
	"rituals.reminders":           `one per line: "1h before close", "30m after open"`,
	"rituals.per_person_time":     "fire at the schedule's time in each participant's own zone",
	"rituals.skip_dates":          "one per line, YYYY-MM-DD: no occurrence on these days",
	"rituals.checklist":           "one item per line; every prompt asks each",
	"rituals.questions.text_i18n": "the text in other languages, one per line: de = Was hast du gestern gemacht?",
	"people.id":                   "unique, lowercase letters, digits, '-' (cannot change later)",
	"people.role":                 "specialist, lead, manager or admin",
	"people.timezone":             "IANA zone, e.g. Europe/Zurich",
	"people.capabilities":         "one per line (release, ci-cd, monitoring…)",
	"people.slack":                "Slack user id (U…) or email",
	"people.teams":                "Teams user id (29:…) or AAD object id",
	"people.holidays":             "one per line, YYYY-MM-DD",
}

// BodyForm spells a definition's body as an editor's inputs.
func BodyForm(kind cadence.DefinitionKind, body string) (Form, error) {
	m, err := DecodeBody(body)
	if err != nil {
		return nil, err
	}
	f := Form{}
	fillForm(f, "", FormFields(kind), m)
	return f, nil
}

func fillForm(f Form, prefix string, fields []FormField, m map[string]any) {
	for _, ff := range fields {
		v, ok := m[ff.Key]
		if !ok {
			continue
		}
		if ff.Kind == FieldTables {
			for i, row := range tableRows(v) {
				fillForm(f, fmt.Sprintf("%s%s[%d].", prefix, ff.Key, i), ff.Sub, row)
			}
			continue
		}
		f[prefix+ff.Key] = formText(v)
	}
}

func tableRows(v any) []map[string]any {
	switch x := v.(type) {
	case []map[string]any:
		return x
	case []any:
		var out []map[string]any
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

func formText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return ""
	case time.Time:
		return x.Format("2006-01-02")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formText(e)
		}
		return strings.Join(parts, "\n")
	case map[string]any:
		lines := make([]string, 0, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			lines = append(lines, k+" = "+formText(x[k]))
		}
		return strings.Join(lines, "\n")
	}
	return fmt.Sprint(v)
}

// Rows is how many rows of table key the form has.
func (f Form) Rows(key string) int {
	n := 0
	for k := range f {
		rest, ok := strings.CutPrefix(k, key+"[")
		if !ok {
			continue
		}
		if i, err := strconv.Atoi(rest[:max(strings.IndexByte(rest, ']'), 0)]); err == nil && i+1 > n {
			n = i + 1
		}
	}
	return n
}

// FormBody writes what was typed into the body of a definition, on top of
// old (keys no editor shows are kept). An empty input removes its key
// (the file's default applies), and a table row left empty is dropped.
// Values of the wrong type (a number that is not one) come back by field;
// everything else is checked with the whole configuration.
func FormBody(kind cadence.DefinitionKind, old string, f Form) (string, cadence.FieldErrors) {
	m, err := DecodeBody(old)
	if err != nil {
		m = map[string]any{}
	}
	fe := cadence.FieldErrors{}
	applyForm(m, "", FormFields(kind), f, fe)
	if len(fe) > 0 {
		return "", fe
	}
	body, err := EncodeBody(m)
	if err != nil {
		return "", cadence.FieldErrors{"": err.Error()}
	}
	return body, nil
}

func applyForm(m map[string]any, prefix string, fields []FormField, f Form, fe cadence.FieldErrors) {
	for _, ff := range fields {
		name := prefix + ff.Key
		if ff.Kind == FieldTables {
			var rows []map[string]any
			for i := range f.Rows(name) {
				row := map[string]any{}
				applyForm(row, fmt.Sprintf("%s[%d].", name, i), ff.Sub, f, fe)
				if len(row) > 0 {
					rows = append(rows, row)
				}
			}
			if len(rows) == 0 {
				delete(m, ff.Key)
			} else {
				m[ff.Key] = rows
			}
			continue
		}
		text := strings.TrimSpace(f[name])
		if text == "" {
			delete(m, ff.Key)
			continue
		}
		switch ff.Kind {
		case FieldBool:
			switch strings.ToLower(text) {
			case "true", "on", "yes", "1":
				m[ff.Key] = true
			case "false", "off", "no", "0":
				delete(m, ff.Key)
			default:
				fe[name] = fmt.Sprintf("%q: want yes or no", text)
			}
		case FieldNumber:
			if n, err := strconv.ParseInt(text, 10, 64); err == nil {
				m[ff.Key] = n
			} else if x, err := strconv.ParseFloat(text, 64); err == nil {
				m[ff.Key] = x
			} else {
				fe[name] = fmt.Sprintf("%q is not a number", text)
			}
		case FieldList:
			if ff.Pairs {
				pairs, msg := formPairs(text)
				if msg != "" {
					fe[name] = msg
				} else {
					m[ff.Key] = pairs
				}
				continue
			}
			var items []string
			for _, line := range strings.Split(text, "\n") {
				parts := []string{line}
				if commaLists[ff.Key] {
					parts = strings.Split(line, ",")
				}
				for _, p := range parts {
					if p = strings.TrimSpace(p); p != "" {
						items = append(items, p)
					}
				}
			}
			m[ff.Key] = items
		default:
			m[ff.Key] = text
		}
	}
}

// formPairs reads "de = Was hast du gestern gemacht?" lines (":" works
// too) into a table; an empty line is skipped.
func formPairs(text string) (map[string]any, string) {
	out := map[string]any{}
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i <= 0 {
			return nil, fmt.Sprintf("%q: want one per line, a language code then = and the text (de = Was hast du gestern gemacht?)", line)
		}
		k, v := strings.ToLower(strings.TrimSpace(line[:i])), strings.TrimSpace(line[i+1:])
		if _, dup := out[k]; dup {
			return nil, fmt.Sprintf("%q is given twice", k)
		}
		out[k] = v
	}
	return out, ""
}

// commaLists are lists whose items hold no commas (ids, selectors, dates),
// so "ana, bo" on one line is two items; other lists are one per line.
var commaLists = map[string]bool{"participants": true, "facilitators": true, "capabilities": true,
	"skip_dates": true, "holidays": true, "reminders": true}

// Template is a starting point for a new ritual, picked in the creation
// form: the inputs it fills in.
type Template struct {
	Name  string // "triage"
	Title string // "MLOps triage"
	About string // one line on what it brings
	Form  Form
}

// Templates lists the starting points, one per kind of ritual.
func Templates() []Template {
	qs := func(f Form, k cadence.Kind) Form {
		for i, q := range cadence.DefaultQuestions(k) {
			p := fmt.Sprintf("questions[%d].", i)
			f[p+"id"], f[p+"text"] = q.ID, q.Text
			if len(q.Texts) > 0 {
				f[p+"text_i18n"] = formText(anyMap(q.Texts))
			}
			for key, on := range map[string]bool{"required": q.Required, "blocker": q.Blocker, "plan": q.Plan} {
				if on {
					f[p+key] = "true"
				}
			}
		}
		return f
	}
	return []Template{
		{Name: "triage", Title: "MLOps triage", About: "weekly model and pipeline triage: incidents, alerts and open follow-ups on the agenda; facilitators take turns",
			Form: qs(Form{"kind": "triage", "title": "Weekly model & pipeline triage", "schedule": "30 9 * * MON", "window": "6h",
				"participants": "all", "reminders": "2h before close\n30m before close"}, cadence.KindTriage)},
		{Name: "deployment-planning", Title: "Deployment planning", About: "planned releases from the release lane (pending proposals, approvals) on the agenda, with risks and rollback plans",
			Form: qs(Form{"kind": "deployment-planning", "title": "Deployment planning", "schedule": "0 14 * * TUE", "window": "20h",
				"participants": "all", "reminders": "2h after open\n1h before close"}, cadence.KindDeploymentPlanning)},
		{Name: "quality-review", Title: "Quality review", About: "weekly model quality review with a model checklist every participant ticks",
			Form: qs(Form{"kind": "quality-review", "title": "Model quality review", "schedule": "0 15 * * THU", "window": "18h",
				"participants": "all", "reminders": "2h before close",
				"checklist": strings.Join(ModelChecklist, "\n")}, cadence.KindQualityReview)},
		{Name: "standup", Title: "Standup", About: "daily standup at 09:15 in each person's own zone; yesterday's plan shown in today's prompt",
			Form: qs(Form{"kind": "standup", "title": "Daily standup", "schedule": "15 9 * * MON-FRI", "window": "4h", "per_person_time": "true",
				"participants": "all", "reminders": "2h before close\n30m before close"}, cadence.KindStandup)},
	}
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ModelChecklist is the quality review template's checklist.
var ModelChecklist = []string{
	"Drift within bounds for every production model",
	"Evaluation metrics at or above the baseline",
	"Latency and error-rate SLOs met",
	"Data quality checks green on every input pipeline",
	"Rollback plan ready for any degraded model",
}

// Template returns the template named name, or false.
func TemplateNamed(name string) (Template, bool) {
	i := slices.IndexFunc(Templates(), func(t Template) bool { return t.Name == name })
	if i < 0 {
		return Template{}, false
	}
	return Templates()[i], true
}
