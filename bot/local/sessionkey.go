package local

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/cadencebot/cadencebot/cadence"
)

// The session key lives in the store, made on first use: sessions then
// survive restarts (and a restored backup) with nothing to configure.
// Whoever can read the database can forge a session, which gives no more
// than the roster picker: the person in the cookie counts only in the
// trial on loopback; with sign-in (webauth) the sign-in decides.
const (
	nsLocal        = "local"
	sessionKeyName = "session-key"
	sessionKeySize = 32
)

// loadSessionKey returns the store's session key, making it if missing.
func loadSessionKey(ctx context.Context, st cadence.Store) ([]byte, error) {
	var key []byte
	err := st.Update(ctx, func(tx cadence.Tx) error {
		v, err := tx.Get(nsLocal, sessionKeyName)
		switch {
		case err == nil && len(v) == sessionKeySize:
			key = append([]byte(nil), v...)
			return nil
		case err != nil && !errors.Is(err, cadence.ErrNotFound):
			return err
		}
		key = make([]byte, sessionKeySize)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		return tx.Put(nsLocal, sessionKeyName, key)
	})
	if err != nil {
		return nil, fmt.Errorf("local chat session key: %w", err)
	}
	return key, nil
}
