package config

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/cadencebot/cadencebot/cadence"
)

// The file* types mirror the TOML layout one to one; conversion to domain
// types and all checks happen afterwards so every problem is reported.
// Sections and array elements are toml.Primitive so that a type mistake in
// one person does not stop the others from being decoded and checked.

type fileConfig struct {
	Bot     toml.Primitive   `toml:"bot"`
	Slack   toml.Primitive   `toml:"slack"`
	Teams   toml.Primitive   `toml:"teams"`
	Digest  toml.Primitive   `toml:"digest"`
	People  []toml.Primitive `toml:"people"`
	Rituals []toml.Primitive `toml:"rituals"`

	Releases     toml.Primitive   `toml:"releases"`
	Auth         toml.Primitive   `toml:"auth"`
	Integrations []toml.Primitive `toml:"integrations"`
	MLflow       toml.Primitive   `toml:"mlflow"`
	Rotations    []toml.Primitive `toml:"rotations"`
	Store        toml.Primitive   `toml:"store"`
	Team         toml.Primitive   `toml:"team"`
}

// teamFile is [team]: what holds for the whole team.
type teamFile struct {
	Language string `toml:"language"`
}

type botFile struct {
	Timezone  string `toml:"timezone"`
	Database  string `toml:"database"`
	Listen    string `toml:"listen"`
	LogLevel  string `toml:"log_level"`
	LogFormat string `toml:"log_format"`
	PublicURL string `toml:"public_url"`
	Platform  string `toml:"platform"`
	// nil: DefaultOutboxRetentionDays.
	OutboxRetentionDays *int `toml:"outbox_retention_days"`
}

type slackFile struct {
	APIURL string `toml:"api_url"`
	Mode   string `toml:"mode"`
}

type teamsFile struct {
	TokenURL          string `toml:"token_url"`
	OpenIDMetadataURL string `toml:"openid_metadata_url"`
	ServiceURL        string `toml:"service_url"`
}

type digestFile struct {
	Schedule   string   `toml:"schedule"`
	Timezone   string   `toml:"timezone"`
	Platform   string   `toml:"platform"`
	Channel    string   `toml:"channel"`
	Recipients []string `toml:"recipients"`
	Weeks      *int     `toml:"weeks"`     // nil: DefaultDigestWeeks
	Threshold  *float64 `toml:"threshold"` // nil: DefaultDigestThreshold; 0 is valid
}

type personFile struct {
	ID            string      `toml:"id"`
	Name          string      `toml:"name"`
	Role          string      `toml:"role"`
	Timezone      string      `toml:"timezone"`
	Capabilities  []string    `toml:"capabilities"`
	Slack         string      `toml:"slack"`
	Email         string      `toml:"email"`
	Teams         string      `toml:"teams"`
	OutOfOffice   []rangeFile `toml:"out_of_office"`
	Holidays      []dateValue `toml:"holidays"`
	HolidayRegion string      `toml:"holiday_region"`
	Language      string      `toml:"language"`
}

type rangeFile struct {
	From dateValue `toml:"from"`
	To   dateValue `toml:"to"`
	Note string    `toml:"note"`
}

type ritualFile struct {
	ID            string          `toml:"id"`
	Title         string          `toml:"title"`
	Kind          string          `toml:"kind"`
	Schedule      string          `toml:"schedule"`
	Timezone      string          `toml:"timezone"`
	Platform      string          `toml:"platform"`
	Channel       string          `toml:"channel"`
	Participants  []string        `toml:"participants"`
	Facilitator   string          `toml:"facilitator"`
	Facilitators  []string        `toml:"facilitators"`
	Lead          string          `toml:"lead"`
	Questions     *[]questionFile `toml:"questions"` // nil: defaults for the kind
	Window        string          `toml:"window"`
	Reminders     []string        `toml:"reminders"`
	PerPersonTime bool            `toml:"per_person_time"`
	SkipDates     []dateValue     `toml:"skip_dates"`
	Checklist     []string        `toml:"checklist"`
	Rotation      string          `toml:"rotation"` // kind = "handoff": the rotation it follows
}

type questionFile struct {
	ID   string `toml:"id"`
	Text string `toml:"text"`
	// TextI18n words text in other languages: text_i18n = { de = "…" }.
	TextI18n   map[string]string `toml:"text_i18n"`
	Required   bool              `toml:"required"`
	Blocker    bool              `toml:"blocker"`
	Plan       bool              `toml:"plan"`
	Type       string            `toml:"type"`
	Options    []string          `toml:"options"`
	Min        *float64          `toml:"min"`
	Max        *float64          `toml:"max"`
	FollowUpOf string            `toml:"follow_up_of"`
	When       []string          `toml:"when"`
}

// dateValue accepts both "2026-12-25" and a bare TOML local date. A bad
// value is kept, not returned as an error, so decoding goes on and the
// problem is reported with the others.
type dateValue struct {
	set  bool
	date cadence.Date
	bad  string // why the value is not a date
}

func (d *dateValue) UnmarshalTOML(v any) error {
	d.set = true
	switch x := v.(type) {
	case string:
		date, err := cadence.ParseDate(x)
		if err != nil {
			d.bad = err.Error()
			return nil
		}
		d.date = date
	case time.Time:
		// toml marks local dates with this zone name; anything else has a
		// time of day or an offset, which a calendar date must not have.
		if x.Location().String() != "date-local" {
			d.bad = "must be a date (YYYY-MM-DD) without a time"
			return nil
		}
		d.date = cadence.DateOf(x)
	default:
		d.bad = "must be a date (YYYY-MM-DD), not " + tomlTypeName(x)
	}
	return nil
}

// tables maps an index-free table path to the type it decodes into, so an
// unknown key can be told apart from a known one that was not decoded
// (because an earlier value in the same element had the wrong type).
var tables = map[string]reflect.Type{
	"":                     reflect.TypeFor[fileConfig](),
	"bot":                  reflect.TypeFor[botFile](),
	"slack":                reflect.TypeFor[slackFile](),
	"teams":                reflect.TypeFor[teamsFile](),
	"digest":               reflect.TypeFor[digestFile](),
	"releases":             reflect.TypeFor[releasesFile](),
	"auth":                 reflect.TypeFor[authFile](),
	"releases.approvals":   reflect.TypeFor[approvalsFile](),
	"integrations":         reflect.TypeFor[integrationFile](),
	"mlflow":               reflect.TypeFor[mlflowFile](),
	"store":                reflect.TypeFor[storeFile](),
	"team":                 reflect.TypeFor[teamFile](),
	"people":               reflect.TypeFor[personFile](),
	"people.out_of_office": reflect.TypeFor[rangeFile](),
	"rituals":              reflect.TypeFor[ritualFile](),
	"rituals.questions":    reflect.TypeFor[questionFile](),
	"rotations":            reflect.TypeFor[rotationFile](),
	"rotations.overrides":  reflect.TypeFor[overrideFile](),
	"rotations.import":     reflect.TypeFor[importFile](),
}

// knownKeys lists the TOML keys of a table, or nil for an unknown table.
func knownKeys(table string) []string {
	t, ok := tables[table]
	if !ok {
		return nil
	}
	return knownKeysOf(t)
}

// knownKeysOf lists the TOML keys of a file* struct in declaration order.
func knownKeysOf(t reflect.Type) []string {
	keys := make([]string, 0, t.NumField())
	for f := range t.Fields() {
		if name := tomlName(f); name != "" {
			keys = append(keys, name)
		}
	}
	return keys
}

// fieldType is the Go type of the field tagged key in struct t.
func fieldType(t reflect.Type, key string) reflect.Type {
	for f := range t.Fields() {
		if tomlName(f) == key {
			return f.Type
		}
	}
	return nil
}

func tomlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	return name
}

// tomlTypeName names the kind of a decoded TOML value, for messages.
func tomlTypeName(v any) string {
	return srcName(strings.ReplaceAll(fmt.Sprintf("%T", v), "interface {}", "any"))
}
