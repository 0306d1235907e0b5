package cadence_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

func TestDigestDue(t *testing.T) {
	zurich := func(y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, cadencetest.Location(t, "Europe/Zurich"))
	}
	weekly := cadencetest.MustSchedule(t, "0 9 * * 1", "Europe/Zurich")
	tests := []struct {
		name       string
		s          *cadence.Schedule
		cursor     time.Time
		now        time.Time
		wantFire   time.Time
		wantMissed int
	}{
		{"before the first fire time", weekly, zurich(2026, 3, 1, 12, 0), zurich(2026, 3, 2, 8, 59), time.Time{}, 0},
		{"exactly at the fire time", weekly, zurich(2026, 3, 1, 12, 0), zurich(2026, 3, 2, 9, 0), zurich(2026, 3, 2, 9, 0), 0},
		{"cursor on the fire time: handled", weekly, zurich(2026, 3, 2, 9, 0), zurich(2026, 3, 2, 9, 30), time.Time{}, 0},
		{"down for three weeks: the latest, once", weekly, zurich(2026, 3, 2, 9, 0), zurich(2026, 3, 25, 10, 0), zurich(2026, 3, 23, 9, 0), 2},
		{"late by a day", weekly, zurich(2026, 3, 2, 9, 0), zurich(2026, 3, 10, 8, 0), zurich(2026, 3, 9, 9, 0), 0},
		// Zurich moves to CEST on 29 March 2026: 09:00 is 07:00 UTC after it.
		{"across spring-forward", weekly, zurich(2026, 3, 23, 9, 0), zurich(2026, 3, 30, 9, 0), time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC), 0},
		// 02:30 does not exist on 29 March in Zurich: it fires just after the gap.
		{"daily 02:30 in the DST gap", cadencetest.MustSchedule(t, "30 2 * * *", "Europe/Zurich"), zurich(2026, 3, 28, 3, 0), zurich(2026, 3, 29, 4, 0),
			time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), 0},
		// Lord Howe goes from UTC+11 to UTC+10:30 on 5 April 2026: Monday
		// 30 March 09:00 is 22:00 UTC, Monday 13 April 09:00 is 22:30 UTC.
		{"Lord Howe half-hour shift", cadencetest.MustSchedule(t, "0 9 * * 1", "Australia/Lord_Howe"),
			time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 13, 0, 0, 0, 0, time.UTC),
			time.Date(2026, 4, 12, 22, 30, 0, 0, time.UTC), 2},
		{"@every: arithmetic, not a loop", cadencetest.MustSchedule(t, "@every 1m", "UTC"), time.Date(2026, 1, 1, 0, 0, 30, 0, time.UTC),
			time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 23, 59, 30, 0, time.UTC), 365*24*60 - 2},
		{"a year and more behind: searched back a year", cadencetest.MustSchedule(t, "0 9 * * *", "Asia/Kolkata"), time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), time.Date(2026, 6, 1, 3, 30, 0, 0, time.UTC), 365},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fire, missed := cadence.DigestDue(tt.s, tt.cursor.UTC(), tt.now.UTC())
			assert.True(t, tt.wantFire.Equal(fire), "fire %s, want %s", fire, tt.wantFire)
			assert.Equal(t, tt.wantMissed, missed)
		})
	}
}

func TestDigestPeriodIsTheLastISOWeek(t *testing.T) {
	tests := []struct {
		fire, from time.Time
	}{
		{time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC)},   // Monday morning
		{time.Date(2026, 3, 6, 16, 0, 0, 0, time.UTC), time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC)},  // Friday: the week is not over
		{time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC), time.Date(2026, 2, 16, 0, 0, 0, 0, time.UTC)}, // Sunday night UTC
		{time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC), time.Date(2026, 12, 28, 0, 0, 0, 0, time.UTC)},  // across the year: 2026-W53
	}
	for _, tt := range tests {
		from, to := cadence.DigestPeriod(tt.fire)
		assert.Equal(t, tt.from, from, "fire %s", tt.fire)
		assert.Equal(t, tt.from.AddDate(0, 0, 7), to)
	}
}

// fakeReports records the queries and answers with one week per query.
type fakeReports struct {
	mu      sync.Mutex
	queries []cadence.ReportQuery
	err     error
}

func (f *fakeReports) Report(_ context.Context, q cadence.ReportQuery) (*cadence.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	if f.err != nil {
		return nil, f.err
	}
	r := &cadence.Report{From: q.From, To: q.To, Team: cadence.Tally{Occurrences: 1, Score: 80}}
	for w := q.From; w.Before(q.To); w = w.AddDate(0, 0, 7) {
		y, n := w.ISOWeek()
		r.Weeks = append(r.Weeks, cadence.WeekAdherence{Week: fmt.Sprintf("%04d-W%02d", y, n), Start: w})
	}
	return r, nil
}

type digestRig struct {
	language func(cadence.Recipient) string
	mu       sync.Mutex // jobs may run concurrently
	store    *cadencetest.Store
	clock    *cadence.ManualClock
	reports  *fakeReports
	inputs   []cadence.DigestInput
	failing  error
	wakes    int
	job      *cadence.Digest
}

var (
	leadsChannel = cadence.Recipient{Channel: "ml-leads"}
	maxDM        = cadence.Recipient{Person: "max"}
)

func newDigestRig(t *testing.T, start time.Time) *digestRig {
	r := &digestRig{store: cadencetest.NewStore(), clock: cadence.NewManualClock(start), reports: &fakeReports{}}
	r.job = r.newJob(t)
	return r
}

// newJob builds a job on the rig's store, as a restarted process would.
func (r *digestRig) newJob(t *testing.T) *cadence.Digest {
	job, err := cadence.NewDigest(cadence.DigestConfig{
		Schedule:   cadencetest.MustSchedule(t, "0 9 * * 1", "Europe/Zurich"),
		Platform:   "local",
		Recipients: []cadence.Recipient{leadsChannel, maxDM},
		Weeks:      4,
		Reports:    r.reports,
		Language:   r.language,
		Render: func(_ context.Context, in cadence.DigestInput) (cadence.Body, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.failing != nil {
				return cadence.Body{}, r.failing
			}
			r.inputs = append(r.inputs, in)
			title := "Digest "
			if in.Lang != cadence.DefaultLanguage {
				title = in.Lang + " digest "
			}
			return cadence.Body{Title: title + in.Report.From.Format("2006-01-02"),
				Image: &cadence.Image{Name: "chart.png", Alt: "score", PNG: []byte("png")}}, nil
		},
		Store:    r.store,
		Clock:    r.clock,
		Logger:   zerolog.Nop(),
		Enqueued: func() { r.mu.Lock(); r.wakes++; r.mu.Unlock() },
	})
	require.NoError(t, err)
	return job
}

func (r *digestRig) digests(t *testing.T) []*cadence.Message {
	t.Helper()
	var out []*cadence.Message
	require.NoError(t, r.store.View(context.Background(), func(tx cadence.Tx) error {
		ms, err := tx.Messages(cadence.MessageFilter{})
		for _, m := range ms {
			if m.Kind == cadence.KindDigest {
				out = append(out, m)
			}
		}
		return err
	}))
	return out
}

func keys(ms []*cadence.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Key)
	}
	return out
}

func TestDigestQueuesOneMessagePerRecipientOnce(t *testing.T) {
	ctx := context.Background()
	sunday := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	r := newDigestRig(t, sunday)

	require.NoError(t, r.job.Tick(ctx))
	assert.Empty(t, r.digests(t), "a new job starts with the next fire time")
	wake, err := r.job.NextWake(ctx)
	require.NoError(t, err)
	monday9 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC) // 09:00 Zurich (CET)
	assert.Equal(t, monday9, wake)

	r.clock.Set(monday9.Add(-time.Second))
	require.NoError(t, r.job.Tick(ctx))
	assert.Empty(t, r.digests(t))

	r.clock.Set(monday9)
	require.NoError(t, r.job.Tick(ctx))
	got := r.digests(t)
	require.Len(t, got, 2)
	assert.ElementsMatch(t, []string{"digest/20260302T080000Z/#ml-leads", "digest/20260302T080000Z/@max"}, keys(got))
	for _, m := range got {
		assert.Equal(t, cadence.KindDigest, m.Kind)
		assert.Equal(t, "local", m.Platform)
		assert.Equal(t, cadence.StatePending, m.State)
		assert.Equal(t, 1, m.Revision)
		assert.Equal(t, monday9, m.CreatedAt)
		assert.Equal(t, "Digest 2026-02-23", m.Body.Title)
		require.NotNil(t, m.Body.Image)
		assert.Equal(t, []byte("png"), m.Body.Image.PNG)
	}
	assert.Equal(t, 1, r.wakes)

	// The period is the last ISO week; the trend its 4 weeks.
	require.Len(t, r.inputs, 1)
	in := r.inputs[0]
	assert.Equal(t, monday9, in.Fire)
	assert.Equal(t, time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC), in.Report.From)
	assert.Equal(t, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), in.Report.To)
	require.Len(t, in.Trend, 4)
	assert.Equal(t, "2026-W06", in.Trend[0].Week)
	assert.Equal(t, "2026-W09", in.Trend[3].Week)

	// Replayed ticks, and a restarted process, queue nothing more.
	require.NoError(t, r.job.Tick(ctx))
	r.clock.Set(monday9.Add(time.Hour))
	require.NoError(t, r.newJob(t).Tick(ctx))
	assert.Len(t, r.digests(t), 2)
	assert.Len(t, r.inputs, 1, "nothing was even composed again")

	// The next week has its own digest.
	r.clock.Set(monday9.AddDate(0, 0, 7))
	require.NoError(t, r.job.Tick(ctx))
	assert.Len(t, r.digests(t), 4)
}

// TestDigestInEachRecipientsLanguage: the channel's digest in the team's
// language, Max's DM in his own, each composed once per language.
func TestDigestInEachRecipientsLanguage(t *testing.T) {
	ctx := context.Background()
	r := &digestRig{store: cadencetest.NewStore(), clock: cadence.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)),
		reports: &fakeReports{}}
	r.language = func(to cadence.Recipient) string {
		if to.Person == "max" {
			return "pl"
		}
		return "de"
	}
	r.job = r.newJob(t)
	require.NoError(t, r.job.Tick(ctx))
	r.clock.Set(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
	require.NoError(t, r.job.Tick(ctx))
	titles := map[string]string{}
	for _, m := range r.digests(t) {
		titles[m.To.String()] = m.Body.Title
	}
	assert.Equal(t, map[string]string{"#ml-leads": "de digest 2026-02-23", "@max": "pl digest 2026-02-23"}, titles)
	require.Len(t, r.inputs, 2)

	body, err := r.job.Preview(ctx, time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, "de digest 2026-03-02", body.Title, "a preview speaks the first recipient's language")
}

func TestDigestAfterDowntimeSendsTheLatestOnlyOnce(t *testing.T) {
	ctx := context.Background()
	r := newDigestRig(t, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	require.NoError(t, r.job.Tick(ctx))

	// Down from Sunday to Wednesday three weeks later: W10, W11 and W12
	// digests were due; only W12's is sent, late.
	back := time.Date(2026, 3, 18, 10, 0, 0, 0, time.UTC)
	r.clock.Set(back)
	job := r.newJob(t)
	require.NoError(t, job.Tick(ctx))
	require.NoError(t, job.Tick(ctx))
	got := r.digests(t)
	assert.ElementsMatch(t, []string{"digest/20260316T080000Z/#ml-leads", "digest/20260316T080000Z/@max"}, keys(got))
	for _, m := range got {
		assert.Equal(t, back, m.CreatedAt, "queued when the bot came back")
	}
	require.Len(t, r.inputs, 1)
	assert.Equal(t, time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC), r.inputs[0].Report.From, "the week before the fire time, not before now")

	wake, err := job.NextWake(ctx)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 3, 23, 8, 0, 0, 0, time.UTC), wake)
}

func TestDigestFailureQueuesNothingAndRetriesLater(t *testing.T) {
	ctx := context.Background()
	r := newDigestRig(t, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	require.NoError(t, r.job.Tick(ctx))
	monday9 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

	tests := []struct {
		name string
		fail func()
	}{
		{"report fails", func() { r.reports.err = errors.New("store is closed") }},
		{"render fails", func() { r.failing = errors.New("no fonts") }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := monday9.Add(time.Duration(i) * time.Hour)
			r.clock.Set(now)
			tt.fail()
			err := r.job.Tick(ctx)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "digest for 2026-03-02T08:00:00Z")
			assert.Empty(t, r.digests(t))

			r.reports.err, r.failing = nil, nil
			calls := len(r.reports.queries)
			r.clock.Set(now.Add(30 * time.Second))
			require.NoError(t, r.job.Tick(ctx))
			assert.Len(t, r.reports.queries, calls, "no new attempt within the retry delay")
			assert.Empty(t, r.digests(t))

			if i == len(tests)-1 {
				r.clock.Set(now.Add(time.Minute))
				require.NoError(t, r.job.Tick(ctx))
				assert.Len(t, r.digests(t), 2)
			}
		})
	}
}

func TestDigestConcurrentJobsQueueOnce(t *testing.T) {
	ctx := context.Background()
	r := newDigestRig(t, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	require.NoError(t, r.job.Tick(ctx))
	r.clock.Set(time.Date(2026, 3, 2, 8, 0, 5, 0, time.UTC))

	// Both jobs compose; the second to write finds the cursor moved.
	jobs := []*cadence.Digest{r.newJob(t), r.newJob(t), r.newJob(t)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, j := range jobs {
		wg.Go(func() {
			err := j.Tick(ctx)
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Len(t, r.digests(t), 2)
	assert.LessOrEqual(t, r.wakes, 1)
}

func TestNewDigestRefusesBadConfig(t *testing.T) {
	s := cadencetest.MustSchedule(t, "0 9 * * 1", "UTC")
	render := func(context.Context, cadence.DigestInput) (cadence.Body, error) { return cadence.Body{}, nil }
	ok := cadence.DigestConfig{Schedule: s, Platform: "local", Recipients: []cadence.Recipient{leadsChannel},
		Reports: &fakeReports{}, Render: render, Store: cadencetest.NewStore()}
	tests := []struct {
		name string
		edit func(c *cadence.DigestConfig)
		want string
	}{
		{"no schedule", func(c *cadence.DigestConfig) { c.Schedule = nil }, "no schedule"},
		{"no platform", func(c *cadence.DigestConfig) { c.Platform = "" }, "no platform"},
		{"no recipients", func(c *cadence.DigestConfig) { c.Recipients = nil }, "no recipients"},
		{"both channel and person", func(c *cadence.DigestConfig) {
			c.Recipients = []cadence.Recipient{{Channel: "x", Person: "y"}}
		}, "exactly one of channel and person"},
		{"twice", func(c *cadence.DigestConfig) { c.Recipients = []cadence.Recipient{maxDM, maxDM} }, "@max is listed twice"},
		{"too many weeks", func(c *cadence.DigestConfig) { c.Weeks = 53 }, "weeks must be between 1 and 52, got 53"},
		{"no renderer", func(c *cadence.DigestConfig) { c.Render = nil }, "render"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			_, err := cadence.NewDigest(c)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := cadence.NewDigest(ok)
	require.NoError(t, err)
}
