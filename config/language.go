package config

import (
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
