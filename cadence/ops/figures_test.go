package ops_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

func utcAt(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }

// The fixture is worked by hand in the comments; the period is
// [Tue 1 Dec, Tue 8 Dec) UTC and now is Thu 10 Dec noon, so figures are
// taken at the end of the period.
func TestComputeFigures(t *testing.T) {
	roster := cadencetest.TestRoster(t)
	loc := func(id string) *time.Location { return roster.Person(id).Location }
	from, to, now := utcAt(12, 1, 0), utcAt(12, 8, 0), utcAt(12, 10, 12)
	nov30 := utcAt(11, 30, 0)
	fu := func(n int, owner string, due cadence.Date, st cadence.FollowUpStatus, created, closed time.Time) *cadence.FollowUp {
		return &cadence.FollowUp{Number: n, Owner: owner, Due: due, Status: st, CreatedAt: created, ClosedAt: closed}
	}
	fus := []*cadence.FollowUp{
		// Due 3 Dec in Bucharest: ends 3 Dec 22:00 UTC. Done 21:00 UTC: on time.
		fu(1, "ana", cadencetest.Date(2026, 12, 3), cadence.FollowUpDone, nov30, utcAt(12, 3, 21)),
		// Same due date, done 23:00 UTC = 01:00 on 4 Dec in Bucharest: late
		// (it would be on time in UTC).
		fu(2, "ana", cadencetest.Date(2026, 12, 3), cadence.FollowUpDone, nov30, utcAt(12, 3, 23)),
		// Due 7 Dec in New York ends 8 Dec 05:00 UTC, after the period: not
		// counted as due. Open at the end of the period: 7 days old.
		fu(3, "dan", cadencetest.Date(2026, 12, 7), cadence.FollowUpOpen, utcAt(12, 1, 0), time.Time{}),
		// Due 5 Dec in Almaty ends 5 Dec 19:00 UTC; still open: late. 8 days old.
		fu(4, "cy", cadencetest.Date(2026, 12, 5), cadence.FollowUpOpen, nov30, time.Time{}),
		// Dropped: never counted as due; closed before the end: not open.
		fu(5, "cy", cadencetest.Date(2026, 12, 6), cadence.FollowUpDropped, nov30, utcAt(12, 2, 0)),
		// Due before the period.
		fu(6, "ana", cadencetest.Date(2026, 11, 28), cadence.FollowUpDone, utcAt(11, 20, 0), utcAt(12, 2, 0)),
		// Done early, but due after the period.
		fu(7, "dan", cadencetest.Date(2026, 12, 20), cadence.FollowUpDone, nov30, utcAt(12, 5, 0)),
		// Created after the period ended: not open at its end.
		fu(8, "dan", cadencetest.Date(2026, 12, 20), cadence.FollowUpOpen, utcAt(12, 9, 0), time.Time{}),
		// Done after the period ended: open at its end, 4 days old.
		fu(9, "bo", cadencetest.Date(2026, 12, 15), cadence.FollowUpDone, utcAt(12, 4, 0), utcAt(12, 9, 0)),
	}
	rel := func(n int, st cadence.ReleaseStatus, proposed, approved, outcome time.Time) *cadence.Release {
		return &cadence.Release{Number: n, Status: st, ProposedAt: proposed, ApprovedAt: approved, OutcomeAt: outcome}
	}
	rels := []*cadence.Release{
		rel(1, cadence.ReleaseShipped, utcAt(11, 30, 10), utcAt(11, 30, 16), utcAt(12, 2, 0)),                           // deployed; approved before
		rel(2, cadence.ReleaseRolledBack, utcAt(12, 1, 9), utcAt(12, 2, 9), utcAt(12, 4, 0)),                            // deployed, failed; lead 24h
		rel(3, cadence.ReleaseShipped, utcAt(12, 3, 10), utcAt(12, 3, 12), utcAt(12, 9, 0)),                             // outcome after; lead 2h
		rel(4, cadence.ReleaseApproved, utcAt(12, 5, 0), utcAt(12, 7, 0), time.Time{}),                                  // lead 48h
		rel(5, cadence.ReleaseRejected, utcAt(12, 2, 0), time.Time{}, time.Time{}),                                      // nothing
		rel(6, cadence.ReleaseShipped, time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), utcAt(12, 1, 0), utcAt(12, 6, 0)), // deployed; lead 72h
	}

	got := ops.ComputeFigures(fus, rels, loc, from, to, now)
	assert.Equal(t, ops.Figures{
		From: from, To: to, At: to,
		FollowUpsDue: 3, FollowUpsOnTime: 1, FollowUpOnTime: 1.0 / 3,
		OpenFollowUps: 3, MeanOpenAge: (7*24 + 8*24 + 4*24) * time.Hour / 3, // 6d8h
		ReleasesDeployed: 3, RolledBack: 1, ChangeFailure: 1.0 / 3,
		// Lead times 24h, 2h, 48h, 72h: mean 146h/4, median (24h+48h)/2.
		Approved: 4, MeanLeadTime: 36*time.Hour + 30*time.Minute, MedianLeadTime: 36 * time.Hour,
	}, got)
}

func TestComputeFiguresEmpty(t *testing.T) {
	got := ops.ComputeFigures(nil, nil, func(string) *time.Location { return time.UTC }, opsStart, time.Time{}, opsStart.Add(time.Hour))
	assert.Equal(t, ops.Figures{From: opsStart, At: opsStart.Add(time.Hour)}, got, "no division by zero, rates 0")
}

func TestOpsFiguresFromStore(t *testing.T) {
	h := newOpsHarness(t)
	h.openIncident("lea", "drift")
	h.addFollowUp("lea", "INC-1", "bo", cadencetest.Date(2026, 11, 30), "a") // due today in Warsaw
	h.addFollowUp("lea", "INC-1", "bo", cadencetest.Date(2026, 12, 1), "b")
	_, err := h.ops.CompleteFollowUp(h.ctx, "bo", "FU-1")
	require.NoError(t, err)
	h.clock.Set(opsStart.AddDate(0, 0, 3)) // Thu 3 Dec: FU-2 is overdue
	f, err := h.ops.Figures(h.ctx, cadencetest.Monday, cadencetest.Monday.AddDate(0, 0, 7))
	require.NoError(t, err)
	assert.Equal(t, 2, f.FollowUpsDue)
	assert.Equal(t, 1, f.FollowUpsOnTime)
	assert.Equal(t, 1, f.OpenFollowUps)
	assert.Equal(t, 72*time.Hour, f.MeanOpenAge)
}
