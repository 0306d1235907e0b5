package dashboard_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/dashboard"
)

func TestChartPNG(t *testing.T) {
	rep, err := smallFixture().Report(t.Context(), cadence.ReportQuery{
		From: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	// Reverse the weeks: ChartPNG must not depend on their order.
	weeks := append([]cadence.WeekAdherence(nil), rep.Weeks...)
	for i, j := 0, len(weeks)-1; i < j; i, j = i+1, j-1 {
		weeks[i], weeks[j] = weeks[j], weeks[i]
	}
	b, err := dashboard.ChartPNG(weeks)
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, image.Rect(0, 0, 1152, 432), img.Bounds(), "8×3 in at 144 dpi")
	assert.Greater(t, countBlue(img), 500, "the score line is drawn")
	saveArtifact(t, "trend.png", b)

	t.Run("a gap is not drawn as a line", func(t *testing.T) {
		gap := append([]cadence.WeekAdherence(nil), rep.Weeks...)
		for i := 3; i < len(gap)-3; i++ {
			gap[i].Tally = cadence.Tally{Occurrences: 5, Skipped: 5}
		}
		b2, err := dashboard.ChartPNG(gap)
		require.NoError(t, err)
		img2, err := png.Decode(bytes.NewReader(b2))
		require.NoError(t, err)
		assert.Less(t, countBlue(img2), countBlue(img)/2)
	})

	for name, in := range map[string][]cadence.WeekAdherence{
		"no weeks":     nil,
		"nothing held": {{Week: "2026-W09", Start: time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC), Tally: cadence.Tally{Occurrences: 2, Skipped: 2}}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := dashboard.ChartPNG(in)
			assert.ErrorIs(t, err, dashboard.ErrNoData)
		})
	}
}

// countBlue counts pixels close to the line colour (37, 99, 235).
func countBlue(img image.Image) int {
	n := 0
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if cr>>8 < 80 && cg>>8 > 70 && cg>>8 < 140 && cb>>8 > 200 {
				n++
			}
		}
	}
	return n
}

// artifactDir is $CADENCEBOT_ARTIFACTS (kept by CI) or a test temp dir.
func artifactDir(t testing.TB) string {
	if d := os.Getenv("CADENCEBOT_ARTIFACTS"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}

func saveArtifact(t testing.TB, name string, b []byte) string {
	p := filepath.Join(artifactDir(t), name)
	require.NoError(t, os.WriteFile(p, b, 0o644))
	t.Logf("artifact: %s", p)
	return p
}
