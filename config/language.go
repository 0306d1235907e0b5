package config

import (
	"maps"
	"slices"
	"strings"

	"github.com/cadencebot/cadencebot/cadence"
)

// language checks a language code ([team] language, a person's language)
// against the catalogs; "PL" reads as "pl". Empty is the default,
// English; an unknown code is reported and English used meanwhile.
func (d *decoder) language(field, v string) string {
	if v == "" {
		return cadence.DefaultLanguage
	}
	code := strings.ToLower(strings.TrimSpace(v))
	if !slices.Contains(cadence.Languages(), code) {
		d.add(field, "unknown language %q (supported: %s)", v, strings.Join(cadence.Languages(), ", "))
		return cadence.DefaultLanguage
	}
	return code
}

// questionTexts checks a question's text_i18n: every key a language of
// the catalogs, every text non-blank. Codes are kept lowercase.
func (d *decoder) questionTexts(field string, m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		code := strings.ToLower(strings.TrimSpace(k))
		switch {
		case !slices.Contains(cadence.Languages(), code):
			d.add(field+"."+k, "unknown language %q (supported: %s)", k, strings.Join(cadence.Languages(), ", "))
		case strings.TrimSpace(m[k]) == "":
			d.add(field+"."+k, "empty text: remove the line to ask in the main text")
		case out[code] != "":
			d.add(field+"."+k, "language %q given twice", code)
		default:
			out[code] = m[k]
		}
	}
	return out
}
