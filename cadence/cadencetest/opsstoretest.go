package cadencetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// RunOpsStoreTests is the contract of the MLOps aggregates (incidents,
// follow-ups, releases, audit log) that every cadence.Store must meet,
// beside RunStoreTests. open returns a new, empty store per subtest.
func RunOpsStoreTests(t *testing.T, open func(t *testing.T) cadence.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s cadence.Store)
	}{
		{"IncidentRoundTrip", testIncidentRoundTrip},
		{"IncidentFilter", testIncidentFilter},
		{"FollowUpRoundTrip", testFollowUpRoundTrip},
		{"FollowUpFilter", testFollowUpFilter},
		{"ReleaseRoundTrip", testReleaseRoundTrip},
		{"ReleaseFilter", testReleaseFilter},
		{"AuditAppendOnly", testAuditAppendOnly},
		{"AuditChainSurvivesStorage", testAuditChainStored},
		{"OpsRollBackOnError", testOpsRollback},
		{"OpsViewRefusesWrites", testOpsViewReadOnly},
		{"OpsValuesAreCopied", testOpsCopies},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

func fixtureIncident(n int) *cadence.Incident {
	return &cadence.Incident{
		Number: n, Title: "Churn model drift", Severity: 2, Owner: "ana", OpenedBy: "bo",
		Link: "https://example.slack.com/archives/C1/p1700000000000100", Status: cadence.IncidentClosed,
		OpenedAt: base.Add(time.Duration(n) * time.Hour), ClosedAt: base.Add(48 * time.Hour), ClosedBy: "lea",
		Summary: "Feature pipeline lag; backfilled.",
	}
}

func fixtureFollowUp(n int) *cadence.FollowUp {
	return &cadence.FollowUp{
		Number: n, Incident: 3, Title: "Tighten drift alert", Owner: "ana",
		Due: cadence.Date{Year: 2026, Month: 12, Day: 3}, Status: cadence.FollowUpDropped,
		CreatedBy: "bo", CreatedAt: base, ClosedAt: base.Add(time.Hour), ClosedBy: "lea",
		DropReason: "duplicate", SnoozedUntil: base.Add(30 * time.Minute),
		History: []cadence.Change{{At: base, By: "bo", What: "created"}, {At: base.Add(time.Hour), By: "lea", What: "dropped: duplicate"}},
	}
}

func fixtureRelease(n int) *cadence.Release {
	return &cadence.Release{
		Number: n, Model: "churn", Version: "2.3.0", Change: cadence.ChangeRetrain, Risk: cadence.RiskHigh,
		Evidence: "https://mlflow.example.com/runs/42", RollbackPlan: "pin 2.2.1", DataContractOK: false,
		DataContractNote: "new column pending", Planned: cadence.Date{Year: 2026, Month: 12, Day: 8}, Notes: "canary 5%",
		Status: cadence.ReleaseRolledBack, ProposedBy: "bo", ProposedAt: base,
		Approvals:  []cadence.Approval{{By: "lea", At: base.Add(time.Hour)}, {By: "max", At: base.Add(2 * time.Hour)}},
		ApprovedAt: base.Add(2 * time.Hour), RejectedBy: "x", RejectedAt: base.Add(3 * time.Hour), RejectReason: "r",
		OutcomeAt: base.Add(72 * time.Hour), OutcomeBy: "bo",
		History: []cadence.Change{{At: base, By: "bo", What: "proposed"}},
	}
}

func testIncidentRoundTrip(t *testing.T, s cadence.Store) {
	view(t, s, func(tx cadence.Tx) error {
		n, err := tx.LastIncidentNumber()
		require.NoError(t, err)
		assert.Zero(t, n, "empty store")
		_, err = tx.Incident(1)
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	})
	want := fixtureIncident(7)
	update(t, s, func(tx cadence.Tx) error { return tx.PutIncident(want) })
	update(t, s, func(tx cadence.Tx) error { return tx.PutIncident(fixtureIncident(12)) })
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Incident(7)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		n, err := tx.LastIncidentNumber()
		require.NoError(t, err)
		assert.Equal(t, 12, n, "numbers compare as numbers, not text")
		return nil
	})
	err := s.Update(context.Background(), func(tx cadence.Tx) error { return tx.PutIncident(&cadence.Incident{}) })
	assert.ErrorIs(t, err, cadence.ErrInvalidInput, "number 0")
}

func testIncidentFilter(t *testing.T, s cadence.Store) {
	update(t, s, func(tx cadence.Tx) error {
		for n := 1; n <= 4; n++ {
			i := fixtureIncident(n)
			i.OpenedAt = base.AddDate(0, 0, n)
			if n%2 == 0 {
				i.Status, i.Owner = cadence.IncidentOpen, "bo"
			}
			require.NoError(t, tx.PutIncident(i))
		}
		return nil
	})
	numbers := func(f cadence.IncidentFilter) []int {
		var out []int
		view(t, s, func(tx cadence.Tx) error {
			is, err := tx.Incidents(f)
			require.NoError(t, err)
			for _, i := range is {
				out = append(out, i.Number)
			}
			return nil
		})
		return out
	}
	assert.Equal(t, []int{1, 2, 3, 4}, numbers(cadence.IncidentFilter{}))
	assert.Equal(t, []int{2, 4}, numbers(cadence.IncidentFilter{Status: []cadence.IncidentStatus{cadence.IncidentOpen}}))
	assert.Equal(t, []int{2, 3}, numbers(cadence.IncidentFilter{OpenedFrom: base.AddDate(0, 0, 2), OpenedTo: base.AddDate(0, 0, 4)}))
	assert.Equal(t, []int{1, 3}, numbers(cadence.IncidentFilter{Owner: "ana"}))
}

func testFollowUpRoundTrip(t *testing.T, s cadence.Store) {
	want := fixtureFollowUp(3)
	update(t, s, func(tx cadence.Tx) error { return tx.PutFollowUp(want) })
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.FollowUp(3)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		n, err := tx.LastFollowUpNumber()
		require.NoError(t, err)
		assert.Equal(t, 3, n)
		_, err = tx.FollowUp(4)
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	})
}

func testFollowUpFilter(t *testing.T, s cadence.Store) {
	update(t, s, func(tx cadence.Tx) error {
		for n := 1; n <= 4; n++ {
			f := fixtureFollowUp(n)
			f.Incident = 1 + n%2
			f.Status = cadence.FollowUpOpen
			if n > 2 {
				f.Owner, f.Status = "bo", cadence.FollowUpDone
			}
			require.NoError(t, tx.PutFollowUp(f))
		}
		return nil
	})
	numbers := func(q cadence.FollowUpFilter) []int {
		var out []int
		view(t, s, func(tx cadence.Tx) error {
			fs, err := tx.FollowUps(q)
			require.NoError(t, err)
			for _, f := range fs {
				out = append(out, f.Number)
			}
			return nil
		})
		return out
	}
	assert.Equal(t, []int{1, 2, 3, 4}, numbers(cadence.FollowUpFilter{}))
	assert.Equal(t, []int{2, 4}, numbers(cadence.FollowUpFilter{Incident: 1}))
	assert.Equal(t, []int{3, 4}, numbers(cadence.FollowUpFilter{Owner: "bo"}))
	assert.Equal(t, []int{1}, numbers(cadence.FollowUpFilter{Owner: "ana", Incident: 2, Status: []cadence.FollowUpStatus{cadence.FollowUpOpen}}))
}

func testReleaseRoundTrip(t *testing.T, s cadence.Store) {
	want := fixtureRelease(2)
	update(t, s, func(tx cadence.Tx) error { return tx.PutRelease(want) })
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Release(2)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		n, err := tx.LastReleaseNumber()
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		_, err = tx.Release(1)
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	})
}

func testReleaseFilter(t *testing.T, s cadence.Store) {
	update(t, s, func(tx cadence.Tx) error {
		for n := 1; n <= 3; n++ {
			r := fixtureRelease(n)
			r.ProposedAt = base.AddDate(0, 0, n)
			r.Status = []cadence.ReleaseStatus{cadence.ReleaseProposed, cadence.ReleaseApproved, cadence.ReleaseProposed}[n-1]
			require.NoError(t, tx.PutRelease(r))
		}
		return nil
	})
	view(t, s, func(tx cadence.Tx) error {
		rs, err := tx.Releases(cadence.ReleaseFilter{Status: []cadence.ReleaseStatus{cadence.ReleaseProposed}, ProposedFrom: base.AddDate(0, 0, 2)})
		require.NoError(t, err)
		require.Len(t, rs, 1)
		assert.Equal(t, 3, rs[0].Number)
		return nil
	})
}

func auditFixture(i int) cadence.AuditEntry {
	return cadence.AuditEntry{
		At: base.Add(time.Duration(i) * time.Second), Actor: "lea", Action: "release.approve", Target: "REL-2",
		Details: map[string]string{"approvals": "1/2", "i": string(rune('a' + i))},
	}
}

func testAuditAppendOnly(t *testing.T, s cadence.Store) {
	view(t, s, func(tx cadence.Tx) error {
		_, err := tx.LastAudit()
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		es, err := tx.AuditEntries(1, 0)
		require.NoError(t, err)
		assert.Empty(t, es)
		return nil
	})
	for _, seq := range []uint64{0, 2} {
		err := s.Update(context.Background(), func(tx cadence.Tx) error {
			return tx.AppendAudit(&cadence.AuditEntry{Seq: seq, Action: "x"})
		})
		assert.ErrorIs(t, err, cadence.ErrConflict, "seq %d on an empty log", seq)
	}
	update(t, s, func(tx cadence.Tx) error {
		for i := 0; i < 5; i++ {
			if _, err := cadence.AppendAudit(tx, auditFixture(i)); err != nil {
				return err
			}
		}
		return nil
	})
	err := s.Update(context.Background(), func(tx cadence.Tx) error {
		return tx.AppendAudit(&cadence.AuditEntry{Seq: 3, Action: "overwrite"})
	})
	assert.ErrorIs(t, err, cadence.ErrConflict, "an existing entry cannot be replaced")
	view(t, s, func(tx cadence.Tx) error {
		last, err := tx.LastAudit()
		require.NoError(t, err)
		assert.Equal(t, uint64(5), last.Seq)
		es, err := tx.AuditEntries(2, 2)
		require.NoError(t, err)
		require.Len(t, es, 2)
		assert.Equal(t, []uint64{2, 3}, []uint64{es[0].Seq, es[1].Seq})
		assert.Equal(t, "release.approve", es[1].Action, "entry 3 was not overwritten")
		return nil
	})
}

func testAuditChainStored(t *testing.T, s cadence.Store) {
	var written []*cadence.AuditEntry
	update(t, s, func(tx cadence.Tx) error {
		for i := 0; i < 3; i++ {
			e := auditFixture(i)
			if i == 1 {
				e.Outcome, e.Reason, e.Details = cadence.AuditRefused, "you proposed REL-2", nil
			}
			w, err := cadence.AppendAudit(tx, e)
			if err != nil {
				return err
			}
			written = append(written, w)
		}
		return nil
	})
	view(t, s, func(tx cadence.Tx) error {
		es, err := tx.AuditEntries(1, 0)
		require.NoError(t, err)
		assert.Equal(t, written, es, "every field round-trips")
		v, err := cadence.VerifyAudit(tx)
		require.NoError(t, err)
		assert.Equal(t, 3, v.Entries)
		assert.Equal(t, written[2].Hash, v.Head)
		return nil
	})
}

func testOpsRollback(t *testing.T, s cadence.Store) {
	boom := errors.New("boom")
	err := s.Update(context.Background(), func(tx cadence.Tx) error {
		require.NoError(t, tx.PutIncident(fixtureIncident(1)))
		require.NoError(t, tx.PutFollowUp(fixtureFollowUp(1)))
		require.NoError(t, tx.PutRelease(fixtureRelease(1)))
		_, err := cadence.AppendAudit(tx, auditFixture(0))
		require.NoError(t, err)
		return boom
	})
	require.ErrorIs(t, err, boom)
	view(t, s, func(tx cadence.Tx) error {
		for _, f := range []func() (int, error){tx.LastIncidentNumber, tx.LastFollowUpNumber, tx.LastReleaseNumber} {
			n, err := f()
			require.NoError(t, err)
			assert.Zero(t, n)
		}
		_, err := tx.LastAudit()
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	})
}

func testOpsViewReadOnly(t *testing.T, s cadence.Store) {
	err := s.View(context.Background(), func(tx cadence.Tx) error {
		for name, f := range map[string]func() error{
			"incident":  func() error { return tx.PutIncident(fixtureIncident(1)) },
			"follow-up": func() error { return tx.PutFollowUp(fixtureFollowUp(1)) },
			"release":   func() error { return tx.PutRelease(fixtureRelease(1)) },
			"audit":     func() error { return tx.AppendAudit(&cadence.AuditEntry{Seq: 1}) },
		} {
			assert.Error(t, f(), name)
		}
		return nil
	})
	require.NoError(t, err)
}

func testOpsCopies(t *testing.T, s cadence.Store) {
	f := fixtureFollowUp(1)
	r := fixtureRelease(1)
	update(t, s, func(tx cadence.Tx) error {
		require.NoError(t, tx.PutFollowUp(f))
		require.NoError(t, tx.PutRelease(r))
		_, err := cadence.AppendAudit(tx, auditFixture(0))
		return err
	})
	f.History[0].What = "changed by the caller"
	r.Approvals[0].By = "mallory"
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.FollowUp(1)
		require.NoError(t, err)
		assert.Equal(t, "created", got.History[0].What)
		got.History[0].What = "changed by a reader"
		again, err := tx.FollowUp(1)
		require.NoError(t, err)
		assert.Equal(t, "created", again.History[0].What)

		rel, err := tx.Release(1)
		require.NoError(t, err)
		assert.Equal(t, "lea", rel.Approvals[0].By)

		e, err := tx.LastAudit()
		require.NoError(t, err)
		e.Details["approvals"] = "2/2"
		e2, err := tx.LastAudit()
		require.NoError(t, err)
		assert.Equal(t, "1/2", e2.Details["approvals"])
		return nil
	})
}
