package cadence_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// chain builds n valid entries the way the store gets them.
func chain(t *testing.T, n int) []*cadence.AuditEntry {
	t.Helper()
	var out []*cadence.AuditEntry
	prev := ""
	for i := 1; i <= n; i++ {
		e := &cadence.AuditEntry{
			Seq: uint64(i), At: opsStart.Add(time.Duration(i) * time.Minute), Actor: "lea",
			Action: "release.approve", Target: "REL-1", Outcome: cadence.AuditDone,
			Details: map[string]string{"approvals": "1/2"}, Prev: prev,
		}
		e.Hash = cadence.AuditHash(e)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func TestVerifyAuditChain(t *testing.T) {
	tests := []struct {
		name   string
		tamper func([]*cadence.AuditEntry) []*cadence.AuditEntry
		want   string // "" verifies
	}{
		{"intact", func(es []*cadence.AuditEntry) []*cadence.AuditEntry { return es }, ""},
		{"actor changed", func(es []*cadence.AuditEntry) []*cadence.AuditEntry {
			es[2].Actor = "mallory"
			return es
		}, "entry 3: its content does not match its hash: the entry was modified"},
		{"detail changed", func(es []*cadence.AuditEntry) []*cadence.AuditEntry {
			es[1].Details["approvals"] = "2/2"
			return es
		}, "entry 2: its content does not match its hash"},
		{"time changed", func(es []*cadence.AuditEntry) []*cadence.AuditEntry {
			es[0].At = es[0].At.Add(-time.Hour)
			return es
		}, "entry 1: its content does not match its hash"},
		{"refusal turned into success", func(es []*cadence.AuditEntry) []*cadence.AuditEntry {
			es[3].Outcome = cadence.AuditRefused
			return es
		}, "entry 4: its content does not match its hash"},
		{"entry changed and rehashed", func(es []*cadence.AuditEntry) []*cadence.AuditEntry {
			es[1].Target = "REL-9"
			es[1].Hash = cadence.AuditHash(es[1])
			return es
		}, "entry 3: its previous-hash does not match entry 2: the chain was broken"},
		{"entry removed", func(es []*cadence.AuditEntry) []*cadence.AuditEntry {
			return append(es[:2:2], es[3:]...)
		}, "entry 4: expected sequence number 3 here: an entry was removed or inserted"},
		{"first entry removed", func(es []*cadence.AuditEntry) []*cadence.AuditEntry { return es[1:] }, "entry 2: expected sequence number 1 here"},
		{"entries swapped", func(es []*cadence.AuditEntry) []*cadence.AuditEntry {
			es[1], es[2] = es[2], es[1]
			return es
		}, "entry 3: expected sequence number 2 here"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es := tc.tamper(chain(t, 5))
			v, err := cadence.VerifyAuditChain(es)
			if tc.want == "" {
				require.NoError(t, err)
				assert.Equal(t, 5, v.Entries)
				assert.Equal(t, es[4].Hash, v.Head)
				return
			}
			require.ErrorIs(t, err, cadence.ErrAuditTampered)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// Length prefixes keep field boundaries: moving text from one field to
// the next changes the hash.
func TestCanonicalAuditIsUnambiguous(t *testing.T) {
	a := &cadence.AuditEntry{Seq: 1, At: opsStart, Actor: "le", Action: "a.pause", Target: "x"}
	b := &cadence.AuditEntry{Seq: 1, At: opsStart, Actor: "lea", Action: ".pause", Target: "x"}
	assert.NotEqual(t, cadence.AuditHash(a), cadence.AuditHash(b))
	c := &cadence.AuditEntry{Seq: 1, At: opsStart, Details: map[string]string{"k": "v\n1:x"}}
	d := &cadence.AuditEntry{Seq: 1, At: opsStart, Details: map[string]string{"k": "v", "x": ""}}
	assert.NotEqual(t, cadence.AuditHash(c), cadence.AuditHash(d))
	// The zone of At does not matter: the instant does.
	e := &cadence.AuditEntry{Seq: 1, At: opsStart.In(cadencetest.Location(t, "Asia/Kolkata"))}
	f := &cadence.AuditEntry{Seq: 1, At: opsStart}
	assert.Equal(t, cadence.AuditHash(f), cadence.AuditHash(e))
	assert.Equal(t, "19:cadencebot-audit-v1\n1:1\n20:2026-11-30T10:00:00Z\n0:\n0:\n0:\n0:\n0:\n1:0\n0:\n",
		string(cadence.CanonicalAudit(f)), "the documented encoding")
}
