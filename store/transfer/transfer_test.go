package transfer_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/sim"
	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/store"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
	"github.com/cadencebot/cadencebot/store/transfer"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// fixture is a bbolt file holding every kind of record: three simulated
// weeks of the example team (occurrences, answers, outbox, incidents,
// follow-ups, releases, audit) and what the simulation does not write.
func fixture(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../../config.example.toml")
	require.NoError(t, err)
	cfg, err := config.Parse("config.example.toml", raw)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "source.db")
	db, err := store.Open(path, store.Options{NoSync: true})
	require.NoError(t, err)
	defer db.Close()
	to := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	_, err = sim.Run(context.Background(), sim.Options{Rituals: cfg.Rituals, Roster: cfg.Roster, Store: db,
		From: to.AddDate(0, 0, -21), To: to, Seed: 7, AnswerRate: 0.8, Location: cfg.Bot.Timezone,
		Approvers: cfg.Releases.Approvers, HighRiskApprovals: cfg.Releases.HighRiskApprovals})
	require.NoError(t, err)
	// The first week's outbox past its retention: compacted messages,
	// which Messages does not list, are copied all the same.
	for more := true; more; {
		_, more, err = db.CompactOutbox(context.Background(), to.AddDate(0, 0, -14), 0)
		require.NoError(t, err)
	}
	require.NoError(t, db.Update(context.Background(), func(tx cadence.Tx) error {
		ooo := []cadence.DateRange{{From: cadence.Date{Year: 2026, Month: 12, Day: 21}, To: cadence.Date{Year: 2027, Month: 1, Day: 2}, Note: "holidays"}}
		if err := tx.PutPersonState(&cadence.PersonState{PersonID: "ana", OutOfOffice: ooo}); err != nil {
			return err
		}
		if err := tx.Put("slack.ids", "ana@example.com", []byte("U0ANA")); err != nil {
			return err
		}
		if err := tx.Put("empty.value", "k", []byte{}); err != nil {
			return err
		}
		// A ritual and a person made from the web (version 3: saved twice since).
		for _, d := range []*cadence.Definition{
			{Kind: cadence.DefPerson, ID: "zoe", Body: "id = \"zoe\"\nname = \"Zoe\"\n", Version: 1, UpdatedBy: "lea", UpdatedAt: to},
			{Kind: cadence.DefRitual, ID: "retro", Body: "id = \"retro\"\n", Archived: true, Version: 3, UpdatedBy: "lea", UpdatedAt: to},
		} {
			if err := tx.PutDefinition(d); err != nil {
				return err
			}
		}
		// A summary the dispatcher had not redrawn yet: it must stay dirty.
		os, err := tx.Occurrences(cadence.OccurrenceFilter{Limit: 1, Newest: true})
		if err != nil || len(os) == 0 {
			return fmt.Errorf("no occurrence to dirty: %v", err)
		}
		sum, err := tx.Summary(os[0].ID)
		if err != nil {
			return err
		}
		sum.Revision = sum.Drawn + 1
		if err := tx.PutSummary(sum); err != nil {
			return err
		}
		// Still to send when the bot stopped: it must stay due.
		_, err = tx.Enqueue(&cadence.Message{Key: "test/pending/ana", Platform: "local", To: cadence.Recipient{Person: "ana"},
			CreatedAt: to, State: cadence.StatePending, NextAttemptAt: to})
		return err
	}))
	return path
}

// Migrating bbolt → PostgreSQL → bbolt gives back the very file: every
// bucket, primary and index, key for key and byte for byte. A bucket or
// table the fixture leaves empty fails the test, so a new record kind
// must be filled here, and then copied by a transfer.Kind, for it to pass.
func TestRoundTripCopiesEveryKind(t *testing.T) {
	ctx := context.Background()
	srcPath := fixture(t)
	pgURL := pgtest.URL(t)
	backPath := filepath.Join(t.TempDir(), "back.db")

	src, err := store.OpenReadOnly(srcPath, store.Options{})
	require.NoError(t, err)
	pg, err := postgres.Open(ctx, pgURL)
	require.NoError(t, err)
	res, err := transfer.Copy(ctx, src, pg)
	require.NoError(t, err)
	assert.Positive(t, res.Audit.Entries)
	for _, c := range res.Counts {
		assert.Positive(t, c.Source, "the fixture holds no %s", c.Kind)
		// Present: what a fresh target holds already, identical (the
		// aggregates' ready flag its first open set).
		assert.Equal(t, c.Source, c.Copied+c.Present, c.Kind)
	}
	require.NoError(t, src.Close())

	// Every table of the schema holds rows: a table no Kind fills stays empty.
	conn, err := pgx.Connect(ctx, pgURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	// The store's own bookkeeping, and the lease of whichever replica leads.
	internal := map[string]bool{"schema_version": true, "outbox_compaction": true, "leader_lease": true}
	for _, table := range tables {
		if internal[table] {
			continue
		}
		var n int
		require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize()).Scan(&n))
		assert.Positive(t, n, "table %s is empty after the copy: copy its records (store/transfer/kinds.go) and fill them in the fixture", table)
	}

	back, err := store.Open(backPath, store.Options{NoSync: true})
	require.NoError(t, err)
	_, err = transfer.Copy(ctx, pg, back)
	require.NoError(t, err)
	require.NoError(t, back.Close())
	require.NoError(t, pg.Close())

	want, got := boltDump(t, srcPath), boltDump(t, backPath)
	for name, kv := range want {
		if name == "meta" {
			continue // the store's own bookkeeping (schema, compaction cursor)
		}
		assert.NotEmpty(t, kv, "bucket %s is empty in the fixture: fill it, so the test proves it is copied", name)
	}
	delete(want, "meta")
	delete(got, "meta")
	assert.Equal(t, keysOf(want), keysOf(got), "the same buckets")
	for name := range want {
		assert.Equal(t, want[name], got[name], "bucket %s", name)
	}
}

// Rerunning is a no-op; an interrupted copy is finished; a target with
// other data is refused before anything is written.
func TestCopyRerun(t *testing.T) {
	ctx := context.Background()
	src, err := store.OpenReadOnly(fixture(t), store.Options{})
	require.NoError(t, err)
	defer src.Close()
	pgURL := pgtest.URL(t)
	pg, err := postgres.Open(ctx, pgURL)
	require.NoError(t, err)
	defer pg.Close()
	first, err := transfer.Copy(ctx, src, pg)
	require.NoError(t, err)

	again, err := transfer.Copy(ctx, src, pg)
	require.NoError(t, err, "a rerun")
	for i, c := range again.Counts {
		assert.Zero(t, c.Copied, c.Kind)
		assert.Equal(t, first.Counts[i].Source, c.Present, c.Kind)
	}
	assert.Equal(t, first.Audit, again.Audit)

	// An interrupted copy: some rows never arrived.
	conn, err := pgx.Connect(ctx, pgURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	tag, err := conn.Exec(ctx, "DELETE FROM answers WHERE person_id < 'm'")
	require.NoError(t, err)
	require.Positive(t, tag.RowsAffected())
	lost := int(tag.RowsAffected())
	_, err = conn.Exec(ctx, "DELETE FROM audit WHERE seq > (SELECT max(seq) / 2 FROM audit)")
	require.NoError(t, err)
	resumed, err := transfer.Copy(ctx, src, pg)
	require.NoError(t, err)
	for _, c := range resumed.Counts {
		if c.Kind == "answers" {
			assert.Equal(t, lost, c.Copied)
		}
	}
	assert.Equal(t, first.Audit, resumed.Audit, "the chain is whole again")

	// Someone else's data: a changed record, and one the source lacks.
	before, err := transfer.TakeDump(ctx, pg)
	require.NoError(t, err)
	require.NoError(t, pg.Update(ctx, func(tx cadence.Tx) error {
		os, err := tx.Occurrences(cadence.OccurrenceFilter{Limit: 1})
		if err != nil {
			return err
		}
		os[0].Facilitator = "someone-else"
		if err := tx.PutOccurrence(os[0]); err != nil {
			return err
		}
		return tx.Put("other", "key", []byte("v"))
	}))
	changed, err := transfer.TakeDump(ctx, pg)
	require.NoError(t, err)
	require.NotEmpty(t, before.Diff(changed))
	_, err = transfer.Copy(ctx, src, pg)
	require.ErrorIs(t, err, transfer.ErrConflict)
	assert.Contains(t, err.Error(), "1 occurrences differ from the source's")
	assert.Contains(t, err.Error(), "1 key/value entries are not in the source (other/key)")
	after, err := transfer.TakeDump(ctx, pg)
	require.NoError(t, err)
	assert.Empty(t, changed.Diff(after), "nothing was written")
}

// boltDump reads every bucket of a bbolt file, nested ones as
// "parent/child", into name → key → value.
func boltDump(t *testing.T, path string) map[string]map[string]string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	require.NoError(t, err)
	defer db.Close()
	out := map[string]map[string]string{}
	var walk func(prefix string, b *bolt.Bucket) error
	walk = func(name string, b *bolt.Bucket) error {
		kv := map[string]string{}
		out[name] = kv
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				kv[string(k)] = "(bucket)"
				return walk(name+"/"+string(k), b.Bucket(k))
			}
			kv[string(k)] = string(bytes.Clone(v))
			return nil
		})
	}
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error { return walk(string(name), b) })
	}))
	return out
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
