package cadence_test

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// rechain recomputes every hash from the first entry on, as someone who
// rewrites the file would: the chain alone then verifies.
func rechain(es []*cadence.AuditEntry) []*cadence.AuditEntry {
	prev := ""
	for i, e := range es {
		e.Seq, e.Prev = uint64(i+1), prev
		e.Hash = cadence.AuditHash(e)
		prev = e.Hash
	}
	return es
}

func clone(es []*cadence.AuditEntry) []*cadence.AuditEntry {
	out := make([]*cadence.AuditEntry, len(es))
	for i, e := range es {
		out[i] = e.Clone()
	}
	return out
}

// A rewritten and recomputed log verifies as a chain, but not against a
// head written down earlier, nor against the signed checkpoints.
func TestAuditAnchorsCatchARecomputedRewrite(t *testing.T) {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i)
	}
	key, err := cadence.ParseAuditSigningKey(cadence.EncodeAuditKey(seed))
	require.NoError(t, err)
	pub := key.Public().(ed25519.PublicKey)

	st := cadencetest.NewStore()
	ctx := context.Background()
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	add := func(actor, action, target string) {
		require.NoError(t, st.Update(ctx, func(tx cadence.Tx) error {
			_, err := cadence.AppendAudit(tx, cadence.AuditEntry{At: at, Actor: actor, Action: action, Target: target})
			return err
		}))
	}
	add("bo", "release.propose", "REL-9")
	add("lea", "release.approve", "REL-9")
	add("root", "release.approve", "REL-9")
	require.NoError(t, st.Update(ctx, func(tx cadence.Tx) error {
		_, err := cadence.AppendAuditCheckpoint(tx, at, key)
		return err
	}))
	add("bo", "release.outcome", "REL-9")
	var log []*cadence.AuditEntry
	require.NoError(t, st.View(ctx, func(tx cadence.Tx) (err error) { log, err = tx.AuditEntries(1, 0); return err }))
	ver, err := cadence.VerifyAuditChain(log)
	require.NoError(t, err)
	head := log[2].Hash // written down after the approvals

	// Intact: it extends the head, the checkpoint verifies.
	require.NoError(t, cadence.AuditExtends(log, head))
	n, err := cadence.VerifyAuditCheckpoints(log, pub)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	require.NoError(t, cadence.AuditExtends(log, ver.Head), "the current head too")

	for _, tc := range []struct {
		name    string
		rewrite func([]*cadence.AuditEntry) []*cadence.AuditEntry
	}{
		{"an approver changed", func(es []*cadence.AuditEntry) []*cadence.AuditEntry { es[2].Actor = "bo"; return es }},
		{"an entry dropped", func(es []*cadence.AuditEntry) []*cadence.AuditEntry { return append(es[:1], es[2:]...) }},
		{"the end cut off and redone", func(es []*cadence.AuditEntry) []*cadence.AuditEntry {
			es[2].Target = "REL-8"
			return es
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forged := rechain(tc.rewrite(clone(log)))
			_, err := cadence.VerifyAuditChain(forged)
			require.NoError(t, err, "the chain alone is fooled")
			assert.ErrorIs(t, cadence.AuditExtends(forged, head), cadence.ErrAuditTampered)
			_, err = cadence.VerifyAuditCheckpoints(forged, pub)
			assert.ErrorIs(t, err, cadence.ErrAuditTampered)
		})
	}

	t.Run("a checkpoint re-signed with another key", func(t *testing.T) {
		other := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
		forged := clone(log)
		forged[3].Details["signature"] = cadence.EncodeAuditKey(ed25519.Sign(other, cadence.AuditCheckpointMessage(3, log[2].Hash)))
		_, err := cadence.VerifyAuditCheckpoints(rechain(forged), pub)
		assert.ErrorContains(t, err, "does not verify with this public key")
	})
	t.Run("a short head is refused with what to pass", func(t *testing.T) {
		assert.ErrorContains(t, cadence.AuditExtends(log, head[:12]), "full 64-character head")
	})
}

func TestParseAuditKeys(t *testing.T) {
	_, err := cadence.ParseAuditSigningKey("not base64!")
	assert.ErrorContains(t, err, "not base64")
	_, err = cadence.ParseAuditSigningKey(cadence.EncodeAuditKey([]byte("short")))
	assert.ErrorContains(t, err, "got 5 bytes")
	k := ed25519.NewKeyFromSeed(make([]byte, 32))
	got, err := cadence.ParseAuditSigningKey(cadence.EncodeAuditKey(k))
	require.NoError(t, err)
	assert.True(t, k.Equal(got))
	pub, err := cadence.ParseAuditPublicKey(cadence.EncodeAuditKey(k.Public().(ed25519.PublicKey)))
	require.NoError(t, err)
	assert.True(t, pub.Equal(k.Public()))
}
