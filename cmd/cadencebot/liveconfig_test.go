package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
	"github.com/cadencebot/cadencebot/config"
)

// storeStandup is a ritual made from the web: Mondays 10:00 Zurich.
const storeStandup = `title = "Store standup"
kind = "standup"
schedule = "0 10 * * 1"
channel = "standup"
participants = ["all"]
window = "1h"
`

func openOccurrences(t *testing.T, a *reloadApp, ritual string) []*cadence.Occurrence {
	t.Helper()
	var occs []*cadence.Occurrence
	require.NoError(t, a.db.View(context.Background(), func(tx cadence.Tx) error {
		var err error
		occs, err = tx.Occurrences(cadence.OccurrenceFilter{RitualID: ritual, Status: []cadence.Status{cadence.StatusOpen}})
		return err
	}))
	return occs
}

// A lead creates a ritual without touching the file or restarting: it
// runs at once, fires on schedule, is audited with who and what, and is
// still there after a restart.
func TestEditorCreatesARitualThatFires(t *testing.T) {
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) // 09:00 Zurich
	a := startReloadApp(t, nil, monday)
	ctx := context.Background()

	d, err := a.editor.Save(ctx, "lea", cadence.DefRitual, "standup", storeStandup, 0)
	require.NoError(t, err)
	assert.Equal(t, int64(1), d.Version)
	require.NotNil(t, a.eng.Ritual("standup"), "in force without a reload")
	require.Eventually(t, func() bool {
		return a.db.View(ctx, func(tx cadence.Tx) error { _, err := tx.RitualState("standup"); return err }) == nil
	}, 5*time.Second, 10*time.Millisecond, "a tick sees the new ritual")
	a.clock.Set(monday.Add(time.Hour))
	require.Eventually(t, func() bool {
		_, body := get(t, a.url+"c/standup")
		return strings.Contains(body, "Store standup is open")
	}, 5*time.Second, 10*time.Millisecond, "the new ritual fires")

	_, body := get(t, a.url+"api/audit")
	assert.Contains(t, body, `"config.ritual.create"`)
	assert.Contains(t, body, `"actor": "lea"`)
	assert.Contains(t, body, `"rituals_added": "standup"`)

	// A change names its fields in the log.
	_, err = a.editor.Save(ctx, "lea", cadence.DefRitual, "standup", strings.Replace(storeStandup, `"1h"`, `"45m"`, 1), 1)
	require.NoError(t, err)
	_, body = get(t, a.url+"api/audit")
	assert.Contains(t, body, `"fields": "window"`)
	assert.Contains(t, body, `"version": "1 → 2"`)
}

// A ritual made in the store runs again after a restart, from the store.
func TestStoreRitualsSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.toml")
	require.NoError(t, os.WriteFile(path, []byte(appConfig), 0o600))
	db := filepath.Join(dir, "app.db")
	open := func() *App {
		cfg, err := config.Load(path)
		require.NoError(t, err)
		app, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: db, Getenv: func(string) string { return "" },
			Clock: cadence.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)), ConfigPath: path})
		require.NoError(t, err)
		return app
	}
	app := open()
	_, err := app.editor.Save(context.Background(), "lea", cadence.DefRitual, "standup", storeStandup, 0)
	require.NoError(t, err)
	_, err = app.editor.Save(context.Background(), "lea", cadence.DefPerson, "zoe", "name = \"Zoe\"\n", 0)
	require.NoError(t, err)
	require.NoError(t, app.Close())

	app = open()
	defer app.Close()
	require.NotNil(t, app.eng.Ritual("standup"))
	assert.Contains(t, app.eng.Ritual("standup").Participants, "zoe")
	assert.False(t, app.inFile(cadence.DefRitual, "standup"))
	assert.True(t, app.inFile(cadence.DefRitual, "triage"))

	// config export reads the closed database and round-trips through config check.
	cfg, err := config.Load(path)
	require.NoError(t, err)
	require.NoError(t, app.Close())
	text, err := exportLive(context.Background(), cfg, db, "", func(string) string { return "" })
	require.NoError(t, err)
	out := filepath.Join(dir, "export.toml")
	require.NoError(t, os.WriteFile(out, text, 0o600))
	var stdout, stderr bytes.Buffer
	require.NoError(t, cmdConfigCheck(context.Background(), []string{"--config", out}, &stdout, &stderr, func(string) string { return "" }), stderr.String())
	assert.Contains(t, stdout.String(), "OK — 3 people, 2 rituals")
	assert.Contains(t, stdout.String(), "standup (standup")
}

// Two leads edit the same ritual from version 1: the second save is
// refused with who changed it and when; the store keeps the first.
func TestEditorRefusesAStaleSave(t *testing.T) {
	a := startReloadApp(t, nil, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	ctx := context.Background()
	_, err := a.editor.Save(ctx, "lea", cadence.DefRitual, "standup", storeStandup, 0)
	require.NoError(t, err)
	_, err = a.editor.Save(ctx, "lea", cadence.DefRitual, "standup", strings.Replace(storeStandup, `"1h"`, `"2h"`, 1), 1)
	require.NoError(t, err)
	_, err = a.editor.Save(ctx, "lea", cadence.DefRitual, "standup", strings.Replace(storeStandup, `"1h"`, `"3h"`, 1), 1)
	var stale *ops.StaleError
	require.ErrorAs(t, err, &stale)
	assert.ErrorIs(t, err, cadence.ErrConflict)
	assert.Contains(t, err.Error(), "changed by Lea at 2026-11-30 08:00 UTC (now version 2)")
	assert.Equal(t, 2*time.Hour, a.eng.Ritual("standup").Window)

	// Creating what exists is refused too.
	_, err = a.editor.Save(ctx, "lea", cadence.DefRitual, "standup", storeStandup, 0)
	require.ErrorIs(t, err, cadence.ErrInvalidInput)
	assert.Contains(t, err.Error(), "already exists")
}

// Specialists may not edit; file rituals are edited in the file; a bad
// value comes back by field and changes nothing.
func TestEditorRefusals(t *testing.T) {
	a := startReloadApp(t, nil, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	ctx := context.Background()
	_, err := a.editor.Save(ctx, "ana", cadence.DefRitual, "standup", storeStandup, 0)
	require.ErrorIs(t, err, cadence.ErrForbidden)
	_, err = a.editor.Save(ctx, "lea", cadence.DefRitual, "triage", storeStandup, 0)
	require.ErrorIs(t, err, cadence.ErrForbidden)
	assert.Contains(t, err.Error(), "edit it in the file")

	_, err = a.editor.Save(ctx, "lea", cadence.DefRitual, "standup", strings.Replace(storeStandup, `"0 10 * * 1"`, `"0 10 * * 9"`, 1)+"lead = \"nobody\"\n", 0)
	var fe cadence.FieldErrors
	require.ErrorAs(t, err, &fe)
	assert.Contains(t, fe["schedule"], "above maximum")
	assert.Contains(t, fe["lead"], `unknown person "nobody"`)
	assert.Nil(t, a.eng.Ritual("standup"))
	defs, err := a.editor.Definitions(ctx)
	require.NoError(t, err)
	assert.Empty(t, defs)

	// Removing a person another store ritual names is refused, naming where it breaks.
	_, err = a.editor.Save(ctx, "lea", cadence.DefPerson, "zoe", "name = \"Zoe\"\nrole = \"lead\"\n", 0)
	require.NoError(t, err)
	_, err = a.editor.Save(ctx, "zoe", cadence.DefRitual, "standup", storeStandup+"lead = \"zoe\"\n", 0)
	require.NoError(t, err, "a lead made in the store may edit")
	err = a.editor.Delete(ctx, "lea", cadence.DefPerson, "zoe", 1)
	require.ErrorAs(t, err, &fe)
	assert.Contains(t, fe[""], `store ritual:standup: lead: unknown person "zoe"`)
	require.NotNil(t, a.ops.LiveRoster().Person("zoe"))

	_, body := get(t, a.url+"api/audit")
	assert.Contains(t, body, `"outcome": "refused"`)
}

// Changing the schedule of a ritual with an open occurrence neither
// duplicates nor loses it: it closes at the end of the window it opened
// with, and the next opens on the new schedule.
func TestEditorScheduleChangeKeepsTheOpenOccurrence(t *testing.T) {
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	a := startReloadApp(t, nil, monday)
	ctx := context.Background()
	_, err := a.editor.Save(ctx, "lea", cadence.DefRitual, "standup", storeStandup, 0)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return a.db.View(ctx, func(tx cadence.Tx) error { _, err := tx.RitualState("standup"); return err }) == nil
	}, 5*time.Second, 10*time.Millisecond)
	a.clock.Set(monday.Add(time.Hour + 5*time.Minute)) // 10:05 Zurich
	require.Eventually(t, func() bool { return len(openOccurrences(t, a, "standup")) == 1 }, 5*time.Second, 10*time.Millisecond)
	first := openOccurrences(t, a, "standup")[0]

	// Now every Monday at 10:30, inside the window of the open one.
	_, err = a.editor.Save(ctx, "lea", cadence.DefRitual, "standup", strings.Replace(storeStandup, `"0 10 * * 1"`, `"30 10 * * 1"`, 1), 1)
	require.NoError(t, err)
	a.clock.Set(monday.Add(time.Hour + 35*time.Minute)) // 10:35
	require.Eventually(t, func() bool {                 // the engine has handled the 10:30 fire time
		var st *cadence.RitualState
		_ = a.db.View(ctx, func(tx cadence.Tx) error { st, _ = tx.RitualState("standup"); return nil })
		return st != nil && !st.Cursor.Before(monday.Add(90*time.Minute))
	}, 5*time.Second, 10*time.Millisecond)
	open := openOccurrences(t, a, "standup")
	require.Len(t, open, 1, "no second occurrence inside the open one's window")
	assert.Equal(t, first.ID, open[0].ID)
	a.clock.Set(monday.Add(2*time.Hour + time.Minute)) // 11:01: the first window ended
	require.Eventually(t, func() bool { return len(openOccurrences(t, a, "standup")) == 0 }, 5*time.Second, 10*time.Millisecond, "it closes with the window it opened with")
	a.clock.Set(monday.Add(7*24*time.Hour + 90*time.Minute + time.Minute)) // next Monday 10:31
	require.Eventually(t, func() bool {
		o := openOccurrences(t, a, "standup")
		return len(o) == 1 && o[0].Scheduled.Equal(monday.Add(7*24*time.Hour+90*time.Minute))
	}, 5*time.Second, 10*time.Millisecond, "the next opens on the new schedule")
}

// Removing a person made in the store keeps their history and hands their
// open follow-ups to the ritual's lead, who is told in chat.
func TestEditorDeletePersonHandsFollowUpsToTheLead(t *testing.T) {
	a := startReloadApp(t, nil, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	ctx := context.Background()
	_, err := a.editor.Save(ctx, "lea", cadence.DefPerson, "zoe", "name = \"Zoe\"\n", 0)
	require.NoError(t, err)
	inc, err := a.ops.OpenIncident(ctx, "lea", ops.IncidentInput{Title: "drift on ranker"})
	require.NoError(t, err)
	fu, err := a.ops.AddFollowUp(ctx, "lea", ops.FollowUpInput{Incident: inc.ID(), Title: "retrain", Owner: "zoe", Due: cadence.Date{Year: 2026, Month: 12, Day: 4}})
	require.NoError(t, err)

	im, err := a.editor.Impact(ctx, cadence.DefPerson, "zoe")
	require.NoError(t, err)
	assert.Equal(t, []string{fu.ID()}, im.FollowUps)
	assert.Equal(t, "lea", im.HandTo)

	require.NoError(t, a.editor.Delete(ctx, "lea", cadence.DefPerson, "zoe", 1))
	assert.Nil(t, a.ops.LiveRoster().Person("zoe"))
	require.NoError(t, a.db.View(ctx, func(tx cadence.Tx) error {
		f, err := tx.FollowUp(fu.Number)
		require.NoError(t, err)
		assert.Equal(t, "lea", f.Owner)
		msgs, err := tx.Messages(cadence.MessageFilter{})
		require.NoError(t, err)
		told := false
		for _, m := range msgs {
			told = told || (m.To.Person == "lea" && strings.Contains(m.Key, fu.ID()))
		}
		assert.True(t, told, "the lead is told")
		return nil
	}))
	_, body := get(t, a.url+"api/audit")
	assert.Contains(t, body, `"config.person.delete"`)
	assert.Contains(t, body, "FU-1 zoe→lea")
}

// A reload of the file racing edits from the web loses neither: each runs
// on the other's result.
func TestReloadRacingEditsLosesNeither(t *testing.T) {
	hup := make(chan struct{}, 1)
	a := startReloadApp(t, hup, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		a.replace(t, appConfig+"\n[[people]]\nid = \"filip\"\nname = \"Filip\"\n")
		assert.NoError(t, a.reload(ctx, "SIGHUP"))
	}()
	go func() {
		defer wg.Done()
		for i, id := range []string{"s1", "s2", "s3"} {
			_, err := a.editor.Save(ctx, "lea", cadence.DefRitual, id, strings.Replace(storeStandup, `"0 10 * * 1"`, `"0 1`+string(rune('0'+i))+` * * 1"`, 1), 0)
			assert.NoError(t, err)
		}
	}()
	wg.Wait()
	require.Eventually(t, func() bool {
		return a.ops.LiveRoster().Person("filip") != nil && a.eng.Ritual("s1") != nil && a.eng.Ritual("s2") != nil && a.eng.Ritual("s3") != nil
	}, 5*time.Second, 10*time.Millisecond, "the file's person and every store ritual run")
	assert.Contains(t, a.eng.Ritual("s3").Participants, "filip", "the store ritual's \"all\" takes in the file's new person")
}
