package slack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// nsReplays holds the signatures of slash commands and interactions
// already taken, for as long as Slack's signature window lets them be
// replayed. Events are deduplicated by event_id instead (dedupe.go).
const nsReplays = "slack.replays"

// errReplayed is a signed command or interaction sent a second time.
var errReplayed = errors.New("this request was already received (same signature and timestamp): a replay is not acted on twice")

// claimSignature records a signed request's signature and reports whether
// it is new. The signature is an HMAC over the timestamp and the whole
// body, so an identical replay carries the identical signature; a replay
// outside the window is already refused by verify. Check and record run
// in one transaction, so two copies racing each other claim it once, and
// the record survives a restart within the window.
func (a *Adapter) claimSignature(ctx context.Context, r *http.Request) (bool, error) {
	sum := sha256.Sum256([]byte(r.Header.Get("X-Slack-Request-Timestamp") + ":" + r.Header.Get("X-Slack-Signature")))
	key := hex.EncodeToString(sum[:])
	now := a.clock.Now().UTC()
	fresh := false
	err := a.st.Update(ctx, func(tx cadence.Tx) error {
		if _, err := tx.Get(nsReplays, key); err == nil {
			return nil
		} else if !errors.Is(err, cadence.ErrNotFound) {
			return err
		}
		fresh = true
		if err := tx.Put(nsReplays, key, []byte(now.Format(time.RFC3339))); err != nil {
			return err
		}
		return pruneReplays(tx, now)
	})
	return fresh, err
}

// pruneReplays forgets signatures older than twice the window (the
// window runs both ways around the request's timestamp). Keys are hashes,
// so this walks the namespace; it holds at most ten minutes of commands.
func pruneReplays(tx cadence.Tx, now time.Time) error {
	keys, err := tx.Keys(nsReplays, "")
	if err != nil {
		return err
	}
	cutoff := now.Add(-2 * replayWindow)
	for _, k := range keys {
		v, err := tx.Get(nsReplays, k)
		if err != nil {
			continue
		}
		if t, perr := time.Parse(time.RFC3339, string(v)); perr != nil || t.Before(cutoff) {
			if err := tx.Delete(nsReplays, k); err != nil {
				return err
			}
		}
	}
	return nil
}
