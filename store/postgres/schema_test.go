package postgres_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// The schema itself refuses duplicates, whatever code writes to it: a
// second row with the key of an existing one is a unique violation.
func TestConstraintsRefuseDuplicates(t *testing.T) {
	url := pgtest.URL(t)
	db, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	tests := []struct {
		name   string
		insert string
	}{
		{"occurrence id", `INSERT INTO occurrences (id, ritual_id, scheduled_ns, status, doc) VALUES ('triage@20261130T083000Z', 'triage', 1, 'open', '{}')`},
		{"one answer per person per occurrence", `INSERT INTO answers (occurrence_id, person_id, scheduled_ns, doc) VALUES ('triage@20261130T083000Z', 'ana', 1, '{}')`},
		{"one outbox row per key", `INSERT INTO outbox (key, platform, recipient, thread, state, created_ns, next_attempt_ns, doc) VALUES ('occ/x/prompt/ana', 'local', '', '', 'pending', 1, 1, '{}')`},
		{"audit sequence number", `INSERT INTO audit (seq, doc) VALUES (1, '{}')`},
		{"incident number", `INSERT INTO incidents (number, doc) VALUES (1, '{}')`},
		{"kv key", `INSERT INTO kv (ns, key, value) VALUES ('slack', 'k', '')`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := conn.Exec(ctx, tc.insert)
			require.NoError(t, err, "first row")
			_, err = conn.Exec(ctx, tc.insert)
			var pe *pgconn.PgError
			require.ErrorAs(t, err, &pe, "second row with the same key")
			assert.Equal(t, "23505", pe.Code, "unique_violation")
		})
	}
}

// Opening twice applies nothing the second time; a database a newer
// binary migrated is refused with both versions named.
func TestMigrations(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	for range 2 {
		db, err := postgres.Open(ctx, url)
		require.NoError(t, err)
		require.NoError(t, db.Close())
	}
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n, v int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*), max(version) FROM schema_version").Scan(&n, &v))
	assert.Equal(t, postgres.SchemaVersion(), n, "each migration recorded once")
	assert.Equal(t, postgres.SchemaVersion(), v)

	newer := postgres.SchemaVersion() + 1
	_, err = conn.Exec(ctx, "INSERT INTO schema_version (version, name) VALUES ($1, 'from the future')", newer)
	require.NoError(t, err)
	_, err = postgres.Open(ctx, url)
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("version %d, newer than this binary's %d", newer, postgres.SchemaVersion()))
}

// A wrong URL fails within the connect timeout with the host named and
// the password left out, whether the port is closed (refused at once) or
// the address drops every packet (only the timeout ends the wait).
func TestOpenBadURL(t *testing.T) {
	// A listener that accepts and never answers: where a firewall drops
	// packets the dial itself would hang; here the startup does. Only the
	// connect timeout ends either.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer silent.Close()
	go func() {
		var held []net.Conn // open, unanswered, until the listener closes
		for {
			c, err := silent.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()
	opens := map[string]func(context.Context, string) (*postgres.DB, error){
		"Open": postgres.Open, "OpenReadOnly": postgres.OpenReadOnly,
	}
	tests := []struct {
		name, url, host string
	}{
		// Port 1 on loopback: nothing listens, the connection is refused.
		{"closed port", "postgres://cadence:s3cret-pw@127.0.0.1:1/cadence?connect_timeout=3", "127.0.0.1:1/cadence"},
		// TEST-NET-1 (RFC 5737) is never routed: the SYN goes unanswered,
		// or the kernel says unreachable at once.
		{"blackholed address", "postgres://cadence:s3cret-pw@192.0.2.1:5432/cadence?connect_timeout=1", "192.0.2.1:5432/cadence"},
		{"silent server", "postgres://cadence:s3cret-pw@" + silent.Addr().String() + "/cadence?connect_timeout=1", silent.Addr().String() + "/cadence"},
	}
	for openName, open := range opens {
		for _, tc := range tests {
			t.Run(openName+"/"+tc.name, func(t *testing.T) {
				start := time.Now()
				_, err := open(context.Background(), tc.url)
				require.Error(t, err)
				// Generous: the machine is loaded; a hang would be minutes.
				assert.Less(t, time.Since(start), 15*time.Second)
				assert.Contains(t, err.Error(), tc.host)
				assert.NotContains(t, err.Error(), "s3cret-pw")
			})
		}
		t.Run(openName+"/not a port", func(t *testing.T) {
			_, err := open(context.Background(), "postgres://cadence:s3cret-pw@127.0.0.1:notaport/cadence")
			require.Error(t, err)
			assert.NotContains(t, err.Error(), "s3cret-pw")
			assert.True(t, strings.Contains(err.Error(), postgres.EnvURL), "names where the URL came from: %v", err)
		})
	}
}

// OpenReadOnly never migrates: an empty database or an older schema is
// refused and left as it was, a newer one is refused with both versions
// named, and a current one opens with every write refused by the server.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	version := func(t *testing.T, conn *pgx.Conn) (v int) {
		var exists bool
		require.NoError(t, conn.QueryRow(ctx, "SELECT to_regclass('schema_version') IS NOT NULL").Scan(&exists))
		if exists {
			require.NoError(t, conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&v))
		}
		return v
	}
	cur := postgres.SchemaVersion()
	tests := []struct {
		name    string
		prepare func(t *testing.T, url string, conn *pgx.Conn)
		wantErr error
		wantMsg string
	}{
		{name: "empty database", prepare: func(*testing.T, string, *pgx.Conn) {},
			wantErr: postgres.ErrSchemaTooOld, wantMsg: fmt.Sprintf("version 0, older than this binary's %d", cur)},
		{name: "older schema", prepare: func(t *testing.T, url string, conn *pgx.Conn) {
			migrated(t, url)
			_, err := conn.Exec(ctx, "DELETE FROM schema_version WHERE version = $1", cur)
			require.NoError(t, err)
		}, wantErr: postgres.ErrSchemaTooOld, wantMsg: fmt.Sprintf("version %d, older than this binary's %d", cur-1, cur)},
		{name: "newer schema", prepare: func(t *testing.T, url string, conn *pgx.Conn) {
			migrated(t, url)
			_, err := conn.Exec(ctx, "INSERT INTO schema_version (version, name) VALUES ($1, 'from the future')", cur+1)
			require.NoError(t, err)
		}, wantErr: postgres.ErrSchemaTooNew, wantMsg: fmt.Sprintf("version %d, newer than this binary's %d", cur+1, cur)},
		{name: "current schema", prepare: func(t *testing.T, url string, _ *pgx.Conn) { migrated(t, url) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url := pgtest.URL(t)
			conn, err := pgx.Connect(ctx, url)
			require.NoError(t, err)
			defer conn.Close(ctx)
			tc.prepare(t, url, conn)
			before := version(t, conn)
			db, err := postgres.OpenReadOnly(ctx, url)
			assert.Equal(t, before, version(t, conn), "the schema is left as it was")
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Contains(t, err.Error(), tc.wantMsg)
				return
			}
			require.NoError(t, err)
			defer db.Close()
			require.NoError(t, db.View(ctx, func(tx cadence.Tx) error { _, err := tx.Occurrences(cadence.OccurrenceFilter{}); return err }))
			err = db.Update(ctx, func(tx cadence.Tx) error { return tx.Put("ns", "k", []byte("v")) })
			var pe *pgconn.PgError
			require.ErrorAs(t, err, &pe, "the server refuses the write")
			assert.Equal(t, "25006", pe.Code, "read_only_sql_transaction")
		})
	}
}

// migrated applies this binary's schema to the database at url.
func migrated(t *testing.T, url string) {
	t.Helper()
	db, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	require.NoError(t, db.Close())
}

// Migration 0005 moves the text of answers written before it into
// answer_texts: an answer stored whole (as 0004 kept it) reads back the
// same, and its metadata row no longer holds the text.
func TestMigrationSplitsAnswerText(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	// Back to schema 4, with one answer as 0004 stored it: the tables of
	// every later migration go too, so the open re-runs them all.
	for _, sql := range []string{
		"DROP TABLE answer_texts",
		"DROP TABLE occurrence_people",
		"ALTER TABLE occurrences DROP COLUMN expected",
		"DROP TABLE occurrence_aggregates",
		"DROP TABLE week_aggregates",
		"DROP TABLE definitions",
		"DELETE FROM schema_version WHERE version >= 5",
		`INSERT INTO answers (occurrence_id, person_id, scheduled_ns, doc) VALUES ('triage@20260302T083000Z', 'ana', 0,
			convert_to('{"OccurrenceID":"triage@20260302T083000Z","RitualID":"triage","PersonID":"ana","Responses":[{"QuestionID":"blockers","Text":"CI is red"}],"SubmittedAt":"2026-03-02T09:00:00Z","UpdatedAt":"2026-03-02T09:00:00Z","Edits":0,"Via":"test"}', 'UTF8'))`,
	} {
		_, err := conn.Exec(ctx, sql)
		require.NoError(t, err, sql)
	}
	db, err = postgres.Open(ctx, url)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.View(ctx, func(tx cadence.Tx) error {
		a, err := tx.Answer("triage@20260302T083000Z", "ana")
		require.NoError(t, err)
		assert.Equal(t, []cadence.Response{{QuestionID: "blockers", Text: "CI is red"}}, a.Responses)
		assert.Equal(t, "test", a.Via)
		return nil
	}))
	var doc string
	require.NoError(t, conn.QueryRow(ctx, "SELECT convert_from(doc, 'UTF8') FROM answers").Scan(&doc))
	assert.NotContains(t, doc, "CI is red", "the metadata row holds no text")
}

// Migration 0009 deletes what earlier compactions kept of direct messages
// about an occurrence no longer open; a compacted summary, a compacted
// reminder of an occurrence still open and a whole prompt stay.
func TestMigrationDeletesOutlivedMessages(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	at := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	closed := &cadence.Occurrence{ID: cadence.OccurrenceID("triage", at), RitualID: "triage", Scheduled: at,
		Status: cadence.StatusClosed, Expected: []string{"ana", "bo"}}
	open := &cadence.Occurrence{ID: cadence.OccurrenceID("triage", at.AddDate(0, 0, 7)), RitualID: "triage",
		Scheduled: at.AddDate(0, 0, 7), Status: cadence.StatusOpen, Expected: []string{"ana"}}
	msg := func(key string, kind cadence.MessageKind, to cadence.Recipient, o *cadence.Occurrence, compacted bool) *cadence.Message {
		return &cadence.Message{Key: key, Kind: kind, Platform: "slack", To: to, RitualID: "triage", OccurrenceID: o.ID,
			CreatedAt: at, Revision: 1, SentRevision: 1, State: cadence.StateSent, Ref: cadence.Ref{Channel: "D1", ID: "1.2"}, Compacted: compacted}
	}
	ana, bo := cadence.Recipient{Person: "ana"}, cadence.Recipient{Person: "bo"}
	gone := []*cadence.Message{
		msg(cadence.PromptKey(closed.ID, "ana"), cadence.KindPrompt, ana, closed, true),
		msg(cadence.ReminderKey(closed.ID, "bo", 0), cadence.KindReminder, bo, closed, true),
		msg(cadence.ReceiptKey(closed.ID, "ana", 0), cadence.KindReceipt, ana, closed, true),
	}
	kept := []*cadence.Message{
		msg(cadence.SummaryKey(closed.ID), cadence.KindSummary, cadence.Recipient{Channel: "C1"}, closed, true),
		msg(cadence.ReminderKey(open.ID, "ana", 0), cadence.KindReminder, ana, open, true),
		msg(cadence.PromptKey(closed.ID, "bo"), cadence.KindPrompt, bo, closed, false),
	}
	require.NoError(t, db.Update(ctx, func(tx cadence.Tx) error {
		for _, o := range []*cadence.Occurrence{closed, open} {
			if err := tx.PutOccurrence(o); err != nil {
				return err
			}
		}
		for _, m := range append(slices.Clone(gone), kept...) {
			if err := tx.PutMessage(m); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, db.Close())
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DELETE FROM schema_version WHERE version >= 9")
	require.NoError(t, err)

	db, err = postgres.Open(ctx, url)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.View(ctx, func(tx cadence.Tx) error {
		for _, m := range gone {
			_, err := tx.Message(m.Key)
			assert.ErrorIs(t, err, cadence.ErrNotFound, m.Key)
		}
		for _, m := range kept {
			got, err := tx.Message(m.Key)
			require.NoError(t, err, m.Key)
			assert.Equal(t, m.Compacted, got.Compacted, m.Key)
		}
		return nil
	}))
}

// Migration 0010 marks what earlier compactions left (Compacted, no body)
// as compacted, so it is no longer listed; a whole message and one revised
// after compaction (Compacted still set, its body back) stay listed.
func TestMigrationUnlistsCompactedMessages(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	at := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	msg := func(key string, i int) *cadence.Message {
		return &cadence.Message{Key: key, Kind: cadence.KindSummary, Platform: "slack", To: cadence.Recipient{Channel: "C1"},
			RitualID: "triage", CreatedAt: at.Add(time.Duration(i) * time.Minute), Revision: 1, SentRevision: 1,
			State: cadence.StateSent, Ref: cadence.Ref{Channel: "C1", ID: key}, Body: cadence.Body{Title: "Triage"}}
	}
	compacted, whole, revised := msg("compacted", 0), msg("whole", 1), msg("revised", 2)
	compacted.Body, compacted.Compacted = cadence.Body{}, true
	require.NoError(t, db.Update(ctx, func(tx cadence.Tx) error {
		for _, m := range []*cadence.Message{compacted, whole, revised} {
			if err := tx.PutMessage(m); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, db.Close())
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	// As schema 9 left them: no column, the revision's document still
	// saying Compacted.
	for _, sql := range []string{
		"DROP INDEX outbox_listed",
		"ALTER TABLE outbox DROP COLUMN compacted",
		"CREATE INDEX outbox_created ON outbox (created_ns, key)",
		`UPDATE outbox SET doc = convert_to(jsonb_set(convert_from(doc, 'UTF8')::jsonb, '{Compacted}', 'true')::text, 'UTF8') WHERE key = 'revised'`,
		"DELETE FROM schema_version WHERE version >= 10",
	} {
		_, err := conn.Exec(ctx, sql)
		require.NoError(t, err, sql)
	}

	db, err = postgres.Open(ctx, url)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.View(ctx, func(tx cadence.Tx) error {
		ms, err := tx.Messages(cadence.MessageFilter{})
		require.NoError(t, err)
		var keys []string
		for _, m := range ms {
			keys = append(keys, m.Key)
		}
		assert.Equal(t, []string{"whole", "revised"}, keys)
		got, err := tx.Message("compacted")
		require.NoError(t, err)
		assert.True(t, got.Compacted, "still there by key")
		return nil
	}))
}
