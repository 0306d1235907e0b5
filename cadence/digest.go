package cadence

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// The digest job's state lives in the KV space, namespace DigestNamespace,
// key "cursor": the last fire time handled, RFC 3339 in UTC. Not in a
// RitualState: ritual ids are chosen in the config and "digest" is a valid
// one, while the KV space is ours to divide.
const (
	DigestNamespace = "cadence.digest"
	digestCursorKey = "cursor"
	// digestRetryDelay spaces out attempts after a failed report or render
	// so a broken store does not log an error every tick.
	digestRetryDelay = time.Minute
	// digestLookback bounds the search for the latest missed fire time.
	digestLookback = 366 * 24 * time.Hour
)

// Reporter computes adherence over a period (Engine.Report).
type Reporter interface {
	Report(ctx context.Context, q ReportQuery) (*Report, error)
}

// DigestInput is what one digest is composed from.
type DigestInput struct {
	// Fire is the scheduled instant the digest is for; it may be in the
	// past when the bot was down then.
	Fire time.Time
	// Report covers the period: the last complete ISO week (UTC) before
	// Fire.
	Report *Report
	// Trend is the weekly rollup of the last Weeks ISO weeks, ending with
	// the period, oldest first. Weeks without any occurrence are absent.
	Trend []WeekAdherence
	// Lang is the language to word it in: the team's for a channel, a
	// manager's own for a DM.
	Lang string
}

// DigestRenderer lays the figures out as a platform-neutral body. The
// daemon injects one built on the dashboard package (text and chart), so
// cadence itself never formats a digest.
type DigestRenderer func(ctx context.Context, in DigestInput) (Body, error)

// DigestConfig configures NewDigest.
type DigestConfig struct {
	Schedule   *Schedule
	Platform   string
	Recipients []Recipient // a channel and/or people (DMs); at least one
	Weeks      int         // trend length in ISO weeks, period included (default 8)
	Reports    Reporter
	Render     DigestRenderer
	Store      Store
	Clock      Clock // defaults to SystemClock
	// Language is the language a recipient reads (the team's for a
	// channel, a person's own); nil: DefaultLanguage for everyone.
	Language func(Recipient) string
	Logger   zerolog.Logger
	// Enqueued, if set, is called after digests are queued, to wake the
	// dispatcher. It must not block.
	Enqueued func()
}

// Digest posts the weekly managers' digest on its own schedule: on each
// fire time it queues one KindDigest message per recipient, keyed by the
// fire instant and the recipient, in the same transaction that moves its
// cursor. Replaying a tick queues nothing new; fire times missed while the
// bot was down are collapsed into one late digest for the latest of them.
type Digest struct {
	cfg DigestConfig
	log zerolog.Logger

	mu      sync.Mutex
	retryAt time.Time // after a failure, when to try again
}

// NewDigest checks the configuration and returns the job.
func NewDigest(cfg DigestConfig) (*Digest, error) {
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Weeks == 0 {
		cfg.Weeks = 8
	}
	var errs []error
	if cfg.Schedule == nil {
		errs = append(errs, errors.New("no schedule"))
	}
	if cfg.Platform == "" {
		errs = append(errs, errors.New("no platform"))
	}
	if len(cfg.Recipients) == 0 {
		errs = append(errs, errors.New("no recipients: give a channel or people"))
	}
	seen := map[Recipient]bool{}
	for _, r := range cfg.Recipients {
		switch {
		case (r.Channel == "") == (r.Person == ""):
			errs = append(errs, fmt.Errorf("recipient %+v: set exactly one of channel and person", r))
		case seen[r]:
			errs = append(errs, fmt.Errorf("recipient %s is listed twice", r))
		}
		seen[r] = true
	}
	if cfg.Weeks < 1 || cfg.Weeks > 52 {
		errs = append(errs, fmt.Errorf("weeks must be between 1 and 52, got %d", cfg.Weeks))
	}
	if cfg.Reports == nil || cfg.Render == nil || cfg.Store == nil {
		errs = append(errs, errors.New("reports, render and store are required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	return &Digest{cfg: cfg, log: cfg.Logger.With().Str("job", "digest").Logger()}, nil
}

// DigestKey is the outbox key of the digest for one fire time and
// recipient: "digest/20260302T080000Z/#ml-leads".
func DigestKey(fire time.Time, to Recipient) string {
	return MessageKey("digest", fire.UTC().Format("20060102T150405Z"), to.String())
}

// DigestPeriod is the period a digest fired at fire covers: the last
// complete ISO week (Monday 00:00 UTC to Monday 00:00 UTC) before it,
// which is how Report.Weeks cuts weeks too.
func DigestPeriod(fire time.Time) (from, to time.Time) {
	_, to = isoWeek(fire)
	return to.AddDate(0, 0, -7), to
}

// DigestDue decides, from the cursor (the last fire time handled) and now,
// which fire time to send a digest for: the latest one in (cursor, now],
// or the zero time when none has come. missed counts the earlier fire
// times in that range that are dropped (never a backlog); the search goes
// back at most a year.
func DigestDue(s *Schedule, cursor, now time.Time) (fire time.Time, missed int) {
	next := s.Next(cursor)
	if next.IsZero() || next.After(now) {
		return time.Time{}, 0
	}
	if iv := s.Interval(); iv > 0 {
		// "@every": fire times are cursor + k·interval (see NextIn).
		base := cursor.Truncate(time.Second)
		k := now.Sub(base) / iv
		return base.Add(k * iv).UTC(), int(k - 1)
	}
	from := cursor
	if limit := now.Add(-digestLookback); from.Before(limit) {
		from = limit
	}
	for t := s.Next(from); !t.IsZero() && !t.After(now); t = s.Next(t) {
		if !fire.IsZero() {
			missed++
		}
		fire = t
	}
	if fire.IsZero() { // nothing within the lookback: the one after the cursor
		fire = next
	}
	return fire, missed
}

// Tick queues the digest when a fire time has come. The first tick of a
// new job only records now as its cursor: like a new ritual, it starts
// with the next fire time instead of back-filling. Tick is safe for
// concurrent use: the transaction that queues re-reads the cursor.
func (d *Digest) Tick(ctx context.Context) error {
	now := d.cfg.Clock.Now().UTC()
	d.mu.Lock()
	wait := now.Before(d.retryAt)
	d.mu.Unlock()
	if wait {
		return nil
	}
	cursor, found, err := d.cursor(ctx)
	if err != nil {
		return err
	}
	if !found {
		return d.start(ctx, now)
	}
	fire, missed := DigestDue(d.cfg.Schedule, cursor, now)
	if fire.IsZero() {
		return nil
	}
	// Compose outside the write transaction, once per language the
	// recipients read: reports read the whole period and the chart takes
	// milliseconds.
	bodies, err := d.composeAll(ctx, fire)
	d.mu.Lock()
	if err != nil {
		d.retryAt = now.Add(digestRetryDelay)
	} else {
		d.retryAt = time.Time{}
	}
	d.mu.Unlock()
	if err != nil {
		return fmt.Errorf("digest for %s: %w (next attempt in %s)", fire.Format(time.RFC3339), err, digestRetryDelay)
	}
	queued := 0
	err = d.cfg.Store.Update(ctx, func(tx Tx) error {
		queued = 0
		cur, ok, err := readDigestCursor(tx)
		if err != nil {
			return err
		}
		if ok && !cur.Equal(cursor) {
			return nil // another tick handled it meanwhile
		}
		for _, to := range d.cfg.Recipients {
			m := &Message{
				Key: DigestKey(fire, to), Kind: KindDigest, Platform: d.cfg.Platform, To: to,
				Body: bodies[d.language(to)], CreatedAt: now, Revision: 1, State: StatePending, NextAttemptAt: now,
			}
			ok, err := tx.Enqueue(m)
			if err != nil {
				return fmt.Errorf("enqueue %s: %w", m.Key, err)
			}
			if ok {
				queued++
			}
		}
		return writeDigestCursor(tx, fire)
	})
	if err != nil {
		return fmt.Errorf("digest for %s: %w", fire.Format(time.RFC3339), err)
	}
	ev := d.log.Info()
	if missed > 0 || now.Sub(fire) > time.Hour {
		ev = d.log.Warn().Int("missed", missed).Dur("late", now.Sub(fire))
	}
	ev.Time("fire", fire).Int("queued", queued).Msg("digest queued")
	if queued > 0 && d.cfg.Enqueued != nil {
		d.cfg.Enqueued()
	}
	return nil
}

// NextWake returns when Tick next has something to do: now for a new job
// or a fire time already due, else the next fire time (zero if none).
func (d *Digest) NextWake(ctx context.Context) (time.Time, error) {
	now := d.cfg.Clock.Now().UTC()
	cursor, found, err := d.cursor(ctx)
	if err != nil || !found {
		return now, err
	}
	next := d.cfg.Schedule.Next(cursor)
	if !next.IsZero() && next.Before(now) {
		return now, nil
	}
	return next, nil
}

func (d *Digest) start(ctx context.Context, now time.Time) error {
	err := d.cfg.Store.Update(ctx, func(tx Tx) error {
		if _, ok, err := readDigestCursor(tx); err != nil || ok {
			return err
		}
		return writeDigestCursor(tx, now)
	})
	if err != nil {
		return fmt.Errorf("digest: start: %w", err)
	}
	d.log.Info().Time("first", d.cfg.Schedule.Next(now)).Msg("digest scheduled")
	return nil
}

// language is what recipient to reads.
func (d *Digest) language(to Recipient) string {
	if d.cfg.Language == nil {
		return DefaultLanguage
	}
	if l := d.cfg.Language(to); l != "" {
		return l
	}
	return DefaultLanguage
}

// composeAll renders the body once per language of the recipients.
func (d *Digest) composeAll(ctx context.Context, fire time.Time) (map[string]Body, error) {
	out := map[string]Body{}
	for _, to := range d.cfg.Recipients {
		lang := d.language(to)
		if _, ok := out[lang]; ok {
			continue
		}
		b, err := d.compose(ctx, fire, lang)
		if err != nil {
			return nil, err
		}
		out[lang] = b
	}
	return out, nil
}

// compose fetches the figures and renders the body in lang.
func (d *Digest) compose(ctx context.Context, fire time.Time, lang string) (Body, error) {
	from, to := DigestPeriod(fire)
	period, err := d.cfg.Reports.Report(ctx, ReportQuery{From: from, To: to})
	if err != nil {
		return Body{}, fmt.Errorf("report: %w", err)
	}
	trend := period.Weeks
	if d.cfg.Weeks > 1 {
		long, err := d.cfg.Reports.Report(ctx, ReportQuery{From: from.AddDate(0, 0, -7*(d.cfg.Weeks-1)), To: to})
		if err != nil {
			return Body{}, fmt.Errorf("trend report: %w", err)
		}
		trend = long.Weeks
	}
	body, err := d.cfg.Render(ctx, DigestInput{Fire: fire, Report: period, Trend: trend, Lang: lang})
	if err != nil {
		return Body{}, fmt.Errorf("render: %w", err)
	}
	return body, nil
}

func (d *Digest) cursor(ctx context.Context) (cursor time.Time, found bool, err error) {
	err = d.cfg.Store.View(ctx, func(tx Tx) error {
		cursor, found, err = readDigestCursor(tx)
		return err
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("digest: read cursor: %w", err)
	}
	return cursor, found, nil
}

func readDigestCursor(tx Tx) (time.Time, bool, error) {
	v, err := tx.Get(DigestNamespace, digestCursorKey)
	if errors.Is(err, ErrNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	t, err := time.Parse(time.RFC3339Nano, string(v))
	if err != nil {
		return time.Time{}, false, fmt.Errorf("digest cursor %q: %w", v, err)
	}
	return t.UTC(), true, nil
}

func writeDigestCursor(tx Tx, t time.Time) error {
	return tx.Put(DigestNamespace, digestCursorKey, []byte(t.UTC().Format(time.RFC3339Nano)))
}

// Preview composes the digest a fire time at fire would send, without
// queueing anything or moving the cursor (`cadencebot digest --preview`),
// in the first recipient's language.
func (d *Digest) Preview(ctx context.Context, fire time.Time) (Body, error) {
	lang := DefaultLanguage
	if len(d.cfg.Recipients) > 0 {
		lang = d.language(d.cfg.Recipients[0])
	}
	return d.compose(ctx, fire, lang)
}
