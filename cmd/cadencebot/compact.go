package main

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// outboxCompactor drops the content of delivered messages older than the
// retention (store.CompactOutbox). It runs from the tick loop: once an
// hour it goes through the outbox one bounded transaction per tick, so
// answers and the dispatcher never wait long behind it.
type outboxCompactor struct {
	db        outboxCompacter
	clock     cadence.Clock
	log       zerolog.Logger
	retention time.Duration
	every     time.Duration
	batch     int
	next      time.Time
	total     int // compacted in the current round, for the log
}

func newOutboxCompactor(db outboxCompacter, clock cadence.Clock, log zerolog.Logger, retention time.Duration) *outboxCompactor {
	if retention <= 0 {
		retention = store.DefaultOutboxRetention
	}
	return &outboxCompactor{db: db, clock: clock, log: log, retention: retention, every: time.Hour, batch: 500}
}

// tick does one transaction of work when a round is due or under way.
func (c *outboxCompactor) tick(ctx context.Context) {
	now := c.clock.Now()
	if now.Before(c.next) {
		return
	}
	n, more, err := c.db.CompactOutbox(ctx, now.Add(-c.retention), c.batch)
	c.total += n
	switch {
	case err != nil:
		if ctx.Err() == nil {
			c.log.Error().Err(err).Msg("outbox compaction failed; trying again in an hour")
		}
		c.next, c.total = now.Add(c.every), 0
	case more:
		// Carry on at the next tick.
	default:
		if c.total > 0 {
			c.log.Info().Int("messages", c.total).Dur("retention", c.retention).Msg("outbox compacted: content of old delivered messages dropped")
		}
		c.next, c.total = now.Add(c.every), 0
	}
}
