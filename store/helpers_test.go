package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

var t0 = time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)

// openTemp opens a fresh store in t's temp dir, closed at cleanup.
func openTemp(t testing.TB) *store.DB {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "cadence.db"))
}

func openAt(t testing.TB, path string) *store.DB {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func update(t testing.TB, db cadence.Store, fn func(cadence.Tx) error) {
	t.Helper()
	require.NoError(t, db.Update(context.Background(), fn))
}

func view(t testing.TB, db cadence.Store, fn func(cadence.Tx) error) {
	t.Helper()
	require.NoError(t, db.View(context.Background(), fn))
}
