package main

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

// The dispatcher waits for the first tick to have run, successful or not:
// sending beside it took the CPU and the writer lock the start to ready
// needs. A tick that fails must not keep the queue from going out.
func TestDispatcherStartsAfterTheFirstTick(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tickErr error
		ready   bool
	}{
		{name: "first tick done", ready: true},
		{name: "first tick failed", tickErr: errors.New("the tick failed"), ready: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse("app.toml", []byte(appConfig))
			require.NoError(t, err)
			monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
			app, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "app.db"),
				Getenv: func(string) string { return "" }, Clock: cadence.NewManualClock(monday), Log: zerolog.Nop(),
				TickEvery: 5 * time.Millisecond, DispatchPoll: 5 * time.Millisecond})
			require.NoError(t, err)
			// A prompt left queued by the last run, due at once.
			require.NoError(t, app.db.Update(context.Background(), func(tx cadence.Tx) error {
				_, err := tx.Enqueue(&cadence.Message{Key: "left/prompt/ana", Kind: cadence.KindPrompt, Platform: "local",
					To: cadence.Recipient{Person: "ana"}, Body: cadence.Body{Text: "How did it go?"}, CreatedAt: monday, Revision: 1, State: cadence.StatePending})
				return err
			}))
			entered, release := make(chan struct{}), make(chan struct{})
			first := true
			app.tick = func(ctx context.Context) error {
				if first {
					first = false
					close(entered)
					select {
					case <-release:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				return tc.tickErr
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- app.Run(ctx) }()
			t.Cleanup(func() {
				cancel()
				require.NoError(t, <-done)
				require.NoError(t, app.Close())
			})
			sent := func() bool {
				var st cadence.DeliveryState
				require.NoError(t, app.db.View(context.Background(), func(tx cadence.Tx) error {
					m, err := tx.Message("left/prompt/ana")
					if err == nil {
						st = m.State
					}
					return err
				}))
				return st == cadence.StateSent
			}

			<-entered
			app.poke()
			time.Sleep(100 * time.Millisecond) // twenty dispatcher polls
			assert.False(t, sent(), "sent while the first tick ran")
			assert.False(t, app.ready.ok.Load())

			close(release)
			require.Eventually(t, sent, 5*time.Second, 5*time.Millisecond, "not sent after the first tick")
			assert.Equal(t, tc.ready, app.ready.ok.Load())
		})
	}
}
