package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// A ritual and a person saved through one replica are run by the others
// without a restart: the save notifies on commit and every replica
// reloads from the store. The ritual is made on a follower, so it is the
// leader, which opens occurrences, that must pick it up: it fires on
// time. A person removed on the follower leaves the leader's roster too.
func TestReplicasPickUpEditsFromEachOther(t *testing.T) {
	c := newCluster(t, pgtest.URL(t), 3)
	for range 3 {
		c.start(c.cfg)
	}
	leader := c.leader(10 * time.Second)
	var follower *replica
	for _, r := range c.reps {
		if r != leader {
			follower = r
			break
		}
	}
	ctx := context.Background()
	const lead = "p0000"

	// within waits for every other replica to see what one saved, and
	// says how long the slowest took.
	within := func(what string, ok func(*App) bool) time.Duration {
		t.Helper()
		start := time.Now()
		require.Eventually(t, func() bool {
			for _, r := range c.reps {
				if !ok(r.app) {
					return false
				}
			}
			return true
		}, 5*time.Second, time.Millisecond, "every replica runs %s", what)
		took := time.Since(start)
		t.Logf("%s: on every replica %s after the save returned", what, took)
		return took
	}

	_, err := follower.app.editor.Save(ctx, lead, cadence.DefPerson, "zoe",
		"name = \"Zoe\"\nrole = \"specialist\"\ntimezone = \"Mars/Olympus\"\n", 0)
	var fe cadence.FieldErrors
	require.ErrorAs(t, err, &fe, "the file's checks")
	assert.Contains(t, fe, "timezone")
	_, err = follower.app.editor.Save(ctx, lead, cadence.DefPerson, "zoe", "name = \"Zoe\"\nrole = \"specialist\"\nslack = \"zoe@example.com\"\ntimezone = \"Asia/Kolkata\"\n", 0)
	require.NoError(t, err)
	within("person zoe", func(a *App) bool { return a.live.load().Roster.Person("zoe") != nil })

	// 10:00 Zurich on Monday; the clock stands at 09:00.
	_, err = follower.app.editor.Save(ctx, lead, cadence.DefRitual, "retro",
		"title = \"Retro\"\nkind = \"standup\"\nschedule = \"0 10 * * 1\"\nchannel = \"mlops\"\nparticipants = [\"p0000\", \"p0001\"]\nwindow = \"1h\"\n", 0)
	require.NoError(t, err)
	within("ritual retro", func(a *App) bool { return a.eng.Ritual("retro") != nil })

	// The leader schedules it at its next tick (the clock then jumps an
	// hour, which a real one does not).
	require.Eventually(t, func() bool {
		return leader.app.db.View(ctx, func(tx cadence.Tx) error { _, err := tx.RitualState("retro"); return err }) == nil
	}, 10*time.Second, 5*time.Millisecond, "the leader schedules the ritual made on a follower")
	c.clock.Set(replicaMonday.Add(time.Hour))
	require.Eventually(t, func() bool {
		for k := range c.delivered() {
			if strings.Contains(k, "retro@20261130T090000Z") {
				return true
			}
		}
		return false
	}, 20*time.Second, 5*time.Millisecond, "the leader opens the ritual made on a follower, on time")

	// Changed, then removed, on the follower.
	_, err = follower.app.editor.Save(ctx, lead, cadence.DefPerson, "zoe", "name = \"Zoe K\"\nrole = \"specialist\"\nslack = \"zoe@example.com\"\ntimezone = \"Asia/Kolkata\"\n", 1)
	require.NoError(t, err)
	within("Zoe's new name", func(a *App) bool { p := a.live.load().Roster.Person("zoe"); return p != nil && p.Name == "Zoe K" })
	require.NoError(t, follower.app.editor.Delete(ctx, lead, cadence.DefPerson, "zoe", 2))
	within("zoe's removal", func(a *App) bool { return a.live.load().Roster.Person("zoe") == nil })
	assert.Equal(t, leader.app.live.load().Hash, follower.app.live.load().Hash, "one configuration on every replica")
}
