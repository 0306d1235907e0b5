package config

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/cadencebot/cadencebot/cadence"
)

// StoreName is the File of errors found in rituals and people managed in
// the store; their Def says which one.
const StoreName = "store"

// LiveFrom is Live(cfg.Path, cfg.Source, defs) for a cfg Parse made from
// that file: with no live definition it is cfg itself (a copy, with
// Managed set), and the file is not parsed twice (every start: 10–20 ms
// for 500 people).
func LiveFrom(cfg *Config, defs []*cadence.Definition) (*Config, error) {
	for _, d := range defs {
		if !d.Archived {
			return Live(cfg.Path, cfg.Source, defs)
		}
	}
	c := *cfg
	c.Managed = managedMap(defs)
	return &c, nil
}

// Live builds the live configuration: the file (name, data) and the
// rituals and people kept in the store (archived ones do not run). Both
// are checked together by the rules of the file, so a store ritual may
// name a file person and the reverse. An error in a stored definition has
// File StoreName, Def "ritual:ID" and Field relative to it ("schedule",
// "questions[1].text"), so an editor can show it next to its input.
func Live(name string, data []byte, defs []*cadence.Definition) (*Config, error) {
	var live []*cadence.Definition
	for _, d := range defs {
		if !d.Archived {
			live = append(live, d)
		}
	}
	if len(live) == 0 {
		cfg, err := Parse(name, data)
		if err != nil {
			return nil, err
		}
		cfg.Managed = managedMap(defs)
		return cfg, nil
	}
	var head struct {
		People  []map[string]any `toml:"people"`
		Rituals []map[string]any `toml:"rituals"`
	}
	if _, err := toml.Decode(string(data), &head); err != nil {
		return Parse(name, data) // the file's own error, located
	}
	text, order, errs := appendDefinitions(data, live)
	cfg, err := Parse(name, text)
	m := defMapper{name: name, people: len(head.People), rituals: len(head.Rituals), order: order}
	if err != nil {
		ces, ok := err.(Errors)
		if !ok {
			return nil, err
		}
		errs = append(errs, m.errors(ces)...)
	}
	if len(errs) > 0 {
		sortByLine(errs)
		return nil, errs
	}
	cfg.Warnings = m.errors(cfg.Warnings)
	cfg.Source = data
	cfg.Managed = managedMap(defs)
	return cfg, nil
}

func managedMap(defs []*cadence.Definition) map[string]*cadence.Definition {
	m := make(map[string]*cadence.Definition, len(defs))
	for _, d := range defs {
		m[d.Key()] = d
	}
	return m
}

// appendDefinitions writes the file, then each definition as a table of
// its own. A body is decoded and encoded again under its array's name, so
// whatever it holds stays inside its table: "[bot]" in a body is a key of
// that ritual (and refused as unknown), never the file's [bot].
func appendDefinitions(data []byte, defs []*cadence.Definition) ([]byte, map[string][]string, Errors) {
	var b bytes.Buffer
	b.Write(data)
	if len(data) > 0 && data[len(data)-1] != '\n' {
		b.WriteByte('\n')
	}
	b.WriteString("\n# ---- rituals and people managed in the store (edit them from chat or the web) ----\n")
	order := map[string][]string{}
	var errs Errors
	for _, d := range defs {
		out, err := EncodeDefinition(d)
		if err != nil {
			errs = append(errs, Error{File: StoreName, Def: d.Key(), Msg: err.Error()})
			continue
		}
		array := tableOf(d.Kind)
		order[array] = append(order[array], d.Key())
		fmt.Fprintf(&b, "\n# %s, version %d, saved by %s at %s\n", d.Key(), d.Version, or(d.UpdatedBy, "?"), d.UpdatedAt.UTC().Format("2006-01-02 15:04 MST"))
		b.Write(out)
	}
	return b.Bytes(), order, errs
}

// tableOf is the array of tables a kind of definition belongs to.
func tableOf(k cadence.DefinitionKind) string {
	if k == cadence.DefPerson {
		return "people"
	}
	return "rituals"
}

// EncodeDefinition writes d as one [[rituals]] or [[people]] table, its
// id taken from d (a body cannot rename what it defines).
func EncodeDefinition(d *cadence.Definition) ([]byte, error) {
	m, err := DecodeBody(d.Body)
	if err != nil {
		return nil, err
	}
	m["id"] = d.ID
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(map[string]any{tableOf(d.Kind): []map[string]any{m}}); err != nil {
		return nil, fmt.Errorf("cannot write it as TOML: %w", err)
	}
	return b.Bytes(), nil
}

// DecodeBody reads a definition's body into its keys.
func DecodeBody(body string) (map[string]any, error) {
	m := map[string]any{}
	if _, err := toml.Decode(body, &m); err != nil {
		return nil, fmt.Errorf("the stored definition is not TOML: %w", err)
	}
	return m, nil
}

// EncodeBody writes keys as a definition's body.
func EncodeBody(m map[string]any) (string, error) {
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(m); err != nil {
		return "", err
	}
	return b.String(), nil
}

// defMapper moves errors found in the store's tables from the combined
// text back to the definition they belong to.
type defMapper struct {
	name            string
	people, rituals int                 // tables of each array in the file
	order           map[string][]string // array → definition keys, in the order written
}

var elemField = regexp.MustCompile(`^(people|rituals)\[(\d+)\]\.?(.*)$`)

func (m defMapper) errors(es Errors) Errors {
	out := make(Errors, 0, len(es))
	for _, e := range es {
		if sub := elemField.FindStringSubmatch(e.Field); sub != nil {
			i, _ := strconv.Atoi(sub[2])
			n := m.people
			if sub[1] == "rituals" {
				n = m.rituals
			}
			if keys := m.order[sub[1]]; i >= n && i-n < len(keys) {
				e = Error{File: StoreName, Def: keys[i-n], Field: sub[3], Msg: e.Msg}
			}
		}
		out = append(out, e)
	}
	return out
}

// FieldErrors turns the errors of one definition into a field → message
// map for an editor. Errors elsewhere (the file, another definition this
// change broke) go under "" with where they are.
func (es Errors) FieldErrors(def string) cadence.FieldErrors {
	fe := cadence.FieldErrors{}
	add := func(k, msg string) {
		if fe[k] != "" {
			fe[k] += "; "
		}
		fe[k] += msg
	}
	for _, e := range es {
		if e.Def == def {
			// An editor has one input for a table of texts, not one per
			// key: "questions[0].text_i18n.it" is shown at text_i18n.
			k := e.Field
			if i := strings.Index(k, ".text_i18n."); i >= 0 {
				k = k[:i+len(".text_i18n")]
			}
			add(k, e.Msg)
			continue
		}
		add("", e.Error())
	}
	return fe
}

// Export writes the live configuration as one TOML file: the file as it
// is, then every ritual and person managed in the store (archived rituals
// as comments, so the export runs what runs). `config check` reads it
// back to the same rituals and people.
func Export(cfg *Config) ([]byte, error) {
	var live, archived []*cadence.Definition
	for _, d := range cfg.Managed {
		if d.Archived {
			archived = append(archived, d)
		} else {
			live = append(live, d)
		}
	}
	cadence.SortDefinitions(live)
	cadence.SortDefinitions(archived)
	text, _, errs := appendDefinitions(cfg.Source, live)
	if len(errs) > 0 {
		return nil, errs
	}
	var b bytes.Buffer
	b.Write(text)
	for _, d := range archived {
		out, err := EncodeDefinition(d)
		if err != nil {
			return nil, Errors{{File: StoreName, Def: d.Key(), Msg: err.Error()}}
		}
		fmt.Fprintf(&b, "\n# %s is archived (version %d): it does not run.\n", d.Key(), d.Version)
		for _, line := range strings.SplitAfter(string(out), "\n") {
			if line != "" {
				b.WriteString("# " + line)
			}
		}
	}
	return b.Bytes(), nil
}
