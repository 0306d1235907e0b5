package webauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// Store namespaces: sessions, and sign-ins under way (state → nonce and
// PKCE verifier), both keyed by the SHA-256 of the browser's secret.
const (
	nsSessions = "websession"
	nsFlows    = "websignin"
	// flowTTL bounds the time between leaving for the issuer and coming back.
	flowTTL = 10 * time.Minute
)

// record is a signed-in session as stored.
type record struct {
	Person  string    `json:"person"`
	Account string    `json:"account"` // the claim value that matched, for the log
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
}

// flow is a sign-in under way.
type flow struct {
	Nonce    string    `json:"nonce"`
	Verifier string    `json:"verifier"`
	Next     string    `json:"next"`
	Expires  time.Time `json:"expires"`
}

func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("webauth: no randomness: " + err.Error()) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func keyOf(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

func put(ctx context.Context, st cadence.Store, ns, secret string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return st.Update(ctx, func(tx cadence.Tx) error { return tx.Put(ns, keyOf(secret), b) })
}

// get reads the value of secret into v; false when there is none.
func get(ctx context.Context, st cadence.Store, ns, secret string, v any) (bool, error) {
	var b []byte
	err := st.View(ctx, func(tx cadence.Tx) error {
		var err error
		b, err = tx.Get(ns, keyOf(secret))
		return err
	})
	if errors.Is(err, cadence.ErrNotFound) || (err == nil && b == nil) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("webauth: stored %s: %w", ns, err)
	}
	return true, nil
}

// take reads and deletes in one transaction: a flow is used once.
func take(ctx context.Context, st cadence.Store, ns, secret string, v any) (bool, error) {
	var b []byte
	err := st.Update(ctx, func(tx cadence.Tx) error {
		var err error
		if b, err = tx.Get(ns, keyOf(secret)); err != nil || b == nil {
			return err
		}
		return tx.Delete(ns, keyOf(secret))
	})
	if errors.Is(err, cadence.ErrNotFound) || (err == nil && b == nil) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(b, v)
}

func drop(ctx context.Context, st cadence.Store, ns, secret string) error {
	return st.Update(ctx, func(tx cadence.Tx) error {
		err := tx.Delete(ns, keyOf(secret))
		if errors.Is(err, cadence.ErrNotFound) {
			return nil
		}
		return err
	})
}

// prune drops expired sessions and flows; run at each sign-in, so the
// namespaces stay as small as the number of people signed in.
func prune(ctx context.Context, st cadence.Store, now time.Time) error {
	return st.Update(ctx, func(tx cadence.Tx) error {
		for _, ns := range []string{nsSessions, nsFlows} {
			keys, err := tx.Keys(ns, "")
			if err != nil {
				return err
			}
			for _, k := range keys {
				b, err := tx.Get(ns, k)
				if err != nil {
					continue
				}
				var exp struct {
					Expires time.Time `json:"expires"`
				}
				if json.Unmarshal(b, &exp) != nil || now.After(exp.Expires) {
					if err := tx.Delete(ns, k); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}
