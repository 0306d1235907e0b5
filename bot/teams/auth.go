package teams

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/cadencebot/cadencebot/cadence"
)

// clockLeeway absorbs clock skew between the Bot Framework and us.
const clockLeeway = 5 * time.Minute

// verifier checks the bearer token the Bot Connector sends with every
// activity (Bot Framework "channel to bot" authentication).
type verifier struct {
	keys   *keySet
	parser *jwt.Parser
}

// botClaims are the claims of a Bot Connector token.
type botClaims struct {
	jwt.RegisteredClaims
	ServiceURL string `json:"serviceurl"`
}

func newVerifier(cfg Config, client *http.Client, clock cadence.Clock) *verifier {
	return &verifier{
		keys: newKeySet(cfg.OpenIDMetadataURL, client, clock),
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{"RS256"}),
			jwt.WithIssuer(cfg.Issuer),
			jwt.WithAudience(cfg.AppID),
			jwt.WithLeeway(clockLeeway),
			jwt.WithTimeFunc(clock.Now),
			jwt.WithExpirationRequired(),
		),
	}
}

// verified is what a valid token vouches for; the handler checks it
// against the activity once the body is parsed.
type verified struct {
	serviceURL   string
	endorsements []string
}

// verify checks the Authorization header: signature by a published key
// (RS256 only), issuer, audience, expiry and not-before with leeway.
func (v *verifier) verify(ctx context.Context, header string) (verified, error) {
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || strings.TrimSpace(raw) == "" {
		return verified{}, errors.New("no bearer token in Authorization header")
	}
	var key signingKey
	claims := &botClaims{}
	_, err := v.parser.ParseWithClaims(strings.TrimSpace(raw), claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token header has no kid")
		}
		k, err := v.keys.key(ctx, kid)
		if err != nil {
			return nil, err
		}
		key = k
		return k.pub, nil
	})
	if err != nil {
		return verified{}, err
	}
	if claims.ServiceURL == "" {
		return verified{}, errors.New("token has no serviceurl claim")
	}
	return verified{serviceURL: claims.ServiceURL, endorsements: key.endorsements}, nil
}

// check binds the token to the activity: same serviceUrl (so a token
// stolen for one service URL cannot make the bot send its own token
// elsewhere), and a key endorsed for the activity's channel.
func (vd verified) check(a *Activity) error {
	if !sameServiceURL(vd.serviceURL, a.ServiceURL) {
		return fmt.Errorf("token serviceurl %q does not match activity serviceUrl %q", vd.serviceURL, a.ServiceURL)
	}
	if len(vd.endorsements) > 0 && !slices.Contains(vd.endorsements, a.ChannelID) {
		return fmt.Errorf("signing key is not endorsed for channel %q", a.ChannelID)
	}
	return nil
}

// sameServiceURL compares service URLs the way the Bot Framework SDKs do:
// exactly, but ignoring a trailing slash.
func sameServiceURL(a, b string) bool {
	return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}
