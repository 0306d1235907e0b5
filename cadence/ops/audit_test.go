package ops_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

func TestVerifyAuditDetectsTamperingInTheStore(t *testing.T) {
	h := newOpsHarness(t)
	h.openIncident("ana", "Churn model drift")
	h.propose("ana", cadence.RiskLow)
	_, err := h.ops.ApproveRelease(h.ctx, "lea", "REL-1")
	require.NoError(t, err)
	_, err = h.ops.ApproveRelease(h.ctx, "ana", "REL-1") // refused: audited too
	require.Error(t, err)

	verify := func() (cadence.AuditVerification, error) {
		var v cadence.AuditVerification
		var verr error
		require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
			v, verr = cadence.VerifyAudit(tx)
			return nil
		}))
		return v, verr
	}
	v, err := verify()
	require.NoError(t, err)
	assert.Equal(t, 4, v.Entries)

	h.store.TamperAudit(3, false, func(e *cadence.AuditEntry) { e.Actor = "root" })
	_, err = verify()
	require.ErrorIs(t, err, cadence.ErrAuditTampered)
	assert.Contains(t, err.Error(), "entry 3: its content does not match its hash")

	h2 := newOpsHarness(t)
	h2.openIncident("ana", "one")
	h2.openIncident("ana", "two")
	h2.openIncident("ana", "three")
	h2.store.TamperAudit(2, true, nil)
	require.NoError(t, h2.store.View(h2.ctx, func(tx cadence.Tx) error {
		_, err := cadence.VerifyAudit(tx)
		assert.ErrorContains(t, err, "entry 3: expected sequence number 2 here: an entry was removed")
		return nil
	}))
}

func TestReadAuditSince(t *testing.T) {
	h := newOpsHarness(t)
	h.openIncident("ana", "one")
	h.clock.Set(opsStart.Add(time.Hour))
	h.openIncident("ana", "two")
	h.openIncident("ana", "three")
	require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		es, err := cadence.ReadAudit(tx, opsStart.Add(time.Hour))
		require.NoError(t, err)
		require.Len(t, es, 2)
		assert.Equal(t, []string{"INC-2", "INC-3"}, []string{es[0].Target, es[1].Target})
		return nil
	}))
}
