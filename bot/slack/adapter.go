package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// Platform is the name this adapter answers to in Message.Platform.
const Platform = "slack"

// KV namespaces of the adapter's state in the store.
const (
	nsUsers    = "slack.users"    // roster email / user id → Slack user (id, tz)
	nsEvents   = "slack.events"   // event_id already handled
	nsChannels = "slack.channels" // channel name → id
	nsDMs      = "slack.dms"      // user id → DM channel id
	nsPrompts  = "slack.prompts"  // DM channel/ts of a prompt → occurrence, person
	nsParts    = "slack.parts"    // message key → continuation parts of a long message
	nsAlerts   = "slack.alerts"   // problems already told to a ritual's lead
)

// Metadata tags every message so Lookup can find it after a crash.
const metadataEventType = "cadencebot_message"

// Adapter is the Slack implementation of cadence.Chat and
// cadence.Reconciler, and the inbound side of the Slack app.
type Adapter struct {
	cfg   Config
	svc   cadence.Service
	st    cadence.Store
	clock cadence.Clock
	log   zerolog.Logger
	opts  options

	api   *slack.Client
	limit *limiter
	users *directory

	mu       sync.Mutex
	botUser  string          // the bot's own user id, to ignore its messages
	inflight map[string]bool // event IDs being handled
	handled  int

	// bg is the context of background work started by inbound events;
	// work tracks it and sem bounds it.
	bg   context.Context
	work sync.WaitGroup
	// loops are the Socket Mode goroutines, stopped by Start's context.
	loops sync.WaitGroup
	sem   chan struct{}

	connected chan struct{} // closed on the first Socket Mode connection
	connOnce  sync.Once
	sock      socketLoop
}

var (
	_ cadence.Chat       = (*Adapter)(nil)
	_ cadence.Reconciler = (*Adapter)(nil)
)

type options struct {
	httpClient   *http.Client
	sleep        Sleeper
	limits       Limits
	maxWait      time.Duration
	pingInterval time.Duration
	startTimeout time.Duration
	lookupWindow time.Duration
	forms        bot.ConfigForms // `/cadence ritual new|edit` (configmodal.go); nil: off
}

// Option tunes the adapter; the defaults suit production.
type Option func(*options)

// WithHTTPClient sets the client for Web API calls and the websocket dial.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithSleeper replaces real sleeping in the rate limiter (tests, benchmarks).
func WithSleeper(s Sleeper) Option { return func(o *options) { o.sleep = s } }

// WithLimits replaces DefaultLimits.
func WithLimits(l Limits) Option { return func(o *options) { o.limits = l } }

// WithMaxWait sets the longest a call blocks for a rate-limit token before
// Send returns a retryable error instead (default 10s).
func WithMaxWait(d time.Duration) Option { return func(o *options) { o.maxWait = d } }

// WithPingInterval sets how long Socket Mode tolerates no ping from Slack
// before it reconnects (default 30s).
func WithPingInterval(d time.Duration) Option { return func(o *options) { o.pingInterval = d } }

// WithStartTimeout bounds how long Start waits for the first answer to
// its Socket Mode connection (default 5s) before it returns and keeps
// trying in the background; a failed first attempt returns at once.
func WithStartTimeout(d time.Duration) Option { return func(o *options) { o.startTimeout = d } }

// New builds the adapter. It makes no network call: Start does.
func New(cfg Config, svc cadence.Service, st cadence.Store, clock cadence.Clock, log zerolog.Logger, opt ...Option) (*Adapter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("slack config: %w", err)
	}
	if svc == nil || st == nil || clock == nil {
		return nil, errors.New("slack.New: service, store and clock are required")
	}
	o := options{
		httpClient:   &http.Client{Timeout: 30 * time.Second},
		sleep:        RealSleep,
		limits:       DefaultLimits(),
		maxWait:      10 * time.Second,
		pingInterval: 30 * time.Second,
		startTimeout: 5 * time.Second,
		lookupWindow: 5 * time.Minute,
	}
	for _, f := range opt {
		f(&o)
	}
	a := &Adapter{
		cfg:       cfg,
		svc:       svc,
		st:        st,
		clock:     clock,
		log:       log.With().Str("chat", Platform).Logger(),
		opts:      o,
		inflight:  map[string]bool{},
		bg:        context.Background(),
		sem:       make(chan struct{}, 16),
		connected: make(chan struct{}),
	}
	a.api = slack.New(cfg.BotToken,
		slack.OptionAPIURL(cfg.APIURL),
		slack.OptionHTTPClient(o.httpClient),
		slack.OptionAppLevelToken(cfg.AppToken),
	)
	a.limit = newLimiter(o.limits, clock, o.sleep, o.maxWait)
	a.users = newDirectory()
	return a, nil
}

// Platform implements cadence.Chat.
func (a *Adapter) Platform() string { return Platform }

// Start checks the bot token (auth.test), resolves the roster to Slack
// users, and in Socket Mode connects and serves events until ctx ends. It
// returns once connected or after the first failed Socket Mode attempt
// (it keeps connecting in the background), with an ErrRefused error when
// Slack refuses a token, or with another error when Slack cannot be
// reached (then it started nothing and may be called again).
func (a *Adapter) Start(ctx context.Context) error {
	a.mu.Lock()
	a.bg = ctx
	a.mu.Unlock()
	auth, err := a.api.AuthTestContext(ctx)
	if err != nil {
		if code := errorCode(err); code != "" && !retryableCodes[code] {
			return refused("slack refused %s (%s): check the token and that the app is installed", EnvBotToken, code)
		}
		return fmt.Errorf("slack auth.test: %w", err)
	}
	a.mu.Lock()
	a.botUser = auth.UserID
	a.mu.Unlock()
	a.log.Info().Str("team", auth.Team).Str("bot_user", auth.UserID).Str("mode", string(a.cfg.Mode)).Msg("connected to slack")

	a.resolveRoster(ctx)

	if a.cfg.Mode != ModeSocket {
		return nil
	}
	return a.startSocketMode(ctx)
}

func (a *Adapter) botUserID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.botUser
}

// getKV reads one value; found is false for cadence.ErrNotFound.
func (a *Adapter) getKV(ctx context.Context, ns, key string) (val []byte, found bool, err error) {
	err = a.st.View(ctx, func(tx cadence.Tx) error {
		v, err := tx.Get(ns, key)
		if errors.Is(err, cadence.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		val, found = append([]byte(nil), v...), true
		return nil
	})
	return val, found, err
}

func (a *Adapter) putKV(ctx context.Context, ns, key string, val []byte) error {
	return a.st.Update(ctx, func(tx cadence.Tx) error { return tx.Put(ns, key, val) })
}

// background runs fn outside the request or envelope that caused it,
// bounded to a few at a time.
func (a *Adapter) background(fn func(ctx context.Context)) {
	a.mu.Lock()
	ctx := a.bg
	a.mu.Unlock()
	a.work.Add(1)
	go func() {
		defer a.work.Done()
		select {
		case a.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		defer func() { <-a.sem }()
		defer func() {
			if p := recover(); p != nil {
				a.log.Error().Interface("panic", p).Msg("inbound handler panicked")
			}
		}()
		fn(ctx)
	}()
}

// Wait blocks until inbound work started so far has finished (graceful
// shutdown, tests). Once Start's context is cancelled it first waits for
// the Socket Mode loops to stop, so no event starts new work while it
// waits (a WaitGroup must not grow from zero during a Wait).
func (a *Adapter) Wait() {
	a.mu.Lock()
	ctx := a.bg
	a.mu.Unlock()
	if ctx != nil && ctx.Err() != nil {
		a.loops.Wait()
	}
	a.work.Wait()
}
