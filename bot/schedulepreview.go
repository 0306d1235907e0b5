package bot

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/cadencebot/cadencebot/cadence"
)

// The schedule preview of the chat ritual editors (Slack modal, Teams
// card), worded in the actor's language: ConfigForms.Preview gives the
// fire times and clock changes as data, this words them once for both.

// PreviewText is a preview as a chat form shows it.
type PreviewText struct {
	Title string
	Zones []PreviewZoneText
	// Problems say why nothing could be previewed (a bad cron spec,
	// nobody taking part), one a line.
	Problems []string
}

// PreviewZoneText is one zone: "Europe/Bucharest: Ana, Radu" and its
// fire times.
type PreviewZoneText struct {
	Heading string
	Fires   []PreviewFireText
}

// PreviewFireText is a fire time in the zone's clock; DST says a clock
// change comes before it, so adapters can mark the line.
type PreviewFireText struct {
	When  string
	Notes []string
	DST   bool
}

// WordPreview words what ConfigForms.Preview answered in lang. internal
// is true when err is ours (to log), not the typed values'.
func WordPreview(lang string, zones []PreviewZone, err error) (p PreviewText, internal bool) {
	t := func(id string, kv ...any) string { return cadence.UIText(lang, id, kv...) }
	p.Title = t("ritual_form.preview_title")
	var fe cadence.FieldErrors
	switch {
	case errors.As(err, &fe):
		p.Problems = append(p.Problems, t("ritual_form.preview_refused"))
		for _, k := range slices.Sorted(maps.Keys(fe)) {
			line := fe[k]
			if k != "" {
				line = k + ": " + line
			}
			p.Problems = append(p.Problems, line)
		}
		return p, false
	case err != nil && IsUserError(err):
		msg := err.Error()
		if r, ok := cadence.RefusalText(err); ok {
			msg = r
		}
		p.Problems = []string{t("ritual_form.preview_refused"), msg}
		return p, false
	case err != nil:
		p.Problems = []string{t("ritual_form.preview_failed")}
		return p, true
	case len(zones) == 0:
		p.Problems = []string{t("ritual_form.preview_nobody")}
		return p, false
	}
	for _, z := range zones {
		zt := PreviewZoneText{Heading: t("ritual_form.preview_zone", "Zone", z.Zone, "People", strings.Join(z.People, ", "))}
		for _, f := range z.Fires {
			ft := PreviewFireText{When: cadence.UITime(lang, f.At, f.At.Location())}
			for _, c := range f.Changes {
				ft.Notes = append(ft.Notes, t("ritual_form.preview_dst", "Zone", c.Zone, "From", c.From, "To", c.To))
				ft.DST = true
			}
			if f.Skip != "" {
				ft.Notes = append(ft.Notes, t("ritual_form.preview_skip"))
			}
			zt.Fires = append(zt.Fires, ft)
		}
		p.Zones = append(p.Zones, zt)
	}
	return p, false
}
