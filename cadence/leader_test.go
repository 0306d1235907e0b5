package cadence_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// terms hands out the terms a test pushes.
type terms chan cadence.Term

func (c terms) Campaign(ctx context.Context) (cadence.Term, error) {
	select {
	case t := <-c:
		return t, nil
	case <-ctx.Done():
		return cadence.Term{}, ctx.Err()
	}
}

// Lead runs the work once per term, under the term's epoch, stops it when
// the term is lost, and never runs two terms' work at once.
func TestLeadRunsWorkPerTerm(t *testing.T) {
	l := make(terms, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var running, overlap atomic.Int32
	epochs := make(chan int64, 4)
	var changes []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		cadence.Lead(ctx, l, zerolog.Nop(), func(leading bool, epoch int64) {
			changes = append(changes, map[bool]string{true: "lead", false: "stop"}[leading])
		}, func(wctx context.Context) {
			if running.Add(1) > 1 {
				overlap.Add(1)
			}
			defer running.Add(-1)
			e, _ := cadence.TermOf(wctx)
			epochs <- e
			<-wctx.Done()
		})
	}()
	for _, e := range []int64{3, 7} {
		lost := make(chan struct{})
		l <- cadence.Term{Epoch: e, Lost: lost}
		select {
		case got := <-epochs:
			assert.Equal(t, e, got, "the work runs under its term's epoch")
		case <-time.After(5 * time.Second):
			t.Fatalf("term %d did not start", e)
		}
		close(lost)
		require.Eventually(t, func() bool { return running.Load() == 0 }, 5*time.Second, time.Millisecond, "work stops when the term is lost")
	}
	cancel()
	<-done
	assert.Zero(t, overlap.Load())
	assert.Equal(t, []string{"lead", "stop", "lead", "stop"}, changes)
}

func TestTermContext(t *testing.T) {
	tests := []struct {
		epoch  int64
		fenced bool
	}{{0, false}, {1, true}, {42, true}}
	for _, tc := range tests {
		ctx := cadence.WithTerm(context.Background(), tc.epoch)
		e, ok := cadence.TermOf(context.WithoutCancel(ctx))
		assert.Equal(t, tc.fenced, ok, "epoch %d", tc.epoch)
		if ok {
			assert.Equal(t, tc.epoch, e)
		}
	}
}
