package dashboard

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// Environment variables holding the dashboard credentials. Secrets come
// only from the environment, never from the config file or flags.
const (
	EnvToken    = "CADENCEBOT_DASHBOARD_TOKEN"
	EnvUser     = "CADENCEBOT_DASHBOARD_USER"
	EnvPassword = "CADENCEBOT_DASHBOARD_PASSWORD"
)

// OptionsFromEnv reads the credentials with getenv (os.Getenv in main).
func OptionsFromEnv(getenv func(string) string) Options {
	return Options{
		Token:     strings.TrimSpace(getenv(EnvToken)),
		BasicUser: getenv(EnvUser),
		BasicPass: getenv(EnvPassword),
	}
}

func (o Options) hasToken() bool { return o.Token != "" }

// HasCredential reports whether a dashboard token or basic-auth pair is set.
func (o Options) HasCredential() bool { return o.hasToken() || o.hasBasic() }
func (o Options) hasBasic() bool      { return o.BasicUser != "" && o.BasicPass != "" }

// CheckAccess refuses a configuration that would publish the dashboard
// on a non-loopback address without credentials, and half-configured
// basic auth anywhere. Call it before listening.
func CheckAccess(listenAddr string, opts Options) error {
	if (opts.BasicUser == "") != (opts.BasicPass == "") {
		set, unset := EnvUser, EnvPassword
		if opts.BasicUser == "" {
			set, unset = EnvPassword, EnvUser
		}
		return fmt.Errorf("dashboard: %s is set but %s is empty; set both for basic auth", set, unset)
	}
	if opts.hasToken() || opts.hasBasic() || opts.SignIn != nil {
		return nil
	}
	loop, err := IsLoopback(listenAddr)
	if err != nil {
		return fmt.Errorf("dashboard: listen address: %w", err)
	}
	if !loop {
		return fmt.Errorf("dashboard: refusing to serve on non-loopback address %q without credentials: "+
			"set %s (bearer token) or %s and %s (basic auth), put it behind an authenticating reverse proxy "+
			"and listen on 127.0.0.1, or listen on a loopback address", listenAddr, EnvToken, EnvUser, EnvPassword)
	}
	return nil
}

// IsLoopback reports whether a listen address ("127.0.0.1:8080",
// "[::1]:8080", "localhost:8080") only accepts local connections. An
// empty host (":8080") listens on every interface, so it is not.
func IsLoopback(listenAddr string) (bool, error) {
	host, _, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return false, fmt.Errorf("%q: %w", listenAddr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

var errNoCredentials = errors.New("dashboard has no credentials configured and is not on a loopback address")

// ErrReadOnly answers a write made with the dashboard credential.
var ErrReadOnly = errors.New("the dashboard credential is read-only: it reads the dashboard and the API, and acts for nobody; sign in to act")

// Credential reports whether r carries the dashboard credential (bearer
// token or basic-auth pair), compared in constant time.
func (o Options) Credential(r *http.Request) bool {
	if o.hasToken() {
		if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && equal(digest(strings.TrimSpace(t)), digest(o.Token)) {
			return true
		}
	}
	if o.hasBasic() {
		if u, p, ok := r.BasicAuth(); ok && equal(digest(u), digest(o.BasicUser)) && equal(digest(p), digest(o.BasicPass)) {
			return true
		}
	}
	return false
}

// Protect puts another handler behind the dashboard's credentials: the
// daemon guards its API and the local chat with it, so one token (or
// basic-auth pair) covers every page a person reads.
func (s *Server) Protect(h http.Handler) http.Handler { return s.requireAuth(h) }

// requireAuth guards every request. A signed-in person passes; the
// dashboard credential (token or basic auth) reads and never writes.
// Without credentials or sign-in it lets through only a server that was
// declared loopback-only (the trial), so forgetting CheckAccess fails
// closed.
func (s *Server) requireAuth(next http.Handler) http.Handler {
	o := s.opts
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o.SignedIn != nil && o.SignedIn(r) {
			next.ServeHTTP(w, r)
			return
		}
		if !o.hasToken() && !o.hasBasic() && o.SignIn == nil {
			if o.Loopback {
				next.ServeHTTP(w, r)
				return
			}
			s.log.Error().Err(errNoCredentials).Msg("dashboard request refused")
			http.Error(w, errNoCredentials.Error(), http.StatusForbidden)
			return
		}
		auth := r.Header.Get("Authorization")
		if o.Credential(r) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				// The credential is for reading: acting needs a person.
				s.log.Warn().Str("path", r.URL.Path).Str("method", r.Method).Str("remote", r.RemoteAddr).Msg("write with the read-only dashboard credential refused")
				http.Error(w, ErrReadOnly.Error(), http.StatusForbidden)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if o.SignIn != nil && auth == "" && r.Method == http.MethodGet {
			http.Redirect(w, r, o.SignIn(r.RequestURI), http.StatusSeeOther) // RequestURI: before any StripPrefix
			return
		}
		if o.hasBasic() {
			w.Header().Set("WWW-Authenticate", `Basic realm="cadencebot dashboard", charset="UTF-8"`)
		} else {
			w.Header().Set("WWW-Authenticate", `Bearer realm="cadencebot dashboard"`)
		}
		s.log.Info().Str("path", r.URL.Path).Str("remote", r.RemoteAddr).Bool("had_credentials", auth != "").Msg("dashboard request unauthorized")
		if o.SignIn != nil && auth == "" {
			http.Error(w, "Not signed in, or the session expired, so nothing was done: sign in again at "+o.SignIn("/"), http.StatusUnauthorized)
			return
		}
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	})
}

// digest hashes before comparing, so the comparison takes the same time
// whatever the lengths of the secret and the guess.
func digest(s string) [32]byte { return sha256.Sum256([]byte(s)) }

func equal(a, b [32]byte) bool { return subtle.ConstantTimeCompare(a[:], b[:]) == 1 }
