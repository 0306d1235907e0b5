package teams_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/teams"
	"github.com/cadencebot/cadencebot/cadence"
)

// chartPNG is a real PNG of about the size of an 8-week chart (~25 KB):
// noise does not compress.
func chartPNG(t *testing.T) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	img := image.NewGray(image.Rect(0, 0, 160, 160))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.UintN(256))
	}
	img.Set(0, 0, color.Black)
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// TestWeeklyDigestWithChart runs the digest job on its schedule into the
// outbox, and the dispatcher through the adapter: the managers' channel
// and a lead get one card each, with the chart inline.
func TestWeeklyDigestWithChart(t *testing.T) {
	w := newOpsWorld(t)
	chart := chartPNG(t)
	require.InDelta(t, 25<<10, len(chart), 4<<10)
	const alt = "Team adherence score per ISO week (0 to 100): 2026-W49 0."
	sched, err := cadence.ParseSchedule("0 8 * * MON", time.UTC)
	require.NoError(t, err)
	recipients := []cadence.Recipient{{Channel: channelID}, {Person: "lea"}}
	digest, err := cadence.NewDigest(cadence.DigestConfig{Schedule: sched, Platform: teams.Platform, Recipients: recipients,
		Reports: w.eng, Store: w.st, Clock: w.clock, Logger: zerolog.New(zerolog.NewTestWriter(t)),
		Render: func(_ context.Context, in cadence.DigestInput) (cadence.Body, error) {
			y, wk := in.Report.From.ISOWeek()
			return cadence.Body{Title: fmt.Sprintf("Cadence digest · %d-W%02d", y, wk), Text: "No ritual was held.",
				Sections: []cadence.Section{{Heading: "Team", Lines: []string{fmt.Sprintf("Held: %d", in.Report.Team.Occurrences)}}},
				Image:    &cadence.Image{Name: fmt.Sprintf("adherence-%d-W%02d.png", y, wk), Alt: alt, PNG: chart}}, nil
		}})
	require.NoError(t, err)
	require.NoError(t, digest.Tick(w.ctx)) // a new job starts counting from now

	w.clock.Set(time.Date(2026, 12, 7, 8, 0, 30, 0, time.UTC))
	require.NoError(t, digest.Tick(w.ctx))
	n := len(w.fc.requests())
	w.dispatch()

	reqs := w.since(n)
	require.Len(t, reqs, 2, "one card per recipient")
	var convs []string
	for _, s := range reqs {
		convs = append(convs, s.Conv)
		assert.Less(t, len(s.Raw), 80<<10, "under Teams' message limit")
		c := card(t, s)
		assert.Contains(t, c, "Cadence digest · 2026-W49")
		assert.Contains(t, c, `"style":"accent"`)

		var parsed struct{ Body []map[string]any }
		require.NoError(t, json.Unmarshal([]byte(c), &parsed))
		var images []map[string]any
		for _, el := range parsed.Body {
			if el["type"] == "Image" {
				images = append(images, el)
			}
		}
		require.Len(t, images, 1)
		assert.Equal(t, alt, images[0]["altText"])
		data, ok := strings.CutPrefix(images[0]["url"].(string), "data:image/png;base64,")
		require.True(t, ok, "an inline PNG")
		got, err := base64.StdEncoding.DecodeString(data)
		require.NoError(t, err)
		assert.Equal(t, chart, got, "the chart arrives intact")
		cfg, err := png.DecodeConfig(bytes.NewReader(got))
		require.NoError(t, err)
		assert.Equal(t, 160, cfg.Width)
	}
	assert.ElementsMatch(t, []string{channelID, "a:1on1-29:lea"}, convs)

	// Replaying the tick or the dispatch sends nothing again.
	require.NoError(t, digest.Tick(w.ctx))
	w.dispatch()
	assert.Len(t, w.since(n), 2)
}
