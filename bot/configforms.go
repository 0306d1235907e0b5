package bot

import (
	"context"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// ConfigForms is what the web admin page, the Slack modal and the Teams
// card call to create and change rituals and people. cmd/cadencebot
// implements it on ops.ConfigEditor and the config file's schema, so
// every platform asks for the same inputs and gets the same checks.
//
// Inputs are keyed as the file's keys: "schedule", "questions[1].text";
// lists one item per line, booleans "true" or empty. Refusals by field
// are cadence.FieldErrors with the same keys ("" for the rest).
type ConfigForms interface {
	// Items lists the rituals and people in force (file and store) and
	// the archived ones, rituals first.
	Items(ctx context.Context) ([]ConfigItem, error)
	// Fields are the inputs of a kind, in the file's order.
	Fields(kind cadence.DefinitionKind) []FormField
	// Templates are the starting points of a new ritual.
	Templates() []FormTemplate
	// Load returns the inputs of a definition kept in the store.
	Load(ctx context.Context, kind cadence.DefinitionKind, id string) (map[string]string, *cadence.Definition, error)
	// Save creates (version 0) or changes a definition.
	Save(ctx context.Context, actor string, kind cadence.DefinitionKind, id string, version int64, values map[string]string) (*cadence.Definition, error)
	Archive(ctx context.Context, actor string, kind cadence.DefinitionKind, id string, version int64, archived bool) error
	Delete(ctx context.Context, actor string, kind cadence.DefinitionKind, id string, version int64) error
	// Impact says what deleting or archiving would do to work under way.
	Impact(ctx context.Context, kind cadence.DefinitionKind, id string) (ops.DeleteImpact, error)
	// Preview lists the next fire times of a ritual as typed, in each
	// participant's zone, before it is saved.
	Preview(ctx context.Context, id string, values map[string]string) ([]PreviewZone, error)
}

// FormField is one input: Kind is text, bool, list, number or tables
// (rows of Sub fields, the questions).
type FormField struct {
	Key, Kind, Help string
	Sub             []FormField
}

// FormTemplate fills the inputs of a new ritual.
type FormTemplate struct {
	Name, Title, About string
	Values             map[string]string
}

// ConfigItem is one ritual or person as the admin list shows it.
type ConfigItem struct {
	Kind      cadence.DefinitionKind
	ID, Title string
	Summary   string // "standup · 15 9 * * MON-FRI · #standup", "lead · Europe/Zurich"
	InStore   bool   // made from chat or the web; false: in the config file
	File      string // the config file, when not InStore ("" when unknown)
	Archived  bool
	Paused    bool
	Version   int64
	UpdatedBy string
	UpdatedAt time.Time
}

// PreviewZone is the next fire times as the people of one zone see them.
type PreviewZone struct {
	Zone   string
	People []string // names
	Fires  []PreviewFire
}

// PreviewFire is one fire time in the zone; Note marks a DST change
// since the one before ("clocks change: CET → CEST"), Skip why no
// occurrence is expected (skip date). Changes are Note's clock changes
// as data, so chat adapters word them in the actor's language.
type PreviewFire struct {
	At         time.Time
	Note, Skip string
	Changes    []ClockChange
}

// ClockChange is a zone's clocks changing between two fire times: From
// and To are the zone's abbreviations ("EET", "EEST").
type ClockChange struct {
	Zone, From, To string
}
