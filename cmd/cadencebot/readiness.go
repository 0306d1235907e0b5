package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cadencebot/cadencebot/store"
)

// readiness answers /readyz. The bot is ready once the store is open and
// the first tick has run (ok), and not while the store's writes fail (a
// full disk): answers then cannot be stored, and an orchestrator should
// know. A chat platform that cannot be reached
// makes it "degraded", still 200: the local chat, dashboard, API,
// scheduler and the outbox all work and restarting or unrouting the bot
// would not bring Slack back, so an orchestrator must not act on it. The
// body names what is down; alert on cadencebot_platform_up instead.
type readiness struct {
	ok        atomic.Bool // the first tick is done
	platforms *platformHealth
	store     interface{ WriteError() error }
	// slackEvents reports whether Slack's Socket Mode websocket is open
	// (nil in HTTP mode): Slack can answer its Web API while the events
	// connection is down, and then nobody's clicks reach the bot.
	slackEvents func() bool
	// config reports the last config reload's failure (nil after a
	// success). The old config keeps running, so it is "degraded", not
	// "not ready": unrouting the bot would not fix the file.
	config func() (time.Time, error)
	// leader reports the election when replicas share a PostgreSQL
	// database (nil on bbolt: one process always leads).
	leader func() leaderView
	// pageCheck reports bbolt's page check, which runs a few seconds
	// after the start (store.Options.CheckAfterOpen, afterReady; nil on
	// PostgreSQL). Damage it finds makes the bot not ready: writes are
	// refused from then on.
	pageCheck func() store.CheckStatus
}

func (r *readiness) set(v bool) { r.ok.Store(v) }

func (r *readiness) serveHTTP(w http.ResponseWriter, _ *http.Request) {
	var lines []string
	ready, degraded := true, false
	var lv leaderView
	if r.leader != nil {
		lv = r.leader()
	}
	switch {
	case r.leader != nil && !lv.Known:
		why := "not read yet"
		if lv.Err != nil {
			why = lv.Err.Error()
		}
		lines = append(lines, "leader: unknown, the lease cannot be read: "+why)
		ready = false
	case r.leader != nil && lv.Err != nil:
		lines = append(lines, fmt.Sprintf("leader: last seen %s (epoch %d); the lease cannot be read now: %v", lv.Holder, lv.Epoch, lv.Err))
		ready = false
	case r.leader != nil && !lv.Leading:
		who := fmt.Sprintf("%s (epoch %d)", lv.Holder, lv.Epoch)
		if lv.Holder == "" {
			who = "none yet"
		}
		lines = append(lines, "leader: "+who+"; this replica follows: it serves pages, answers and chat events, the leader runs the scheduler and the dispatcher")
	case r.leader != nil:
		lines = append(lines, fmt.Sprintf("leader: this replica, %s (epoch %d)", lv.Holder, lv.Epoch))
		fallthrough
	default:
		if r.ok.Load() {
			lines = append(lines, "scheduler: ok")
		} else {
			lines = append(lines, "scheduler: waiting for the first tick")
			ready = false
		}
	}
	if lv.LeaderConfig != "" {
		lines = append(lines, fmt.Sprintf("config: differs from the leader's (this replica %s, the leader %s): the leader's rituals run; deploy one config to every replica",
			lv.OurConfig, lv.LeaderConfig))
		degraded = true
	}
	var check store.CheckStatus
	if r.pageCheck != nil {
		check = r.pageCheck()
	}
	if r.store != nil {
		switch err := r.store.WriteError(); {
		case check.Damage != nil:
			lines = append(lines, "store: damaged, writes refused: "+check.Damage.Error())
			ready = false
		case err != nil:
			lines = append(lines, "store: writes failing: "+err.Error())
			ready = false
		case check.Running:
			lines = append(lines, "store: ok (the page check of the file runs)")
		default:
			lines = append(lines, "store: ok")
		}
	}
	if r.platforms != nil {
		pl, d := r.platforms.lines()
		lines = append(lines, pl...)
		degraded = d
	}
	if r.slackEvents != nil {
		if r.slackEvents() {
			lines = append(lines, "slack events (Socket Mode): connected")
		} else {
			lines = append(lines, "slack events (Socket Mode): not connected, reconnecting")
			degraded = true
		}
	}
	if r.config != nil {
		if at, err := r.config(); err != nil {
			lines = append(lines, fmt.Sprintf("config: last reload failed at %s, the previous config runs: %s",
				at.UTC().Format(time.RFC3339), strings.ReplaceAll(err.Error(), "\n", "; ")))
			degraded = true
		} else {
			lines = append(lines, "config: ok")
		}
	}
	status, code := "ready", http.StatusOK
	switch {
	case !ready:
		status, code = "not ready", http.StatusServiceUnavailable
	case degraded:
		status = "degraded"
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	fmt.Fprintf(w, "%s\n%s\n", status, strings.Join(lines, "\n"))
}
