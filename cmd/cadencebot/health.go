package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cadencebot/cadencebot/cadence"
)

// platformHealth is what the bot last saw of each chat platform it
// talks to over the network: up after any answer from it, down (since
// when, and why) after a failure to reach it. /readyz and the
// cadencebot_platform_up gauge report it.
type platformHealth struct {
	clock cadence.Clock
	gauge *prometheus.GaugeVec

	mu    sync.Mutex
	state map[string]*platformState
}

type platformState struct {
	seen  bool // false until the first call ended
	up    bool
	since time.Time
	why   string
}

func newPlatformHealth(clock cadence.Clock, reg prometheus.Registerer) *platformHealth {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "cadencebot", Name: "platform_up",
		Help: "1 while the bot reaches the chat platform, 0 while it cannot (the bot keeps running and queues)."}, []string{"platform"})
	reg.MustRegister(g)
	return &platformHealth{clock: clock, gauge: g, state: map[string]*platformState{}}
}

// track declares a platform, reported as "connecting" until its first call.
func (h *platformHealth) track(platform string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.state[platform] == nil {
		h.state[platform] = &platformState{}
		h.gauge.WithLabelValues(platform).Set(0)
	}
}

func (h *platformHealth) set(platform string, up bool, why string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.state[platform]
	if s == nil {
		s = &platformState{}
		h.state[platform] = s
	}
	if !s.seen || s.up != up {
		s.since = h.clock.Now()
	}
	s.seen, s.up, s.why = true, up, why
	h.gauge.WithLabelValues(platform).Set(map[bool]float64{true: 1}[up])
}

func (h *platformHealth) up(platform string) { h.set(platform, true, "") }

func (h *platformHealth) down(platform string, err error) { h.set(platform, false, err.Error()) }

// lines describes each platform for /readyz, sorted by name, and says
// whether any is down or not reached yet.
func (h *platformHealth) lines() (lines []string, degraded bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for name, s := range h.state {
		switch {
		case !s.seen:
			lines = append(lines, name+": connecting")
			degraded = true
		case s.up:
			lines = append(lines, name+": up")
		default:
			lines = append(lines, fmt.Sprintf("%s: down since %s: %s", name, s.since.UTC().Format(time.RFC3339), s.why))
			degraded = true
		}
	}
	sort.Strings(lines)
	return lines, degraded
}

// client returns an HTTP client for a platform's adapter whose every
// round trip updates the platform's health: a network failure or a 5xx
// is "down", any other answer (a 429 too) is "up".
func (h *platformHealth) client(platform string, timeout time.Duration) *http.Client {
	h.track(platform)
	return &http.Client{Timeout: timeout, Transport: &healthTransport{base: http.DefaultTransport, h: h, platform: platform}}
}

type healthTransport struct {
	base     http.RoundTripper
	h        *platformHealth
	platform string
}

func (t *healthTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	switch {
	case err != nil && r.Context().Err() != nil:
		// The bot gave up (shutdown, its own deadline): says nothing
		// about the platform.
	case err != nil:
		// Name the host, not the URL: a query string may carry anything.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		t.h.down(t.platform, fmt.Errorf("%s %s: %w", r.Method, r.URL.Host, err))
	case resp.StatusCode >= 500:
		t.h.down(t.platform, fmt.Errorf("%s %s: HTTP %s", r.Method, r.URL.Host, resp.Status))
	default:
		t.h.up(t.platform)
	}
	return resp, err
}
