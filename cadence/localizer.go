package cadence

import (
	"time"

	"github.com/cadencebot/cadencebot/cadence/locale"
)

// Localizer words messages in a language: a person's for what they are
// sent, the team's for channel posts. cadence/locale implements it with
// the embedded catalogs (the default); a language or key it lacks falls
// back to English. Languages are codes such as "pl".
type Localizer interface {
	// Text renders catalog entry id with data filled in.
	Text(lang, id string, data map[string]any) string
	// Plural renders id in the plural form count takes in lang.
	Plural(lang, id string, count int, data map[string]any) string
	// Number writes v with lang's decimal separator and grouping.
	Number(lang string, v float64, decimals int) string
	// Time writes t in its zone with a locale.Layout* format of lang.
	Time(lang, layout string, t time.Time) string
}

var _ Localizer = (*locale.Catalogs)(nil)

// DefaultLocalizer is the embedded catalogs.
func DefaultLocalizer() Localizer { return locale.Default() }

// Languages lists the language codes people and teams may choose.
func Languages() []string { return locale.Languages() }

// DefaultLanguage is spoken when neither a person nor the team chose one.
const DefaultLanguage = locale.English
