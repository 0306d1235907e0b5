package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// UpdateBatch implements cadence.BatchUpdater: concurrent small writes
// (the dispatcher's claims and "sent" marks, 16 conversations in flight)
// share one transaction, so one BEGIN, write lock, lease check and COMMIT
// serve up to maxBatch of them instead of one each. Calls are grouped by
// the leader term their context carries, so the batch's one fence (the
// lease row FOR KEY SHARE, held to the commit) conditions every write in
// it on that epoch: a deposed leader's batch commits nothing.
//
// fn must be idempotent: when one fails, the batch is rolled back, that
// call is run alone with its own error, and the others run again
// together. The call returns once its writes have committed, after at
// most maxBatchDelay of waiting for company.
func (db *DB) UpdateBatch(ctx context.Context, fn func(cadence.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	epoch, fenced := cadence.TermOf(ctx)
	c := batchCall{ctx: ctx, fn: fn, done: make(chan error, 1)}
	db.batches.add(db, batchKey{epoch, fenced}, c)
	return <-c.done
}

var _ cadence.BatchUpdater = (*DB)(nil)

const (
	// maxBatch bounds one shared transaction; a full batch runs at once.
	maxBatch = 64
	// maxBatchDelay is how long the first call of a batch waits for
	// others: far below a chat platform's round trip.
	maxBatchDelay = 2 * time.Millisecond
)

type batchKey struct {
	epoch  int64
	fenced bool
}

type batchCall struct {
	ctx  context.Context
	fn   func(cadence.Tx) error
	done chan error
}

// batches holds the batch still gathering calls, per term.
type batches struct {
	mu      sync.Mutex
	pending map[batchKey]*batch
}

type batch struct {
	db    *DB
	key   batchKey
	calls []batchCall // appended only while pending, under batches.mu
	timer *time.Timer
	once  sync.Once
}

func (bs *batches) add(db *DB, key batchKey, c batchCall) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if bs.pending == nil {
		bs.pending = map[batchKey]*batch{}
	}
	b := bs.pending[key]
	if b == nil {
		b = &batch{db: db, key: key}
		bs.pending[key] = b
		b.timer = time.AfterFunc(maxBatchDelay, b.trigger)
	}
	b.calls = append(b.calls, c)
	if len(b.calls) >= maxBatch {
		delete(bs.pending, key)
		go b.trigger()
	}
}

func (b *batch) trigger() { b.once.Do(b.run) }

func (b *batch) run() {
	bs := &b.db.batches
	bs.mu.Lock()
	if bs.pending[b.key] == b {
		delete(bs.pending, b.key)
	}
	calls := b.calls
	bs.mu.Unlock()
	b.timer.Stop()

	// The batch's own context: the term of its calls, cancelled by none
	// of them (each caller waits for the commit it is part of).
	ctx := context.Background()
	if b.key.fenced {
		ctx = cadence.WithTerm(ctx, b.key.epoch)
	}
	for len(calls) > 0 {
		failed := -1
		err := b.db.Update(ctx, func(tx cadence.Tx) error {
			for i, c := range calls {
				if err := c.fn(tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			// Committed, or refused as a whole (the lease, the
			// connection, the commit): every call gets the outcome.
			for _, c := range calls {
				c.done <- err
			}
			return
		}
		c := calls[failed]
		calls = append(calls[:failed:failed], calls[failed+1:]...)
		c.done <- b.db.Update(c.ctx, c.fn)
	}
}
