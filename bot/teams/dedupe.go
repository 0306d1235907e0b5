package teams

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// The Bot Connector retries an activity whose 200 was lost or slow, with
// the same id. Handled activities are remembered in nsActivities so a
// retry is answered 200 without acting twice:
//
//	id/<conversation>/<activity>   → the time it was handled (RFC 3339, UTC)
//	at/<hour>/<rest of time>/<id…> → the id/ key: a time-ordered index
//	cursor                         → the oldest hour that may hold entries
//
// Activity ids are unique per conversation only, hence both in the key.
// Entries are forgotten 24 to 25 hours after handling (whole hours), a
// little at a time by the requests themselves.
const nsActivities = "teams.activities"

const (
	// activityTTL is far longer than the connector's retries (seconds to
	// minutes).
	activityTTL = 24 * time.Hour
	// pruneBatch and pruneHours bound what one request prunes: entries
	// deleted, and hour buckets the cursor may step through (a bot that
	// was down for a month catches up over a few hundred requests).
	pruneBatch = 64
	pruneHours = 72

	cursorKey  = "cursor"
	hourLayout = "2006-01-02T15"
	restLayout = "04:05.000000000"
)

// once says how an activity is kept from acting twice.
type once int

const (
	// always: no effect worth guarding (typing, reactions) or no id.
	always once = iota
	// claimFirst records the activity before acting on it. Commands and
	// card submits are not idempotent (an answer's edit count, an ops
	// action and its audit entry, a reply): a crash between recording and
	// acting loses the click, which the person sees (no confirmation, the
	// card unchanged) and repeats as a new activity. The claim is one
	// transaction, so a retry racing a slow first delivery is a duplicate
	// too. A handler error releases the claim so the connector's retry
	// acts.
	claimFirst
	// recordAfter acts first and records on success. Installs and
	// uninstalls only upsert or delete conversation references: a crash
	// before the record re-runs them harmlessly (at worst a second
	// welcome card), whereas losing them would leave people unreachable.
	recordAfter
)

func onceFor(act *Activity) once {
	if act.ID == "" {
		return always
	}
	switch act.Type {
	case typeMessage:
		return claimFirst
	case typeConversationUpdate, typeInstallationUpdate:
		return recordAfter
	}
	return always
}

// handleOnce runs handleActivity unless act was handled before.
func (a *Adapter) handleOnce(ctx context.Context, act *Activity) (int, error) {
	key := activityKey(act)
	switch onceFor(act) {
	case claimFirst:
		claimed, err := a.markActivity(ctx, key)
		if err != nil {
			return http.StatusInternalServerError, fmt.Errorf("recording the activity: %w", err)
		}
		if !claimed {
			a.log.Info().Str("activity", act.ID).Str("conversation", act.Conversation.ID).Msg("teams: duplicate activity ignored")
			return http.StatusOK, nil
		}
		st, err := a.handleActivity(ctx, act)
		if err != nil {
			if rerr := a.releaseActivity(ctx, key); rerr != nil {
				a.log.Error().Err(rerr).Str("activity", act.ID).Msg("teams: could not release a failed activity; a retry will be ignored")
			}
		}
		return st, err
	case recordAfter:
		seen, err := a.seenActivity(ctx, key)
		if err != nil {
			return http.StatusInternalServerError, fmt.Errorf("reading handled activities: %w", err)
		}
		if seen {
			a.log.Info().Str("activity", act.ID).Str("conversation", act.Conversation.ID).Msg("teams: duplicate activity ignored")
			return http.StatusOK, nil
		}
		st, err := a.handleActivity(ctx, act)
		if err == nil {
			if _, err := a.markActivity(context.WithoutCancel(ctx), key); err != nil {
				// Done and idempotent: a retry would only redo it.
				a.log.Warn().Err(err).Str("activity", act.ID).Msg("teams: could not record a handled activity")
			}
		}
		return st, err
	}
	return a.handleActivity(ctx, act)
}

// activityKey is the id/ key of act; each part is escaped so no
// conversation id can pose as another's prefix.
func activityKey(act *Activity) string {
	return "id/" + url.PathEscape(act.Conversation.ID) + "/" + url.PathEscape(act.ID)
}

func indexKey(key string, at time.Time) string {
	at = at.UTC()
	return "at/" + at.Format(hourLayout) + "/" + at.Format(restLayout) + "/" + key
}

// markActivity records key as handled now, unless it already is, and
// prunes a bounded amount of old entries in the same transaction. It
// reports whether key was new.
func (a *Adapter) markActivity(ctx context.Context, key string) (bool, error) {
	now := a.clock.Now().UTC()
	fresh := false
	err := a.st.Update(ctx, func(tx cadence.Tx) error {
		fresh = false
		switch _, err := tx.Get(nsActivities, key); {
		case err == nil:
			return nil
		case !errors.Is(err, cadence.ErrNotFound):
			return err
		}
		fresh = true
		if err := tx.Put(nsActivities, key, []byte(now.Format(time.RFC3339Nano))); err != nil {
			return err
		}
		if err := tx.Put(nsActivities, indexKey(key, now), []byte(key)); err != nil {
			return err
		}
		return pruneActivities(tx, now)
	})
	return fresh, err
}

// releaseActivity forgets key, so a retry of a failed activity acts. It
// must land even when the connector has hung up.
func (a *Adapter) releaseActivity(ctx context.Context, key string) error {
	return a.st.Update(context.WithoutCancel(ctx), func(tx cadence.Tx) error {
		v, err := tx.Get(nsActivities, key)
		if errors.Is(err, cadence.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if at, err := time.Parse(time.RFC3339Nano, string(v)); err == nil {
			if err := tx.Delete(nsActivities, indexKey(key, at)); err != nil {
				return err
			}
		}
		return tx.Delete(nsActivities, key)
	})
}

func (a *Adapter) seenActivity(ctx context.Context, key string) (bool, error) {
	seen := false
	err := a.st.View(ctx, func(tx cadence.Tx) error {
		_, err := tx.Get(nsActivities, key)
		seen = err == nil
		if errors.Is(err, cadence.ErrNotFound) {
			return nil
		}
		return err
	})
	return seen, err
}

// pruneActivities deletes entries of whole hours older than activityTTL,
// at most pruneBatch of them, starting at the cursor. The cursor moves
// back when the clock does, so no entry is ever left behind it.
func pruneActivities(tx cadence.KVTx, now time.Time) error {
	hour := now.Truncate(time.Hour)
	cur, stored, err := pruneCursor(tx, hour)
	if err != nil {
		return err
	}
	start := cur
	cur = minTime(cur, hour)
	limit := now.Add(-activityTTL).Truncate(time.Hour) // hours before it are all expired
	budget := pruneBatch
	for steps := 0; cur.Before(limit) && steps < pruneHours && budget > 0; steps++ {
		keys, err := tx.Keys(nsActivities, "at/"+cur.Format(hourLayout)+"/")
		if err != nil {
			return err
		}
		n := min(len(keys), budget)
		for _, k := range keys[:n] {
			if id, err := tx.Get(nsActivities, k); err == nil {
				if err := tx.Delete(nsActivities, string(id)); err != nil {
					return err
				}
			}
			if err := tx.Delete(nsActivities, k); err != nil {
				return err
			}
		}
		budget -= n
		if n < len(keys) {
			break // this hour is not empty yet; the next request goes on
		}
		cur = cur.Add(time.Hour)
	}
	if stored && cur.Equal(start) {
		return nil
	}
	return tx.Put(nsActivities, cursorKey, []byte(cur.Format(hourLayout)))
}

// pruneCursor reads the cursor and whether it was stored. A missing or
// unreadable one is the oldest hour in the index (one scan, then never
// again), or hour when that is older.
func pruneCursor(tx cadence.KVTx, hour time.Time) (time.Time, bool, error) {
	b, err := tx.Get(nsActivities, cursorKey)
	if err != nil && !errors.Is(err, cadence.ErrNotFound) {
		return time.Time{}, false, err
	}
	if err == nil {
		if t, perr := time.Parse(hourLayout, string(b)); perr == nil {
			return t, true, nil
		}
	}
	keys, err := tx.Keys(nsActivities, "at/")
	if err != nil {
		return time.Time{}, false, err
	}
	for _, k := range keys { // sorted: the first readable one is the oldest
		if h, _, ok := strings.Cut(strings.TrimPrefix(k, "at/"), "/"); ok {
			if t, perr := time.Parse(hourLayout, h); perr == nil {
				return minTime(t, hour), false, nil
			}
		}
	}
	return hour, false, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
