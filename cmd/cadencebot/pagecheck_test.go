package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/store"
)

// The page check runs after the start, afterReadyWait after the first
// tick: a page damaged where only it looks lets the bot start and become
// ready, then flips /readyz to not ready
// with the reason and the copy to restore, sets cadencebot_store_damaged,
// refuses answers, and leaves the last checked copy as it was.
func TestPageCheckAfterStartFindsDamage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.db")
	db, err := store.Open(path, store.Options{KeepCheckedCopy: true})
	require.NoError(t, err)
	require.NoError(t, db.Update(context.Background(), func(tx cadence.Tx) error {
		for i := range 3000 {
			if err := tx.Put("test", fmt.Sprintf("key-%05d", i), []byte(strings.Repeat("x", 200))); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, db.Close())
	require.NoError(t, os.Remove(path+store.CheckedCopySuffix))
	db, err = store.Open(path, store.Options{KeepCheckedCopy: true}) // the copy of the clean file
	require.NoError(t, err)
	require.NoError(t, db.Close())
	good, err := os.ReadFile(path + store.CheckedCopySuffix)
	require.NoError(t, err)
	damageLeaf(t, path)

	cfg, err := config.Parse("app.toml", []byte(appConfig))
	require.NoError(t, err)
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	clock := cadence.NewManualClock(monday)
	app, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: path, Getenv: func(string) string { return "" },
		Clock: clock, Log: zerolog.Nop(), TickEvery: 5 * time.Millisecond})
	require.NoError(t, err, "the meta, root and freelist pages are sound: the start goes on")
	url, err := app.Listen()
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	defer func() {
		cancel()
		<-done
		require.NoError(t, app.Close())
		after, err := os.ReadFile(path + store.CheckedCopySuffix)
		require.NoError(t, err)
		assert.Equal(t, good, after, "the damaged file never replaces the checked copy")
	}()

	var body string
	require.Eventually(t, func() bool {
		code, b := get(t, url+"readyz")
		body = b
		return code == http.StatusOK
	}, 20*time.Second, 5*time.Millisecond, "ready before the check: last /readyz: %s", body)
	assert.Contains(t, body, "store: ok (the page check of the file runs)", "the check waits afterReadyWait")
	clock.Advance(afterReadyWait)
	require.Eventually(t, func() bool {
		var code int
		code, body = get(t, url+"readyz")
		return code == http.StatusServiceUnavailable && strings.Contains(body, "store: damaged")
	}, 20*time.Second, 10*time.Millisecond, "last /readyz: %s", body)
	assert.True(t, strings.HasPrefix(body, "not ready\n"), body)
	assert.Contains(t, body, "store: damaged, writes refused: database "+path+" is damaged: bbolt's consistency check found ")
	assert.Contains(t, body, "cp "+path+".good "+path)
	_, metrics := get(t, url+"metrics")
	assert.Contains(t, metrics, "cadencebot_store_damaged 1")
	assert.Contains(t, metrics, "cadencebot_store_page_check_running 0")

	err = app.svc.SetOutOfOffice(context.Background(), "ana", cadence.DateRange{From: cadence.DateOf(monday), To: cadence.DateOf(monday)})
	require.ErrorIs(t, err, store.ErrCorrupt, "nothing is stored into a damaged file")
}

// damageLeaf writes garbage over a leaf page in the middle of the file's
// leaves, which only bbolt's full check reads at a start.
func damageLeaf(t *testing.T, path string) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	require.NoError(t, err)
	var leaves []int
	require.NoError(t, b.View(func(tx *bolt.Tx) error {
		for id := 2; ; id++ {
			info, err := tx.Page(id)
			if err != nil || info == nil {
				return err
			}
			if info.Type == "leaf" {
				leaves = append(leaves, id)
			}
		}
	}))
	pageSize := b.Info().PageSize
	require.NoError(t, b.Close())
	require.NotEmpty(t, leaves)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	junk := make([]byte, pageSize)
	for i := range junk {
		junk[i] = byte(i*7 + 3)
	}
	_, err = f.WriteAt(junk, int64(leaves[len(leaves)/2]*pageSize))
	require.NoError(t, err)
	require.NoError(t, f.Close())
}
