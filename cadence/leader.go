package cadence

import (
	"context"
	"errors"
	"sync"

	"github.com/rs/zerolog"
)

// Leadership elects the one replica that runs the clock-driven work:
// ticks (open, remind, close), follow-up reminders, the digest, outbox
// compaction and the dispatcher. Every replica serves people (answers,
// commands, pages); only the leader acts on the clock and talks to the
// platforms on its own.
//
// A store shared by replicas (PostgreSQL) implements it with a lease
// carrying an epoch, and fences writes made under a term's context
// (WithTerm): once the lease has moved on, they are refused with
// ErrNotLeader in the same transaction. A store only one process can
// open (bbolt) uses Solo.
type Leadership interface {
	// Campaign blocks until this replica leads, or ctx ends.
	Campaign(ctx context.Context) (Term, error)
}

// Term is one stretch of leadership.
type Term struct {
	// Epoch grows with every new term, over all replicas. Zero is Solo's:
	// nothing to fence.
	Epoch int64
	// Lost is closed when the lease is lost, or when it may have
	// expired before this replica could renew it: work must stop then.
	// nil never closes.
	Lost <-chan struct{}
}

// ErrNotLeader refuses a write fenced with an epoch that no longer holds
// the lease: another replica leads, or may by now.
var ErrNotLeader = errors.New("not the leader: the lease has moved on")

type termKey struct{}

// WithTerm marks ctx as the context of leader work in term epoch: a store
// that fences (PostgreSQL) commits a write made under it only while that
// epoch holds the lease. A context carries the fence rather than each
// call, so that every write of the ticks and the dispatcher — opening an
// occurrence, claiming a message, marking it sent — is fenced without
// threading an epoch through each of them; context.WithoutCancel keeps it.
func WithTerm(ctx context.Context, epoch int64) context.Context {
	if epoch == 0 {
		return ctx
	}
	return context.WithValue(ctx, termKey{}, epoch)
}

// TermOf returns the epoch WithTerm put in ctx.
func TermOf(ctx context.Context) (int64, bool) {
	e, ok := ctx.Value(termKey{}).(int64)
	return e, ok
}

// Solo is the Leadership of a store one process holds alone (bbolt's file
// lock): it always leads, in epoch 0, and never loses.
type Solo struct{}

func (Solo) Campaign(ctx context.Context) (Term, error) {
	if err := ctx.Err(); err != nil {
		return Term{}, err
	}
	return Term{}, nil
}

// Lead runs work for every term this replica wins until ctx ends. work's
// context is marked WithTerm and ends when the term is lost; Lead waits
// for work to return before it campaigns again, so no two terms of one
// replica overlap. onChange, if set, is told when a term starts and
// when its work has stopped.
func Lead(ctx context.Context, l Leadership, log zerolog.Logger, onChange func(leading bool, epoch int64), work func(ctx context.Context)) {
	for ctx.Err() == nil {
		term, err := l.Campaign(ctx)
		if err != nil {
			if ctx.Err() == nil {
				log.Error().Err(err).Msg("leader election failed")
			}
			return
		}
		tctx, cancel := context.WithCancel(WithTerm(ctx, term.Epoch))
		var wg sync.WaitGroup
		wg.Go(func() {
			select {
			case <-term.Lost:
				log.Warn().Int64("epoch", term.Epoch).Msg("leadership lost: scheduler and dispatcher stop here")
			case <-tctx.Done():
			}
			cancel()
		})
		if onChange != nil {
			onChange(true, term.Epoch)
		}
		work(tctx)
		cancel()
		wg.Wait()
		if onChange != nil {
			onChange(false, term.Epoch)
		}
	}
}
