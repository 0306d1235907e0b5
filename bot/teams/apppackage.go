package teams

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"regexp"
	"time"

	"github.com/cadencebot/cadencebot/bot"
)

// Manifest is the part of the Teams app manifest (schema 1.16) that
// cadencebot fills in.
type Manifest struct {
	Schema          string        `json:"$schema"`
	ManifestVersion string        `json:"manifestVersion"`
	Version         string        `json:"version"`
	ID              string        `json:"id"`
	Developer       ManifestDev   `json:"developer"`
	Name            ManifestText  `json:"name"`
	Description     ManifestText  `json:"description"`
	Icons           ManifestIcons `json:"icons"`
	AccentColor     string        `json:"accentColor"`
	Bots            []ManifestBot `json:"bots"`
	Permissions     []string      `json:"permissions"`
	ValidDomains    []string      `json:"validDomains"`
}

type ManifestDev struct {
	Name          string `json:"name"`
	WebsiteURL    string `json:"websiteUrl"`
	PrivacyURL    string `json:"privacyUrl"`
	TermsOfUseURL string `json:"termsOfUseUrl"`
}

// ManifestText is a short and a full text (name, description).
type ManifestText struct {
	Short string `json:"short"`
	Full  string `json:"full"`
}

type ManifestIcons struct {
	Outline string `json:"outline"`
	Color   string `json:"color"`
}

type ManifestBot struct {
	BotID              string                `json:"botId"`
	Scopes             []string              `json:"scopes"`
	SupportsFiles      bool                  `json:"supportsFiles"`
	IsNotificationOnly bool                  `json:"isNotificationOnly"`
	CommandLists       []ManifestCommandList `json:"commandLists"`
}

type ManifestCommandList struct {
	Scopes   []string          `json:"scopes"`
	Commands []ManifestCommand `json:"commands"`
}

type ManifestCommand struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}

// PackageOptions are the publisher details of the app package; zero
// fields get defaults.
type PackageOptions struct {
	Version       string // semver, "1.0.0"
	ShortName     string // at most 30 characters
	Developer     string
	WebsiteURL    string
	PrivacyURL    string
	TermsOfUseURL string
}

// PackageOption sets a PackageOptions field.
type PackageOption func(*PackageOptions)

// WithPackageVersion sets the app version (bump it on each upload).
func WithPackageVersion(v string) PackageOption { return func(o *PackageOptions) { o.Version = v } }

// WithDeveloper sets the publisher name and URLs shown in Teams.
func WithDeveloper(name, website, privacy, terms string) PackageOption {
	return func(o *PackageOptions) {
		o.Developer, o.WebsiteURL, o.PrivacyURL, o.TermsOfUseURL = name, website, privacy, terms
	}
}

// WithShortName renames the app in Teams.
func WithShortName(n string) PackageOption { return func(o *PackageOptions) { o.ShortName = n } }

const accentColor = "#3A5BA0"

var (
	guidRE    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	semverRE  = regexp.MustCompile(`^\d+\.\d+\.\d+$`)
	zipEpoch  = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // fixed: identical input, identical zip
	botScopes = []string{"personal", "team"}
)

// BuildAppPackage writes the Teams app package (a zip of manifest.json,
// color.png and outline.png) for the bot with the given Microsoft App ID,
// ready to upload in Teams (Apps → Manage your apps → Upload an app).
func BuildAppPackage(w io.Writer, appID string, opts ...PackageOption) error {
	o := PackageOptions{Version: "1.0.0", ShortName: "cadencebot", Developer: "cadencebot",
		WebsiteURL:    "https://github.com/cadencebot/cadencebot",
		PrivacyURL:    "https://github.com/cadencebot/cadencebot#privacy",
		TermsOfUseURL: "https://github.com/cadencebot/cadencebot#license"}
	for _, f := range opts {
		f(&o)
	}
	m, err := NewManifest(appID, o)
	if err != nil {
		return err
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	add := func(name string, write func(io.Writer) error) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipEpoch})
		if err != nil {
			return err
		}
		return write(f)
	}
	if err := add("manifest.json", func(w io.Writer) error { _, err := w.Write(manifest); return err }); err != nil {
		return fmt.Errorf("teams package: manifest.json: %w", err)
	}
	if err := add("color.png", func(w io.Writer) error { return png.Encode(w, colorIcon()) }); err != nil {
		return fmt.Errorf("teams package: color.png: %w", err)
	}
	if err := add("outline.png", func(w io.Writer) error { return png.Encode(w, outlineIcon()) }); err != nil {
		return fmt.Errorf("teams package: outline.png: %w", err)
	}
	return zw.Close()
}

// NewManifest builds and checks the manifest; errors name the field.
func NewManifest(appID string, o PackageOptions) (*Manifest, error) {
	if !guidRE.MatchString(appID) {
		return nil, fmt.Errorf("teams package: app id %q is not a GUID (%s: the Azure Bot's Microsoft App ID)", appID, EnvAppID)
	}
	if !semverRE.MatchString(o.Version) {
		return nil, fmt.Errorf("teams package: version %q: want MAJOR.MINOR.PATCH", o.Version)
	}
	if n := len([]rune(o.ShortName)); n == 0 || n > 30 {
		return nil, fmt.Errorf("teams package: short name %q: want 1 to 30 characters", o.ShortName)
	}
	for _, u := range []struct{ field, val string }{{"website URL", o.WebsiteURL}, {"privacy URL", o.PrivacyURL}, {"terms of use URL", o.TermsOfUseURL}} {
		if err := checkEndpoint(u.val); err != nil || u.val[:5] != "https" {
			return nil, fmt.Errorf("teams package: %s %q: want an https URL", u.field, u.val)
		}
	}
	var cmds []ManifestCommand
	for _, u := range bot.Usages {
		// The title is what Teams inserts when the command is picked, so it
		// is the bare verb; the syntax goes in the description.
		desc := u.Syntax + ": " + u.Summary
		if len([]rune(desc)) > 128 {
			desc = string([]rune(desc)[:127]) + "…"
		}
		cmds = append(cmds, ManifestCommand{Title: string(u.Verb), Description: desc})
	}
	if len(cmds) > 10 { // the manifest allows ten commands per list
		cmds = cmds[:10]
	}
	for i := range cmds {
		if r := []rune(cmds[i].Title); len(r) > 32 {
			cmds[i].Title = string(r[:32])
		}
	}
	return &Manifest{
		Schema:          "https://developer.microsoft.com/en-us/json-schemas/teams/v1.16/MicrosoftTeams.schema.json",
		ManifestVersion: "1.16",
		Version:         o.Version,
		ID:              appID,
		Developer:       ManifestDev{Name: o.Developer, WebsiteURL: o.WebsiteURL, PrivacyURL: o.PrivacyURL, TermsOfUseURL: o.TermsOfUseURL},
		Name:            ManifestText{Short: o.ShortName, Full: o.ShortName + ": team rituals on schedule"},
		Description: ManifestText{
			Short: "Runs your team's standups, triage and reviews on schedule.",
			Full: "cadencebot opens your team's recurring rituals (standups, incident triage, deployment planning, " +
				"quality reviews) on schedule: it posts the agenda in the team's channel, asks each participant " +
				"their questions in a 1:1 chat, reminds those who have not answered and posts a summary when the " +
				"window closes. Type 'help' to the bot for its commands.",
		},
		Icons:        ManifestIcons{Outline: "outline.png", Color: "color.png"},
		AccentColor:  accentColor,
		Bots:         []ManifestBot{{BotID: appID, Scopes: botScopes, CommandLists: []ManifestCommandList{{Scopes: botScopes, Commands: cmds}}}},
		Permissions:  []string{"identity", "messageTeamMembers"},
		ValidDomains: []string{},
	}, nil
}

// colorIcon is the 192×192 full-colour icon: a white clock face with
// three ticks (the cadence) on the accent colour.
func colorIcon() image.Image {
	bg := color.NRGBA{0x3A, 0x5B, 0xA0, 0xFF}
	img := image.NewNRGBA(image.Rect(0, 0, 192, 192))
	drawDial(img, 192, bg, color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF})
	return img
}

// outlineIcon is the 32×32 outline icon: white on transparent, as Teams
// requires.
func outlineIcon() image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	drawDial(img, 32, color.NRGBA{}, color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF})
	return img
}

// drawDial paints bg, a ring and three ticks at 12, 4 and 8 o'clock.
func drawDial(img *image.NRGBA, size int, bg, fg color.NRGBA) {
	s := float64(size)
	c := s / 2
	outer, inner := s*0.40, s*0.40-math.Max(2, s*0.07)
	tickIn, tickW := s*0.18, math.Max(1.5, s*0.045)
	ticks := []float64{-math.Pi / 2, math.Pi / 6, 5 * math.Pi / 6}
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			px, py := float64(x)+0.5-c, float64(y)+0.5-c
			d := math.Hypot(px, py)
			on := d <= outer && d >= inner
			for _, a := range ticks {
				// distance from the tick's segment, from tickIn to inner
				ux, uy := math.Cos(a), math.Sin(a)
				t := px*ux + py*uy
				if t >= tickIn && t <= inner && math.Abs(-px*uy+py*ux) <= tickW/2 {
					on = true
				}
			}
			if on {
				img.SetNRGBA(x, y, fg)
			} else {
				img.SetNRGBA(x, y, bg)
			}
		}
	}
}
