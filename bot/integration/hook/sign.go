// Package hook calls an integration's webhook with the release lane's
// events, signed so the receiver can tell them from forgeries and replays.
//
// Each request is a POST of the event's JSON with:
//
//	X-Cadencebot-Event:     release.approved
//	X-Cadencebot-Delivery:  hook/REL-3/approved/github-actions   (same on a retry: dedupe on it)
//	X-Cadencebot-Timestamp: 1796212800                             (Unix seconds)
//	X-Cadencebot-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// A receiver recomputes the HMAC over the timestamp, a dot and the raw
// body, compares in constant time, and refuses timestamps more than five
// minutes off (Verify does all three).
package hook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Header names.
const (
	HeaderEvent     = "X-Cadencebot-Event"
	HeaderDelivery  = "X-Cadencebot-Delivery"
	HeaderTimestamp = "X-Cadencebot-Timestamp"
	HeaderSignature = "X-Cadencebot-Signature"
)

// Tolerance is how far a timestamp may be from the receiver's clock.
const Tolerance = 5 * time.Minute

// Sign returns the X-Cadencebot-Signature value for body sent at ts.
func Sign(secret []byte, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	fmt.Fprintf(mac, "%d.", ts)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Errors Verify returns.
var (
	ErrBadSignature = errors.New("signature does not match")
	ErrStale        = errors.New("timestamp outside the tolerance")
)

// Verify checks a received request's timestamp and signature headers
// against its raw body.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%s %q: %w", HeaderTimestamp, timestamp, ErrStale)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > Tolerance || d < -Tolerance {
		return fmt.Errorf("%s is %s off: %w", HeaderTimestamp, d.Round(time.Second), ErrStale)
	}
	if !strings.HasPrefix(signature, "sha256=") || !hmac.Equal([]byte(signature), []byte(Sign(secret, ts, body))) {
		return ErrBadSignature
	}
	return nil
}
