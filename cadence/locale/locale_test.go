package locale_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadencebot/cadencebot/cadence/locale"
)

// The languages the README promises.
var want = []string{"de", "en", "es", "fr", "pl", "ro"}

func TestLanguages(t *testing.T) {
	if got := locale.Languages(); !slices.Equal(got, want) {
		t.Fatalf("Languages() = %v, want %v", got, want)
	}
	for _, l := range want {
		if !locale.Supported(l) {
			t.Errorf("Supported(%q) = false", l)
		}
	}
	for _, l := range []string{"", "EN", "it", "de-CH"} {
		if locale.Supported(l) {
			t.Errorf("Supported(%q) = true", l)
		}
	}
}

// TestCatalogsHaveEveryKey holds every catalog to English's keys: none
// missing (a person would read English in the middle of their language)
// and none extra (a key English lacks is a typo or a leftover).
func TestCatalogsHaveEveryKey(t *testing.T) {
	c := locale.Default()
	en := c.IDs(locale.English)
	if len(en) == 0 {
		t.Fatal("the English catalog is empty")
	}
	for _, lang := range c.Languages() {
		ids := c.IDs(lang)
		for _, id := range en {
			if _, ok := slices.BinarySearch(ids, id); !ok {
				t.Errorf("%s.toml lacks %q", lang, id)
			}
		}
		for _, id := range ids {
			if _, ok := slices.BinarySearch(en, id); !ok {
				t.Errorf("%s.toml has %q, which en.toml lacks", lang, id)
			}
		}
	}
}

// TestEveryMessageRenders renders every key in every language with every
// plural count class, so a template error or a plural form the
// language's rules need but its catalog lacks fails here, not in chat.
func TestEveryMessageRenders(t *testing.T) {
	c := locale.Default()
	data := map[string]any{}
	for _, lang := range c.Languages() {
		for _, id := range c.IDs(locale.English) {
			got := c.Text(lang, id, data)
			if got == id || got == "" {
				t.Errorf("%s %s: rendered %q", lang, id, got)
			}
			if strings.Contains(got, "<no value>") && !strings.Contains(c.Text(locale.English, id, data), "<no value>") {
				t.Errorf("%s %s: %q uses a field English does not", lang, id, got)
			}
			for _, n := range []int{0, 1, 2, 3, 5, 12, 21, 22, 25, 101, 1000000} {
				if got := c.Plural(lang, id, n, data); got == id || got == "" {
					t.Errorf("%s %s count %d: rendered %q", lang, id, n, got)
				}
			}
		}
	}
}

func TestPlural(t *testing.T) {
	c := locale.Default()
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "1 day"},
		{"en", 7, "7 days"},
		{"de", 1, "1 Tag"},
		{"de", 2, "2 Tage"},
		{"fr", 0, "0 jour"},
		{"fr", 7, "7 jours"},
		{"pl", 1, "1 dzień"},
		{"pl", 3, "3 dni"},
		{"pl", 7, "7 dni"},
		{"ro", 1, "1 zi"},
		{"ro", 7, "7 zile"},
		{"ro", 21, "21 de zile"},
		{"es", 1, "1 día"},
		{"es", 7, "7 días"},
	} {
		if got := c.Plural(tc.lang, "duration.days", tc.n, nil); got != tc.want {
			t.Errorf("%s %d days = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}

func TestTime(t *testing.T) {
	c := locale.Default()
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 2, 9, 30, 0, 0, zurich) // a Wednesday
	for _, tc := range []struct {
		lang, layout, want string
	}{
		{"en", locale.LayoutDateTime, "Wed 2 Dec 09:30 CET"},
		{"en", locale.LayoutDate, "Wed 2 Dec 2026"},
		{"en", locale.LayoutDay, "Wed 2 Dec"},
		{"de", locale.LayoutDateTime, "Mi, 2. Dez., 09:30 CET"},
		{"de", locale.LayoutDate, "Mi, 2. Dez. 2026"},
		{"fr", locale.LayoutDateTime, "mer. 2 déc. à 09:30 CET"},
		{"pl", locale.LayoutDay, "śr., 2 gru"},
		{"ro", locale.LayoutDate, "mie., 2 dec. 2026"},
		{"es", locale.LayoutDateTime, "mié, 2 dic, 09:30 CET"},
		{"xx", locale.LayoutDay, "Wed 2 Dec"}, // unknown: English
	} {
		if got := c.Time(tc.lang, tc.layout, at); got != tc.want {
			t.Errorf("%s %s = %q, want %q", tc.lang, tc.layout, got, tc.want)
		}
	}
}

// Time remembers what it wrote; the memo tells apart what each layout
// shows: the same wall time in another zone or on another day, and the
// same instant in another language. Each round asks again, from the memo.
func TestTimeRemembersByWhatItShows(t *testing.T) {
	c := locale.Default()
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 2, 9, 30, 0, 0, zurich)
	cases := []struct {
		lang, layout string
		t            time.Time
		want         string
	}{
		{"en", locale.LayoutDateTime, at, "Wed 2 Dec 09:30 CET"},
		{"en", locale.LayoutDateTime, time.Date(2026, 12, 2, 9, 30, 0, 0, london), "Wed 2 Dec 09:30 GMT"},
		{"en", locale.LayoutDateTime, at.AddDate(0, 0, 1), "Thu 3 Dec 09:30 CET"},
		{"en", locale.LayoutDateTime, at.AddDate(1, 0, 0), "Thu 2 Dec 09:30 CET"},
		{"en", locale.LayoutDateTime, at.Add(time.Minute), "Wed 2 Dec 09:31 CET"},
		{"en", locale.LayoutDay, at, "Wed 2 Dec"},
		{"de", locale.LayoutDateTime, at, "Mi, 2. Dez., 09:30 CET"},
		{"en", locale.LayoutDateTime, at.In(london), "Wed 2 Dec 08:30 GMT"},
	}
	for round := range 2 {
		for _, tc := range cases {
			if got := c.Time(tc.lang, tc.layout, tc.t); got != tc.want {
				t.Errorf("round %d: %s %s %s = %q, want %q", round, tc.lang, tc.layout, tc.t, got, tc.want)
			}
		}
	}
}

func TestNumber(t *testing.T) {
	c := locale.Default()
	for _, tc := range []struct {
		lang string
		v    float64
		want string
	}{
		{"en", 1234.5, "1,234.5"},
		{"de", 1234.5, "1.234,5"},
		{"fr", 87.5, "87,5"},
		{"pl", 87.5, "87,5"},
		{"ro", 87.5, "87,5"},
		{"es", 87.5, "87,5"},
		{"en", 87.26, "87.3"}, // one decimal, rounded
		{"de", 90, "90"},
	} {
		if got := c.Number(tc.lang, tc.v, 1); got != tc.want {
			t.Errorf("%s %v = %q, want %q", tc.lang, tc.v, got, tc.want)
		}
	}
}

func TestTextRemembersByWhatItShows(t *testing.T) {
	c := locale.Default()
	cases := []struct {
		lang, id string
		data     map[string]any
		want     string
	}{
		{"en", "receipt.saved", map[string]any{"Ritual": "Standup"}, "Thanks, your answers to Standup are saved."},
		{"en", "receipt.saved", map[string]any{"Ritual": "Retro"}, "Thanks, your answers to Retro are saved."},
		{"en", "receipt.edit_saved", map[string]any{"Ritual": "Standup"}, "Your edit to Standup is saved."},
		{"en", "receipt.title", nil, "Answer received"},
		{"en", "receipt.editable", map[string]any{"Until": "Wed 2 Dec 09:30 CET"}, "You can edit them until Wed 2 Dec 09:30 CET."},
		{"en", "receipt.editable", map[string]any{"Until": "Wed 2 Dec 09:31 CET"}, "You can edit them until Wed 2 Dec 09:31 CET."},
		{"en", "receipt.editable", map[string]any{"Until": 42}, "You can edit them until 42."},
		{"en", "receipt.editable", map[string]any{"Until": 4.5}, "You can edit them until 4.5."},
		{"en", "receipt.editable", map[string]any{"Until": "42"}, "You can edit them until 42."},
		{"en", "receipt.editable", map[string]any{"Until": "x", "Other": "y"}, "You can edit them until x."},
		{"en", "receipt.editable", map[string]any{"Until": "y", "Other": "x"}, "You can edit them until y."},
		{"xx", "receipt.title", nil, "Answer received"},
		{"en", "no.such.id", nil, "no.such.id"},
	}
	for round := range 2 {
		for _, tc := range cases {
			if got := c.Text(tc.lang, tc.id, tc.data); got != tc.want {
				t.Errorf("round %d: %s %s %v = %q, want %q", round, tc.lang, tc.id, tc.data, got, tc.want)
			}
		}
	}
	// A German reader gets German, remembered apart from English.
	if en, de := c.Text("en", "receipt.title", nil), c.Text("de", "receipt.title", nil); en == de {
		t.Errorf("de and en share %q", en)
	}
}
