package teams_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/bot/teams"
)

func TestBuildAppPackage(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, teams.BuildAppPackage(&buf, testAppID, teams.WithPackageVersion("1.2.3")))
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		files[f.Name], err = io.ReadAll(rc)
		require.NoError(t, err)
		rc.Close()
	}
	require.Len(t, files, 3)

	var m teams.Manifest
	require.NoError(t, json.Unmarshal(files["manifest.json"], &m))
	assert.Equal(t, "1.16", m.ManifestVersion)
	assert.Contains(t, m.Schema, "/v1.16/MicrosoftTeams.schema.json")
	assert.Equal(t, testAppID, m.ID)
	assert.Equal(t, "1.2.3", m.Version)
	require.Len(t, m.Bots, 1)
	assert.Equal(t, testAppID, m.Bots[0].BotID)
	assert.Equal(t, []string{"personal", "team"}, m.Bots[0].Scopes)
	require.Len(t, m.Bots[0].CommandLists, 1)
	cmds := m.Bots[0].CommandLists[0].Commands
	require.Len(t, cmds, len(bot.Usages), "every shared verb is listed")
	for i, c := range cmds {
		assert.Equal(t, string(bot.Usages[i].Verb), c.Title)
		assert.LessOrEqual(t, len([]rune(c.Description)), 128)
		assert.LessOrEqual(t, len([]rune(c.Title)), 32)
	}
	assert.LessOrEqual(t, len(m.Description.Short), 80)
	assert.LessOrEqual(t, len(m.Description.Full), 4000)

	for name, size := range map[string]int{"color.png": 192, "outline.png": 32} {
		img, err := png.Decode(bytes.NewReader(files[name]))
		require.NoError(t, err, name)
		assert.Equal(t, size, img.Bounds().Dx(), name)
		assert.Equal(t, size, img.Bounds().Dy(), name)
	}
	outline, _ := png.Decode(bytes.NewReader(files["outline.png"]))
	var white, clear int
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			r, g, b, a := outline.At(x, y).RGBA()
			switch {
			case a == 0:
				clear++
			case r == 0xffff && g == 0xffff && b == 0xffff && a == 0xffff:
				white++
			default:
				t.Fatalf("outline pixel (%d,%d) is neither white nor transparent", x, y)
			}
		}
	}
	assert.Positive(t, white)
	assert.Positive(t, clear)
	color, _ := png.Decode(bytes.NewReader(files["color.png"]))
	_, _, _, a := color.At(0, 0).RGBA()
	assert.Equal(t, uint32(0xffff), a, "the colour icon has an opaque background")

	var again bytes.Buffer
	require.NoError(t, teams.BuildAppPackage(&again, testAppID, teams.WithPackageVersion("1.2.3")))
	assert.Equal(t, buf.Bytes(), again.Bytes(), "reproducible")
}

func TestBuildAppPackageBadInput(t *testing.T) {
	tests := []struct {
		name, appID string
		opts        []teams.PackageOption
		want        string
	}{
		{"app id not a GUID", "cadencebot", nil, `app id "cadencebot" is not a GUID`},
		{"bad version", testAppID, []teams.PackageOption{teams.WithPackageVersion("v1")}, `version "v1": want MAJOR.MINOR.PATCH`},
		{"long name", testAppID, []teams.PackageOption{teams.WithShortName("cadencebot for the platform team of MLOps")}, "want 1 to 30 characters"},
		{"http URL", testAppID, []teams.PackageOption{teams.WithDeveloper("Acme", "http://acme.example", "https://acme.example/p", "https://acme.example/t")}, `website URL "http://acme.example": want an https URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := teams.BuildAppPackage(&buf, tt.appID, tt.opts...)
			require.ErrorContains(t, err, tt.want)
			assert.Zero(t, buf.Len(), "nothing written on bad input")
		})
	}
}
