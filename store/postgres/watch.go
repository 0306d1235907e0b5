package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DefinitionsChannel is the NOTIFY channel of changes to the rituals and
// people kept in the store: a transaction that puts or deletes one
// notifies it on commit, so every replica reloads its live configuration
// at once instead of at its next reload.
const DefinitionsChannel = "cadencebot_definitions"

// WatchDefinitions keeps a connection of its own LISTENing on
// DefinitionsChannel and calls changed after each notification, until ctx
// ends. Notifications sent while it was not listening are lost, so it
// calls changed once it listens too, the first time included (a change
// may have committed between the caller's load and the LISTEN). A lost
// connection is retried with backoff up to retryMax; down is told why
// (nil once listening again).
// Callers debounce: a burst of saves notifies once per commit.
func (db *DB) WatchDefinitions(ctx context.Context, changed func(), down func(error)) {
	const retryMax = 10 * time.Second
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := db.listen(ctx, func() {
			changed() // what was missed while not listening
			wait = 100 * time.Millisecond
			if down != nil {
				down(nil)
			}
		}, changed)
		if ctx.Err() != nil {
			return
		}
		if down != nil {
			down(err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, retryMax)
	}
}

// listen is one connection's life: LISTEN, then wait.
func (db *DB) listen(ctx context.Context, up, changed func()) error {
	conf := db.pool.Config().ConnConfig.Copy()
	cctx, cancel := context.WithTimeout(ctx, max(conf.ConnectTimeout, DefaultConnectTimeout))
	conn, err := pgx.ConnectConfig(cctx, conf)
	cancel()
	if err != nil {
		return fmt.Errorf("connect to %s: %w", db.host, redact(err))
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "LISTEN "+DefinitionsChannel); err != nil {
		return fmt.Errorf("listen on %s: %w", db.host, err)
	}
	up()
	for {
		// A quiet connection is pinged now and then, so a dead one is
		// noticed (and the changes missed picked up) within a minute.
		wctx, cancel := context.WithTimeout(ctx, watchPing)
		_, err := conn.WaitForNotification(wctx)
		timedOut := wctx.Err() != nil
		cancel()
		switch {
		case err == nil:
			changed()
		case ctx.Err() != nil:
			return ctx.Err()
		case timedOut && pgconn.Timeout(err):
			pctx, cancel := context.WithTimeout(ctx, DefaultConnectTimeout)
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return fmt.Errorf("ping on %s: %w", db.host, err)
			}
		default:
			return fmt.Errorf("wait for notifications on %s: %w", db.host, err)
		}
	}
}

// watchPing is how long the watch waits in silence before a ping.
const watchPing = 30 * time.Second
