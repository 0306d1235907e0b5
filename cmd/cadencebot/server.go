package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/dashboard"
)

// serverLimits bound what one client can hold of the bot's only listener:
// a header or body trickled byte by byte, idle keep-alive connections,
// huge headers or bodies. Tests shorten them.
type serverLimits struct {
	ReadHeader time.Duration // request line and headers
	Read       time.Duration // the whole request, body included
	Idle       time.Duration // a keep-alive connection between requests
	MaxHeader  int           // bytes of request headers
	MaxBody    int64         // bytes of request body
}

// defaultLimits fit every request the bot takes: Slack and Teams send a
// few kilobytes, a form post from the local chat less. A body is read at
// once (below), so Read bounds the body and not the response: a backup
// may stream for longer.
var defaultLimits = serverLimits{
	ReadHeader: 10 * time.Second,
	Read:       20 * time.Second,
	Idle:       60 * time.Second,
	MaxHeader:  64 << 10,
	MaxBody:    1 << 20,
}

// newHTTPServer builds the listener's server: the host check, the body
// limit and the timeouts apply to every route (/slack/events and
// /api/teams/messages included).
func newHTTPServer(h http.Handler, hosts hostAllowlist, lim serverLimits, log zerolog.Logger) *http.Server {
	return &http.Server{
		Handler:           hosts.guard(limitBody(h, lim.MaxBody, log), log),
		ReadHeaderTimeout: lim.ReadHeader,
		ReadTimeout:       lim.Read,
		IdleTimeout:       lim.Idle,
		MaxHeaderBytes:    lim.MaxHeader,
	}
}

// limitBody reads the request body up to max before the handler runs, so
// that every handler sees a whole body or none: larger is 413, a body that
// does not arrive within the read timeout is 408, and no handler acts on
// half a request.
func limitBody(next http.Handler, max int64, log zerolog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > max {
			refuseBody(w, r, max, log)
			return
		}
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				refuseBody(w, r, max, log)
				return
			}
			log.Warn().Str("method", r.Method).Str("path", r.URL.Path).Err(err).Msg("request body not read in time; answered 408")
			w.Header().Set("Connection", "close")
			http.Error(w, "request body not received in time", http.StatusRequestTimeout)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		next.ServeHTTP(w, r)
	})
}

func refuseBody(w http.ResponseWriter, r *http.Request, max int64, log zerolog.Logger) {
	log.Warn().Str("method", r.Method).Str("path", r.URL.Path).Int64("limit", max).Msg("request body too large; answered 413")
	w.Header().Set("Connection", "close")
	http.Error(w, fmt.Sprintf("request body too large: the limit is %d bytes", max), http.StatusRequestEntityTooLarge)
}

// hostAllowlist is the Host header names the bot answers to. A web page
// whose name an attacker re-points at 127.0.0.1 (DNS rebinding) reaches
// a loopback bot with its own name in Host; refusing unknown names keeps
// such a page from reading the database or acting through the local chat.
type hostAllowlist struct {
	names []string // lower case, without port
}

// newHostAllowlist allows loopback names when the bot listens on loopback
// and public_url's host otherwise (both when both apply). An IP address
// in Host is always allowed: a rebinding page always sends its own name.
func newHostAllowlist(loopback bool, publicURLs ...string) hostAllowlist {
	var h hostAllowlist
	if loopback {
		h.names = append(h.names, "localhost")
	}
	for _, pu := range publicURLs {
		if u, err := url.Parse(pu); err == nil && u.Hostname() != "" {
			h.names = append(h.names, strings.ToLower(u.Hostname()))
		}
	}
	return h
}

func (h hostAllowlist) allows(host string) bool {
	name := host
	if hn, _, err := net.SplitHostPort(host); err == nil {
		name = hn
	}
	name = strings.ToLower(strings.TrimSuffix(strings.Trim(name, "[]"), "."))
	if net.ParseIP(name) != nil {
		return true
	}
	for _, n := range h.names {
		if name == n || (n == "localhost" && strings.HasSuffix(name, ".localhost")) {
			return true
		}
	}
	return false
}

// guard answers 421 Misdirected Request to any other name. Health checks
// stay open: probes address pods by whatever name the platform uses and
// the answer tells a page nothing.
func (h hostAllowlist) guard(next http.Handler, log zerolog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.allows(r.Host) || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			next.ServeHTTP(w, r)
			return
		}
		log.Warn().Str("host", r.Host).Str("method", r.Method).Str("path", r.URL.Path).Msg("request for a host name the bot does not serve; answered 421")
		want := "an IP address (set [bot] public_url to serve a name)"
		if len(h.names) > 0 {
			want = strings.Join(h.names, ", ") + " or an IP address"
		}
		w.Header().Set("Connection", "close")
		http.Error(w, fmt.Sprintf("this bot does not answer for host %q: use %s", r.Host, want), http.StatusMisdirectedRequest)
	})
}

// hostAllowlist is built from where the bot listens and [bot] public_url;
// off loopback without public_url only IP addresses are served, and the
// start-up log says so.
func (a *App) hostAllowlist() hostAllowlist {
	loop, _ := dashboard.IsLoopback(a.opts.Listen)
	urls := []string{a.cfg.Bot.PublicURL}
	if a.cfg.Auth != nil {
		urls = append(urls, a.cfg.Auth.RedirectURL) // the issuer sends browsers back there
	}
	h := newHostAllowlist(loop, urls...)
	if !loop && len(h.names) == 0 {
		a.log.Warn().Str("listen", a.opts.Listen).Msg("listening off loopback without [bot] public_url: requests are answered only when addressed by IP; set public_url to the name people and Slack/Teams use")
	}
	return h
}
