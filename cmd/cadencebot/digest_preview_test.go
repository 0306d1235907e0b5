package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// A simulated history holds the digests managers would have received: the
// digest job runs on its schedule during `simulate`, and its messages are
// in the managers' channel when `run --db` opens the history.
func TestSimulateFillsTheManagersChannel(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	code, out, errOut := cli(t, nil, "simulate", "--weeks", "3", "--until", "2026-11-30", "--db", db)
	require.Equal(t, 0, code, errOut)
	// Mondays 09:00 Zurich on 2026-11-09, -16 and -23, to #ml-leads and the manager.
	assert.Contains(t, out, "Weekly digest: 6 messages to #ml-leads and 1 person")

	s, err := store.OpenReadOnly(db, store.Options{})
	require.NoError(t, err)
	defer s.Close()
	var toChannel []*cadence.Message
	require.NoError(t, s.View(context.Background(), func(tx cadence.Tx) error {
		ms, err := tx.Messages(cadence.MessageFilter{To: &cadence.Recipient{Channel: "ml-leads"}})
		for _, m := range ms {
			if m.Kind == cadence.KindDigest && m.State == cadence.StateSent {
				toChannel = append(toChannel, m)
			}
		}
		return err
	}))
	require.Len(t, toChannel, 3)
	assert.Contains(t, cadence.PlainText(toChannel[2].Body.Text), "Team score")
}

func TestDigestPreview(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	code, _, errOut := cli(t, nil, "simulate", "--weeks", "3", "--until", "2026-11-30", "--db", db)
	require.Equal(t, 0, code, errOut)

	png := filepath.Join(t.TempDir(), "chart.png")
	code, out, errOut := cli(t, nil, "digest", "--preview", "--db", db, "--at", "2026-11-30", "--png", png)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Digest as it would be sent Mon 2026-11-30 09:00 CET to #ml-leads and 1 person, from "+db)
	assert.Contains(t, out, "Cadence digest · 2026-W48")
	assert.Contains(t, out, "Team score")
	assert.Contains(t, out, "[chart] Team adherence score per ISO week")
	b, err := os.ReadFile(png)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(b), "\x89PNG"))

	code, out, errOut = cli(t, nil, "digest", "--preview", "--simulate")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "from a simulation")
	assert.Contains(t, out, "Team score")

	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"digest"}, 2, "pass --preview"},
		{[]string{"digest", "--preview", "--simulate", "--db", db}, 2, "exclude each other"},
		{[]string{"digest", "--preview", "--config", writeFile(t, "app.toml", appConfig)}, 1, "has no [digest] table"},
		{[]string{"digest", "--preview", "--db", filepath.Join(t.TempDir(), "nope.db")}, 1, "does not exist"},
	} {
		code, _, errOut := cli(t, nil, tt.args...)
		assert.Equal(t, tt.code, code, tt.args)
		assert.Contains(t, errOut, tt.want, tt.args)
	}
}

// The managers' channel, still empty, says the digest will come there,
// not that agendas will.
func TestDigestRoomSaysWhatWillAppear(t *testing.T) {
	_, u, _ := runApp(t, digestConfig, filepath.Join(t.TempDir(), "d.db"), cadence.NewManualClock(time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)))
	code, page := get(t, u+"c/leads")
	require.Equal(t, 200, code)
	assert.Contains(t, page, "The weekly adherence digest for managers is posted here on its schedule")
	assert.NotContains(t, page, "Agendas appear")
	_, page = get(t, u+"c/mlops")
	assert.Contains(t, page, "Agendas appear when a ritual opens")
}
