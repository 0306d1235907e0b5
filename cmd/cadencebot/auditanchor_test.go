package main

import (
	"context"
	"crypto/ed25519"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/store"
)

// `audit head` prints the whole head (it printed 12 characters), and
// `audit --verify --expect HEAD` holds the log to it later.
func TestAuditHeadAndExpect(t *testing.T) {
	db := filepath.Join(t.TempDir(), "audit.db")
	s, err := store.Open(db, store.Options{})
	require.NoError(t, err)
	add := func(actor, action string) {
		require.NoError(t, s.Update(context.Background(), func(tx cadence.Tx) error {
			_, err := cadence.AppendAudit(tx, cadence.AuditEntry{At: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), Actor: actor, Action: action, Target: "REL-9"})
			return err
		}))
	}
	add("bo", "release.propose")
	add("lea", "release.approve")
	require.NoError(t, s.Close())

	code, out, errOut := cli(t, nil, "audit", "head", "--db", db)
	require.Equal(t, 0, code, errOut)
	head := strings.TrimSpace(out)
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{64}$`), head)
	assert.Contains(t, errOut, "after entry 2")

	s, err = store.Open(db, store.Options{})
	require.NoError(t, err)
	add("root", "release.approve")
	require.NoError(t, s.Close())

	code, _, errOut = cli(t, nil, "audit", "--db", db, "--verify", "--expect", head)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "intact: 3 entries")
	assert.Contains(t, errOut, "still holds "+head[:12])

	code, _, errOut = cli(t, nil, "audit", "--db", db, "--verify", "--expect", strings.Repeat("ab", 32))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "NOT intact")
	assert.Contains(t, errOut, "were changed, removed or the log was cut short")

	code, _, errOut = cli(t, nil, "audit", "--db", db, "--expect", head)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "add --verify")
}

func TestAuditKeys(t *testing.T) {
	code, out, errOut := cli(t, nil, "audit", "new-key")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	env, ok := strings.CutPrefix(lines[0], cadence.EnvAuditSigningKey+"=")
	require.True(t, ok, out)
	pub, ok := strings.CutPrefix(lines[1], "public key: ")
	require.True(t, ok, out)

	code, out, errOut = cli(t, map[string]string{cadence.EnvAuditSigningKey: env}, "audit", "public-key")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, pub+"\n", out)
	assert.NotContains(t, out+errOut, env, "the private key is never printed back")

	code, _, errOut = cli(t, map[string]string{cadence.EnvAuditSigningKey: "c2hvcnQ="}, "audit", "public-key")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, cadence.EnvAuditSigningKey+": audit signing key: want base64 of a 32-byte Ed25519 seed")
}

// With a signing key, the weekly digest carries a signed checkpoint that
// is also in the log, and `audit --verify --key` checks it.
func TestDigestPostsASignedAuditCheckpoint(t *testing.T) {
	seed := make([]byte, ed25519.SeedSize)
	seed[0] = 7
	key := ed25519.NewKeyFromSeed(seed)
	pub := cadence.EncodeAuditKey(key.Public().(ed25519.PublicKey))
	db := filepath.Join(t.TempDir(), "app.db")
	clock := cadence.NewManualClock(time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC))
	a, base, stop := runAppEnv(t, digestConfig, db, clock, map[string]string{cadence.EnvAuditSigningKey: cadence.EncodeAuditKey(seed)})
	require.Eventually(t, func() bool { c, _ := get(t, base+"readyz"); return c == 200 }, 5*time.Second, 10*time.Millisecond)
	clock.Set(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	require.Eventually(t, func() bool { return len(digests(t, a)) == 2 }, 10*time.Second, 10*time.Millisecond)
	var head string
	for _, m := range digests(t, a) {
		var found bool
		for _, s := range m.Body.Sections {
			if s.Heading == "Audit checkpoint" {
				found = true
				assert.Contains(t, strings.Join(s.Lines, "\n"), "Public key: "+pub)
				head = s.Lines[0][strings.LastIndex(s.Lines[0], " ")+1:]
			}
		}
		assert.True(t, found, m.Key)
	}
	stop()
	args := []string{"audit", "--db", db, "--verify", "--key", pub}
	if head != "" {
		args = append(args, "--expect", head)
	}
	code, out, errOut := cli(t, nil, args...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "audit.checkpoint")
	assert.Regexp(t, `[1-9][0-9]* signed checkpoints verified`, errOut)

	other := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	code, _, errOut = cli(t, nil, "audit", "--db", db, "--verify", "--key", cadence.EncodeAuditKey(other.Public().(ed25519.PublicKey)))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "does not verify with this public key")
}
