package teams

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// keySet fetches the signing keys of inbound tokens: the OpenID metadata
// names a jwks_uri, which lists RSA keys by kid. Keys are cached; an
// unknown kid (the Bot Framework rotates keys) triggers a refetch, at most
// once per minRefetch, so a flood of forged kids cannot turn the bot into
// a request amplifier.
type keySet struct {
	metadataURL string
	client      *http.Client
	clock       cadence.Clock
	maxAge      time.Duration // refresh a cache older than this
	minRefetch  time.Duration // at most one refetch per this interval

	fetchMu sync.Mutex // one fetch at a time
	mu      sync.Mutex
	keys    map[string]signingKey
	fetched time.Time // last successful fetch
	tried   time.Time // last attempt
}

// signingKey is one JWKS entry. Endorsements lists the channels (e.g.
// "msteams") the key may sign for; empty means any.
type signingKey struct {
	pub          *rsa.PublicKey
	endorsements []string
}

func newKeySet(metadataURL string, client *http.Client, clock cadence.Clock) *keySet {
	return &keySet{metadataURL: metadataURL, client: client, clock: clock,
		maxAge: 24 * time.Hour, minRefetch: time.Minute}
}

var errUnknownKey = errors.New("unknown signing key")

// key returns the key with the given kid, fetching the set when it is
// older than maxAge or lacks kid. A stale key is still used while a
// refetch is rate limited or fails, so a Microsoft outage does not lock
// everyone out; an unknown kid is never trusted.
func (ks *keySet) key(ctx context.Context, kid string) (signingKey, error) {
	if k, fresh := ks.lookup(kid); fresh {
		return k, nil
	}
	ks.fetchMu.Lock()
	defer ks.fetchMu.Unlock()
	k, fresh := ks.lookup(kid) // another request may have fetched meanwhile
	if fresh {
		return k, nil
	}
	now := ks.clock.Now()
	ks.mu.Lock()
	limited := !ks.tried.IsZero() && now.Sub(ks.tried) < ks.minRefetch
	if !limited {
		ks.tried = now
	}
	ks.mu.Unlock()
	if limited {
		if k.pub != nil {
			return k, nil
		}
		return signingKey{}, fmt.Errorf("%w %q (key set refetched less than %s ago)", errUnknownKey, kid, ks.minRefetch)
	}
	keys, err := ks.fetch(ctx)
	if err != nil {
		if k.pub != nil {
			return k, nil
		}
		return signingKey{}, fmt.Errorf("fetching signing keys: %w", err)
	}
	ks.mu.Lock()
	ks.keys, ks.fetched = keys, now
	ks.mu.Unlock()
	k, ok := keys[kid]
	if !ok {
		return signingKey{}, fmt.Errorf("%w %q", errUnknownKey, kid)
	}
	return k, nil
}

// lookup returns the cached key for kid (zero if none) and whether the
// cache is fresh enough to trust without a fetch.
func (ks *keySet) lookup(kid string) (signingKey, bool) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	k, ok := ks.keys[kid]
	return k, ok && ks.clock.Now().Sub(ks.fetched) <= ks.maxAge
}

func (ks *keySet) fetch(ctx context.Context) (map[string]signingKey, error) {
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(ctx, ks.client, ks.metadataURL, &meta); err != nil {
		return nil, fmt.Errorf("openid metadata: %w", err)
	}
	if err := checkEndpoint(meta.JWKSURI); err != nil {
		return nil, fmt.Errorf("openid metadata %s: jwks_uri: %w", ks.metadataURL, err)
	}
	var set struct {
		Keys []struct {
			Kty          string   `json:"kty"`
			Use          string   `json:"use"`
			Kid          string   `json:"kid"`
			N            string   `json:"n"`
			E            string   `json:"e"`
			Endorsements []string `json:"endorsements"`
		} `json:"keys"`
	}
	if err := getJSON(ctx, ks.client, meta.JWKSURI, &set); err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	keys := make(map[string]signingKey, len(set.Keys))
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Kid == "" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		pub, err := rsaKey(k.N, k.E)
		if err != nil {
			return nil, fmt.Errorf("jwks %s: key %q: %w", meta.JWKSURI, k.Kid, err)
		}
		keys[k.Kid] = signingKey{pub: pub, endorsements: k.Endorsements}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("jwks %s: no RSA signing keys", meta.JWKSURI)
	}
	return keys, nil
}

func rsaKey(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil {
		return nil, fmt.Errorf("modulus: %w", err)
	}
	eb, err := base64.RawURLEncoding.DecodeString(e)
	if err != nil {
		return nil, fmt.Errorf("exponent: %w", err)
	}
	exp := new(big.Int).SetBytes(eb)
	if len(nb) < 256 || !exp.IsInt64() || exp.Int64() < 3 || exp.Int64() > 1<<31 {
		return nil, errors.New("not a usable RSA key (modulus under 2048 bits or odd exponent)")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: int(exp.Int64())}, nil
}

// getJSON fetches url into v, with a size cap: the documents are small.
func getJSON(ctx context.Context, client *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}
