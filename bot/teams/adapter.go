package teams

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// Platform is the name rituals use to choose Teams.
const Platform = "teams"

// MessagesPath is where the Azure Bot's messaging endpoint points.
const MessagesPath = "/api/teams/messages"

// CommandRunner executes a typed command for a person and returns the
// reply; bot.Run (the shared /cadence grammar) by default.
type CommandRunner func(ctx context.Context, svc cadence.Service, actor *cadence.Person, text string, now time.Time) (bot.Reply, error)

// Adapter is the Teams chat: it implements cadence.Chat and
// cadence.Reconciler for the dispatcher, and serves the Bot Framework
// messaging endpoint through Handler.
type Adapter struct {
	cfg   Config
	forms bot.ConfigForms // the ritual form (configcard.go); nil: off
	svc   cadence.Service
	st    cadence.Store
	clock cadence.Clock
	log   zerolog.Logger

	client   *http.Client
	verifier *verifier
	conn     *connector
	pacer    *pacer
	run      CommandRunner
	sleep    func(context.Context, time.Duration) error
	maxWait  time.Duration // longest in-process wait for a pacing token
	maxBytes int
}

var (
	_ cadence.Chat       = (*Adapter)(nil)
	_ cadence.Reconciler = (*Adapter)(nil)
)

// Option changes an Adapter built by New; tests use them to inject fakes.
type Option func(*Adapter)

// WithHTTPClient sets the client for every outbound call (token, keys,
// connector).
func WithHTTPClient(c *http.Client) Option { return func(a *Adapter) { a.client = c } }

// WithCommandRunner replaces bot.Run.
func WithCommandRunner(r CommandRunner) Option { return func(a *Adapter) { a.run = r } }

// WithSleep replaces the wait used for pacing (tests advance a manual
// clock instead of sleeping).
func WithSleep(f func(context.Context, time.Duration) error) Option {
	return func(a *Adapter) { a.sleep = f }
}

// WithPacing sets the per-conversation token bucket and the longest wait
// for a token inside one Send; longer waits are handed back to the
// dispatcher as a retryable error.
func WithPacing(burst int, perSecond float64, maxWait time.Duration) Option {
	return func(a *Adapter) { a.pacer = newPacer(a.clock, burst, perSecond); a.maxWait = maxWait }
}

// WithMaxActivityBytes lowers the size at which messages are split.
func WithMaxActivityBytes(n int) Option { return func(a *Adapter) { a.maxBytes = n } }

// New builds the adapter. cfg gets its defaults (token and metadata URLs)
// and is validated; nothing is fetched until the first message.
func New(cfg Config, svc cadence.Service, st cadence.Store, clock cadence.Clock, log zerolog.Logger, opts ...Option) (*Adapter, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if svc == nil || st == nil || clock == nil {
		return nil, errors.New("teams: New needs a service, a store and a clock")
	}
	a := &Adapter{cfg: cfg, svc: svc, st: st, clock: clock, log: log.With().Str("platform", Platform).Logger(),
		client: &http.Client{Timeout: 30 * time.Second}, run: bot.Run, sleep: sleepCtx,
		maxWait: 3 * time.Second, maxBytes: maxActivityBytes}
	a.pacer = newPacer(clock, paceBurst, paceRate)
	for _, o := range opts {
		o(a)
	}
	a.verifier = newVerifier(cfg, a.client, clock)
	a.conn = &connector{client: a.client, clock: clock, log: a.log, tokens: &tokenSource{cfg: cfg, client: a.client, clock: clock}}
	return a, nil
}

// bot is the bot's own account, the from of everything it sends.
func (a *Adapter) bot() *ChannelAccount { return &ChannelAccount{ID: "28:" + a.cfg.AppID} }

// Platform implements cadence.Chat.
func (a *Adapter) Platform() string { return Platform }

// Handler serves MessagesPath; mount it on the bot's HTTP server.
func (a *Adapter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+MessagesPath, a.serveMessages)
	return mux
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
