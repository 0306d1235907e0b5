// Package locale holds the bot's message catalogs (English, German,
// French, Polish, Romanian, Spanish) and words messages from them with
// go-i18n: CLDR plural rules per language, templates parsed once. It
// implements cadence.Localizer without importing cadence, so the domain
// can use it as its default.
package locale

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// English is the source language: every key is defined in it first, and
// a key or language a catalog lacks falls back to it.
const English = "en"

//go:embed catalogs/*.toml
var files embed.FS

// Catalogs words messages in the languages it has catalogs for.
type Catalogs struct {
	langs []string                   // sorted codes: "de", "en", …
	loc   map[string]*i18n.Localizer // code → localizer (falls back to English)
	print map[string]*message.Printer
	ids   map[string][]string // code → message IDs in its catalog, sorted
	times *timeMemo           // Time's results (time.go)
	texts *textMemo           // Text's results (memo.go)
}

var (
	defaultOnce sync.Once
	defaultCat  *Catalogs
)

// Default returns the embedded catalogs, loaded once. The catalogs are
// part of the binary and checked by tests, so a failure to load is a bug.
func Default() *Catalogs {
	defaultOnce.Do(func() {
		c, err := Load(files)
		if err != nil {
			panic(fmt.Sprintf("locale: embedded catalogs: %v", err))
		}
		defaultCat = c
	})
	return defaultCat
}

// Languages lists the supported language codes, sorted.
func Languages() []string { return Default().Languages() }

// Supported reports whether code names a catalog ("pl", "de").
func Supported(code string) bool { return slices.Contains(Languages(), code) }

// Load reads catalogs/<code>.toml from fsys. English must be among them.
func Load(fsys fs.FS) (*Catalogs, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	names, err := fs.Glob(fsys, "catalogs/*.toml")
	if err != nil {
		return nil, err
	}
	c := &Catalogs{loc: map[string]*i18n.Localizer{}, print: map[string]*message.Printer{}, ids: map[string][]string{},
		times: &timeMemo{m: map[timeKey]string{}}, texts: &textMemo{m: map[string]string{}}}
	for _, name := range names {
		f, err := b.LoadMessageFileFS(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		code := strings.TrimSuffix(path.Base(name), ".toml")
		if f.Tag.String() != code {
			return nil, fmt.Errorf("%s: language tag %s, want %s", name, f.Tag, code)
		}
		ids := make([]string, len(f.Messages))
		for i, m := range f.Messages {
			ids[i] = m.ID
		}
		slices.Sort(ids)
		c.langs = append(c.langs, code)
		c.ids[code] = ids
		c.loc[code] = i18n.NewLocalizer(b, code)
		c.print[code] = message.NewPrinter(f.Tag)
	}
	if c.loc[English] == nil {
		return nil, fmt.Errorf("no catalogs/%s.toml", English)
	}
	slices.Sort(c.langs)
	return c, nil
}

// Languages lists the language codes c has catalogs for, sorted.
func (c *Catalogs) Languages() []string { return slices.Clone(c.langs) }

// IDs lists the message IDs of one catalog, sorted (nil: no such catalog).
func (c *Catalogs) IDs(lang string) []string { return slices.Clone(c.ids[lang]) }

func (c *Catalogs) localizer(lang string) *i18n.Localizer {
	if l := c.loc[lang]; l != nil {
		return l
	}
	return c.loc[English]
}

// Text words message id in lang (English for an unknown language or a key
// its catalog lacks) with data filled into its template. An ID no catalog
// has comes back as itself, so a mistake shows instead of an empty line.
func (c *Catalogs) Text(lang, id string, data map[string]any) string {
	k, memo := c.texts.key(lang, id, data)
	if memo {
		if s, ok := c.texts.get(k); ok {
			return s
		}
	}
	s, err := c.localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if s == "" && err != nil {
		s = id
	}
	if memo {
		c.texts.put(k, s)
	}
	return s
}

// Plural is Text with the plural form for count chosen by lang's CLDR
// rules; the template sees count as .Count.
func (c *Catalogs) Plural(lang, id string, count int, data map[string]any) string {
	d := make(map[string]any, len(data)+1)
	for k, v := range data {
		d[k] = v
	}
	d["Count"] = count
	s, err := c.localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: d, PluralCount: count})
	if s == "" && err != nil {
		return id
	}
	return s
}

// Number writes v with at most decimals fraction digits, with lang's
// decimal separator and digit grouping ("1,234.5" in English, "1.234,5"
// in German).
func (c *Catalogs) Number(lang string, v float64, decimals int) string {
	p := c.print[lang]
	if p == nil {
		p = c.print[English]
	}
	return p.Sprint(number.Decimal(v, number.MaxFractionDigits(decimals)))
}

// Fixed writes v with exactly decimals fraction digits ("50.0" in
// English, "50,0" in German), for figures read side by side.
func (c *Catalogs) Fixed(lang string, v float64, decimals int) string {
	p := c.print[lang]
	if p == nil {
		p = c.print[English]
	}
	return p.Sprint(number.Decimal(v, number.MinFractionDigits(decimals), number.MaxFractionDigits(decimals)))
}
