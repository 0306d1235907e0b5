package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// openTemp opens the store on a fresh database, closed at cleanup.
func openTemp(t testing.TB) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// The same contracts the in-memory and bbolt stores meet.
func TestContract(t *testing.T) {
	cadencetest.RunStoreTests(t, func(t *testing.T) cadence.Store { return openTemp(t) })
}

// Past the retention, what nothing reads again is gone, the rest compact.
func TestCompactionContract(t *testing.T) {
	cadencetest.RunCompactionTests(t, func(t *testing.T) cadencetest.Compactor { return openTemp(t) })
}

func TestOpsContract(t *testing.T) {
	cadencetest.RunOpsStoreTests(t, func(t *testing.T) cadence.Store { return openTemp(t) })
}
