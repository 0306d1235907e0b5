package main

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/bot/integration/oncall"
	"github.com/cadencebot/cadencebot/bot/local"
	"github.com/cadencebot/cadencebot/bot/slack"
	"github.com/cadencebot/cadencebot/bot/teams"
	"github.com/cadencebot/cadencebot/bot/webauth"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/dashboard"
	"github.com/cadencebot/cadencebot/store"
	"github.com/cadencebot/cadencebot/store/postgres"
)

// appOptions are what `run` decides from flags and the environment.
type appOptions struct {
	Listen    string
	DB        string
	InitDB    bool // `run --init`: a 0-byte database file becomes a new database
	Getenv    env
	Clock     cadence.Clock
	Registry  *prometheus.Registry
	Log       zerolog.Logger
	TickEvery time.Duration // how often the engine looks at the clock (default 1s)
	// DispatchPoll is how often the dispatcher looks for due retries
	// when nothing wakes it (default 1s); tests lengthen it to prove a
	// wake-up came from elsewhere (LISTEN/NOTIFY).
	DispatchPoll time.Duration
	// ConfigPath is the file cfg came from ("" for the embedded example);
	// Reload delivers SIGHUP. The file is reloaded on either (reload.go).
	ConfigPath string
	Reload     <-chan struct{}
	Limits     serverLimits // HTTP timeouts and sizes; zero: defaultLimits (server.go)
	// SlackOptions and TeamsOptions let tests point the adapters at fakes.
	SlackOptions []slack.Option
	TeamsOptions []teams.Option
}

// App is the daemon: store, engine, dispatcher, chat adapters and the HTTP
// server, built from a config. Tests embed it with a fake clock and fakes
// for Slack and Teams.
type App struct {
	cfg  *config.Config
	opts appOptions
	log  zerolog.Logger
	db   appStore // bbolt or PostgreSQL (storedriver.go)
	// pg: the store is PostgreSQL, so no file lock, holder file or
	// bbolt backup.
	pg  bool
	eng *cadence.Engine
	ops *ops.Ops
	// svc is what adapters and pages call: the engine with incidents,
	// follow-ups, releases and audited pause/resume/skip on top.
	svc   *ops.Service
	disp  *cadence.Dispatcher
	chats map[string]cadence.Chat
	local *local.Chat
	slack *slack.Adapter
	teams *teams.Adapter
	ready readiness
	wake  chan struct{}
	mux   *http.ServeMux
	ln    net.Listener
	// listenURL is where the bot answers once listening; pages linked
	// from messages use the public URL when one is configured.
	listenURL string

	digest *cadence.Digest // nil without a [digest] table (digest.go)
	// auditKey signs audit checkpoints; nil without
	// CADENCEBOT_AUDIT_SIGNING_KEY (auditcheckpoint.go).
	auditKey ed25519.PrivateKey

	compactor *outboxCompactor // bounded outbox (compact.go)

	// connectionLost tells a write that failed for want of the server
	// from one the server refused (postgres.ConnectionLost; nil on
	// bbolt): the first is retried on a short backoff (writeprobe.go).
	connectionLost func(error) bool

	web      *webauth.Auth   // sign-in with OpenID Connect; nil without [auth] (signin.go)
	health   *platformHealth // what the bot last saw of Slack and Teams (health.go)
	writes   writeWatch      // whether the store's writes fail (writeprobe.go)
	reloader *reloader       // config reloads and their outcome (reload.go)
	live     liveState       // the file and the store's rituals and people, in force (liveconfig.go)
	editor   *ops.ConfigEditor
	// instance identifies this run in the holder file and API answers (holder.go).
	instance string
	// lead elects the replica that runs the scheduler and dispatcher:
	// cadence.Solo on bbolt, the PostgreSQL lease (elector) otherwise
	// (leader.go).
	lead    cadence.Leadership
	elector *postgres.Elector
	leading atomic.Bool // this replica's leader work runs
	// startCheck lets bbolt's page check begin a few seconds after the
	// first tick (afterReady; store.DB.StartCheck; nil on PostgreSQL).
	startCheck func()
	// afterReady holds the page check and the first outbox compaction
	// round back from the start's ready reply (afterready.go).
	afterReady afterReady
	// tick replaces tickOnce in tests (nil: tickOnce).
	tick func(context.Context) error
}

// newApp opens the store and builds everything; it listens on nothing yet.
// On error everything opened is closed again.
func newApp(cfg *config.Config, o appOptions) (_ *App, err error) {
	if o.Clock == nil {
		o.Clock = cadence.SystemClock{}
	}
	if o.Registry == nil {
		o.Registry = newRegistry()
	}
	if o.TickEvery <= 0 {
		o.TickEvery = time.Second
	}
	if o.Listen == "" {
		o.Listen = cfg.Bot.Listen
	}
	pg := cfg.Store.Driver == config.DriverPostgres
	if pg && (o.DB != "" || o.InitDB) {
		return nil, fmt.Errorf("run: --db and --init are for a bbolt file, but [store] driver = %q stores in %s (its schema is created on start)", config.DriverPostgres, config.EnvDatabaseURL)
	}
	if !pg && o.DB == "" {
		o.DB = cfg.Bot.Database
	}
	if o.Limits == (serverLimits{}) {
		o.Limits = defaultLimits
	}
	a := &App{cfg: cfg, opts: o, log: o.Log, wake: make(chan struct{}, 1), chats: map[string]cadence.Chat{}, instance: newInstanceID(), pg: pg,
		afterReady: afterReady{wait: afterReadyWait}}

	dashOpts := dashboard.OptionsFromEnv(o.Getenv)
	if cfg.Auth != nil {
		dashOpts.SignIn = webauth.LoginURL
	}
	if err := dashboard.CheckAccess(o.Listen, dashOpts); err != nil {
		return nil, err
	}
	loop, _ := dashboard.IsLoopback(o.Listen)
	dashOpts.Loopback = loop
	dashOpts.Log = o.Log
	dashOpts.Threshold = config.DefaultDigestThreshold // the bar the digest would use
	if cfg.Digest != nil {
		dashOpts.Threshold = cfg.Digest.Threshold
	}

	if pg {
		var pdb *postgres.DB
		pdb, err = openPostgres(context.Background(), o.Getenv)
		if err == nil {
			a.db = pdb
			a.connectionLost = postgres.ConnectionLost
			a.elector = pdb.NewElector(postgres.ElectorConfig{Holder: holderName(a.instance), ConfigHash: cfg.Hash,
				TTL: cfg.Store.LeaseTTL, Logger: o.Log, OnWake: a.poke})
		}
	} else {
		var sdb *store.DB
		sdb, err = store.Open(o.DB, store.Options{Logger: o.Log, KeepCheckedCopy: true, CheckAfterOpen: true, InitEmpty: o.InitDB})
		if err == nil {
			a.db = sdb
			a.ready.pageCheck = sdb.CheckState
			a.startCheck = sdb.StartCheck
			registerPageCheck(o.Registry, sdb.CheckState)
		}
	}
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			a.db.Close()
		}
	}()

	// Rituals and people made from the web or chat run with the file's.
	if cfg, err = withStore(context.Background(), cfg, a.db); err != nil {
		return nil, fmt.Errorf("the config file and the rituals and people kept in the store do not fit together (fix the file, or edit them in the store): %w", err)
	}
	a.cfg = cfg
	a.live.store(cfg)
	if a.elector != nil {
		a.elector.SetConfigHash(cfg.Hash) // replicas compare the file and the store's part
	}

	if a.web, err = a.setupSignIn(); err != nil {
		return nil, err
	}
	if a.web != nil {
		dashOpts.SignedIn = func(r *http.Request) bool { return webauth.PersonFrom(r.Context()) != "" }
	}

	obs := newPromObserver(o.Registry)
	a.health = newPlatformHealth(o.Clock, o.Registry)
	a.ready.platforms = a.health
	a.ready.store = a.db
	a.setupLeadership(o.Registry)
	lane, err := a.setupReleaseLane()
	if err != nil {
		return nil, err
	}
	// An import without its token would only ever say "unreachable".
	if err := oncall.CheckEnv(cfg.Rotations, o.Getenv); err != nil {
		return nil, err
	}
	a.reloader = newReloader(o.ConfigPath, cfg, o.Registry, o.Clock.Now())
	a.ready.config = a.reloader.lastFailure
	a.ops, err = ops.New(ops.Config{
		Roster: cfg.Roster, Rituals: cfg.Rituals, Store: a.db, Clock: o.Clock, Logger: o.Log,
		Platform: cfg.Bot.DefaultPlatform, Enqueued: a.poke,
		Approvers: cfg.Releases.Approvers, HighRiskApprovals: cfg.Releases.HighRiskApprovals,
		ChangePolicies: cfg.Releases.ChangePolicies, Webhooks: lane.webhooks, RegistryAlias: lane.alias,
		Rotations: cfg.Rotations,
	})
	if err != nil {
		return nil, err
	}
	if err := a.ops.CheckRotations(context.Background(), cfg.Rotations); err != nil {
		return nil, err
	}
	dashOpts.Sections = dashboard.OpsSections(a.ops, cfg.Roster, o.Clock)       // follow-ups, incidents, release lane
	o.Registry.MustRegister(newOpsCollector(a.ops, cfg.Roster, o.Clock, o.Log)) // MLOps figures at scrape time
	a.eng, err = cadence.New(cadence.EngineConfig{
		Rituals: cfg.Rituals, Roster: cfg.Roster, Store: a.db, Clock: o.Clock, Logger: o.Log,
		Metrics: obs, DefaultPlatform: cfg.Bot.DefaultPlatform, Enqueued: a.poke,
		Agenda:     a.ops,               // triage, deployment planning and quality review agendas from live state
		Excuse:     a.ops.StandupExcuse, // on call or handling an incident: excused from standups
		Substitute: a.ops.Substitute,    // facilitator turns of someone who handed over
		Handoff:    a.ops,               // hand-off rituals: the outgoing on-call's notes to the incoming one
	})
	if err != nil {
		return nil, err
	}
	o.Registry.MustRegister(newAdherenceCollector(a.eng, o.Clock, o.Log)) // adherence over 28 days, from the aggregates at scrape time
	a.svc = a.ops.Wrap(a.eng)
	a.editor = ops.NewConfigEditor(a.svc, a.db, a.buildLive, a.inFile, &a.reloader.mu)

	// The local chat always runs: it is the default platform and the
	// place to try things even when Slack or Teams is configured.
	a.local = local.NewChat()
	a.chats[a.local.Platform()] = a.local
	if err := a.setupSlack(); err != nil {
		return nil, err
	}
	if err := a.setupTeams(); err != nil {
		return nil, err
	}
	lane.chats(a.chats)
	if err := a.checkPlatforms(); err != nil {
		return nil, err
	}
	for _, w := range a.cfg.Warnings {
		a.log.Warn().Str("field", w.Field).Msg(w.Error())
	}
	a.compactor = newOutboxCompactor(a.db, o.Clock, o.Log, cfg.Bot.OutboxRetention)
	a.disp = cadence.NewDispatcher(a.db, o.Clock, a.chats, o.Log, obs, cadence.WithLeads(a.eng.LeadOf), cadence.WithDirectory(a.eng), cadence.WithRenderer(a.eng),
		cadence.WithInFlight(16),                // Slack's sends overlap their round trips (cadence/pipeline.go)
		cadence.WithEditInterval(3*time.Second), // a burst of answers is one summary edit (cadence/coalesce.go)
		cadence.WithPollInterval(cmp.Or(o.DispatchPoll, time.Second)))

	if a.auditKey, err = auditSigningKey(o.Getenv); err != nil {
		return nil, err
	}
	a.mux = http.NewServeMux()
	registerOps(a.mux, &a.ready, o.Registry)
	if a.digest, err = a.setupDigest(dashOpts.Sections); err != nil {
		return nil, err
	}
	dash := dashboard.New(a.svc, o.Clock, dashOpts)
	a.mux.Handle("/dashboard/", a.signedIn(a.readersOnly(http.StripPrefix("/dashboard", dash.Handler()))))
	// The API and the local chat sit behind a sign-in or the dashboard's
	// credential (read-only; required off loopback); backups behind an
	// admin's sign-in or their own token; health, metrics and the Slack
	// and Teams endpoints, which verify their own signatures, are open.
	api := http.NewServeMux()
	apiH := &apiHandlers{svc: a.svc, store: a.db, clock: o.Clock}
	if b, ok := a.db.(backupWriter); ok {
		apiH.backupTo = b.Backup
	}
	apiH.register(api)
	api.HandleFunc("GET /api/config/export", a.serveExport)
	// The identity headers prove to report and audit that an answer comes
	// from the bot holding their bbolt file; PostgreSQL has no holder.
	var apiID http.Handler = api
	if !pg {
		apiID = withIdentity(a.instance, o.DB, api)
	}
	a.mux.Handle("/api/", a.signedIn(a.readersOnly(dash.Protect(apiID))))
	a.mux.Handle("/api/backup", a.signedIn(a.guardBackup(dashOpts, apiID)))
	if a.web != nil {
		a.mux.Handle("/auth/", a.web.Handler())
	}
	lane.register(a.mux, a.ops)
	if a.teams != nil {
		a.mux.Handle(teams.MessagesPath, a.teams.Handler())
	}
	if a.slack != nil && a.slackMode() == slack.ModeHTTP {
		a.mux.Handle("/slack/", a.slack.HTTPHandler())
	}
	chatOpts := append(a.digestRooms(), local.WithChat(a.local), local.WithLink("Dashboard", "/dashboard/"), local.WithConfigForms(configForms{a}))
	a.mux.Handle("/", a.signedIn(dash.Protect(local.NewServer(a.svc, a.db, o.Clock, o.Log,
		append(chatOpts, a.chatAccess(dashOpts)...)...).Handler())))
	return a, nil
}

func (a *App) slackMode() slack.Mode {
	if a.slack == nil {
		return ""
	}
	return a.slackCfg().Mode
}

func (a *App) slackCfg() slack.Config {
	c, _ := slack.ConfigFromEnv(a.opts.Getenv)
	if a.opts.Getenv(slack.EnvAPIURL) == "" && a.cfg.Slack.APIURL != "" {
		c.APIURL = a.cfg.Slack.APIURL
	}
	return c
}

// setupSlack builds the Slack adapter when SLACK_* variables are set.
// Malformed tokens stop the bot with the variable named.
func (a *App) setupSlack() error {
	c, err := slack.ConfigFromEnv(a.opts.Getenv)
	if errors.Is(err, slack.ErrNotConfigured) {
		return nil
	}
	if err != nil {
		return err
	}
	if a.opts.Getenv(slack.EnvAPIURL) == "" && a.cfg.Slack.APIURL != "" {
		c.APIURL = a.cfg.Slack.APIURL
	}
	opts := append([]slack.Option{slack.WithHTTPClient(a.health.client(slack.Platform, 30*time.Second)), slack.WithConfigForms(configForms{a})}, a.opts.SlackOptions...)
	a.slack, err = slack.New(c, a.svc, a.db, a.opts.Clock, a.log, opts...)
	if err != nil {
		return err
	}
	a.chats[a.slack.Platform()] = a.slack
	if c.Mode == slack.ModeSocket {
		a.ready.slackEvents = a.slack.Connected
	}
	return nil
}

// setupTeams builds the Teams adapter when TEAMS_* variables are set.
func (a *App) setupTeams() error {
	c, err := teams.ConfigFromEnv(a.opts.Getenv)
	if errors.Is(err, teams.ErrNotConfigured) {
		return nil
	}
	if err != nil {
		return err
	}
	// The config file's endpoints apply unless the environment sets them
	// (ConfigFromEnv has filled in defaults by now, so ask getenv).
	if a.opts.Getenv(teams.EnvTokenURL) == "" && a.cfg.Teams.TokenURL != "" {
		c.TokenURL = a.cfg.Teams.TokenURL
	}
	if a.opts.Getenv(teams.EnvOpenIDMetadata) == "" && a.cfg.Teams.OpenIDMetadataURL != "" {
		c.OpenIDMetadataURL = a.cfg.Teams.OpenIDMetadataURL
	}
	if a.opts.Getenv(teams.EnvServiceURL) == "" && a.cfg.Teams.ServiceURL != "" {
		c.ServiceURL = a.cfg.Teams.ServiceURL
	}
	opts := append([]teams.Option{teams.WithHTTPClient(a.health.client(teams.Platform, 30*time.Second)), teams.WithConfigForms(configForms{a})}, a.opts.TeamsOptions...)
	a.teams, err = teams.New(c, a.svc, a.db, a.opts.Clock, a.log, opts...)
	if err != nil {
		return err
	}
	a.chats[a.teams.Platform()] = a.teams
	for _, n := range teamsChannelNotes(a.cfg) {
		a.log.Info().Str("platform", teams.Platform).Msg(n)
	}
	return nil
}

// checkPlatforms refuses to start when a ritual needs a platform whose
// credentials are missing, naming the ritual and the variables.
func (a *App) checkPlatforms() error {
	if err := platformErrors(a.cfg, a.chats); err != nil {
		return err
	}
	// Credentials without a ritual to use them are almost always a config
	// left on the local chat: say so instead of staying silent.
	used := map[string]bool{}
	for _, r := range a.cfg.Rituals {
		used[cmp.Or(r.Platform, a.cfg.Bot.DefaultPlatform)] = true
	}
	for _, p := range []string{"slack", "teams"} {
		if _, ok := a.chats[p]; ok && !used[p] {
			a.log.Warn().Str("platform", p).Msgf("%s credentials are set but no ritual runs on %s: set platform = %q in [bot] or on the rituals", p, p, p)
		}
	}
	return nil
}

// platformErrors names the rituals of cfg whose platform has no adapter
// (no credentials); a reload that adds one is refused the same way.
func platformErrors(cfg *config.Config, chats map[string]cadence.Chat) error {
	var errs []string
	for _, r := range cfg.Rituals {
		p := cmp.Or(r.Platform, cfg.Bot.DefaultPlatform)
		if _, ok := chats[p]; ok {
			continue
		}
		switch p {
		case "slack":
			errs = append(errs, fmt.Sprintf("ritual %q runs on slack but %s is not set (and %s for Socket Mode)", r.ID, slack.EnvBotToken, slack.EnvAppToken))
		case "teams":
			errs = append(errs, fmt.Sprintf("ritual %q runs on teams but %s, %s and %s are not set", r.ID, teams.EnvAppID, teams.EnvAppPassword, teams.EnvTenantID))
		default:
			errs = append(errs, fmt.Sprintf("ritual %q runs on unknown platform %q", r.ID, p))
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// poke wakes the dispatcher without blocking.
func (a *App) poke() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// Listen binds the HTTP address (":0" in tests) and returns the URL.
func (a *App) Listen() (string, error) {
	ln, err := net.Listen("tcp", a.opts.Listen)
	if err != nil {
		return "", fmt.Errorf("listen on %s: %w (is another cadencebot running? use --listen)", a.opts.Listen, err)
	}
	a.ln = ln
	host := ln.Addr().String()
	if strings.HasPrefix(a.opts.Listen, "0.0.0.0:") || strings.HasPrefix(a.opts.Listen, ":") {
		_, port, _ := net.SplitHostPort(host)
		host = net.JoinHostPort("127.0.0.1", port)
	}
	url := "http://" + host + "/"
	a.listenURL = url
	if a.pg {
		return url, nil // report and audit open PostgreSQL themselves
	}
	// Tell report and audit where the bot holding this database answers.
	abs, _ := filepath.Abs(a.opts.DB)
	if err := writeHolder(a.opts.DB, holder{URL: url, Instance: a.instance, Database: abs, PID: os.Getpid(), Started: time.Now().UTC()}); err != nil {
		a.log.Warn().Err(err).Msg("could not record the bot's address next to the database; report and audit will need --url while it runs")
	}
	return url, nil
}

// Run serves until ctx ends, then shuts down within 10 seconds.
func (a *App) Run(ctx context.Context) error {
	if a.ln == nil {
		if _, err := a.Listen(); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := newHTTPServer(recoverPanics(a.mux, a.log), a.hostAllowlist(), a.opts.Limits, a.log)
	errc := make(chan error, 4)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Serve(a.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http server: %w", err)
		}
	}()
	if a.slack != nil {
		// In the background: the scheduler, the queue and the pages never
		// wait for Slack, which may be unreachable for a while.
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.startSlack(ctx); err != nil {
				errc <- err
			}
		}()
	}
	// The elector outlives the leader's work: it gives the lease up
	// only once the scheduler and dispatcher have stopped.
	ectx, ecancel := context.WithCancel(context.WithoutCancel(ctx))
	defer ecancel()
	var ewg sync.WaitGroup
	if a.elector != nil {
		ewg.Go(func() { a.elector.Run(ectx) })
	}
	wg.Go(func() { cadence.Lead(ctx, a.lead, a.log, a.leaderChanged, a.leaderWork) })
	wg.Go(func() { a.probeLoop(ctx) })
	wg.Add(1)
	go func() { defer wg.Done(); a.watchConfig(ctx, a.opts.Reload) }()
	wg.Go(func() { a.watchDefinitions(ctx) })

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	cancel()
	a.ready.set(false)
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	_ = srv.Shutdown(sctx)
	wg.Wait()
	ecancel()
	ewg.Wait()
	return runErr
}

// leaderWork is what only the leader runs, for one term: the ticks, the
// dispatcher and the digest. ctx ends with the term.
func (a *App) leaderWork(ctx context.Context) {
	var wg sync.WaitGroup
	// The dispatcher starts once the first tick has run (or failed): that
	// tick opens the day's occurrences, and sending the first ones'
	// prompts beside it took its CPU and its writer lock, doubling the
	// start's time to ready under load. It sends them a tick later.
	tickedOnce := make(chan struct{})
	wg.Go(func() { a.tickLoop(ctx, tickedOnce) })
	wg.Go(func() {
		select {
		case <-tickedOnce:
		case <-ctx.Done():
			return
		}
		_ = a.disp.Run(ctx, a.wake)
	})
	// On-call imports from PagerDuty or Opsgenie ([rotations.import]);
	// it reads the rotations in force each round, so reloads apply.
	wg.Go(func() {
		p := &oncall.Poller{Ops: a.ops, Clock: a.opts.Clock, Getenv: a.opts.Getenv, Log: a.log,
			HTTP: &http.Client{Timeout: 30 * time.Second}}
		p.Run(ctx, 30*time.Second)
	})
	a.startDigest(ctx, &wg)
	wg.Wait()
}

// probeLoop watches the store's writes on every replica: followers store
// answers too. It looks as often as the shortest wait between small
// writes (writeprobe.go); a look at a store whose writes work reads one
// field under a lock.
func (a *App) probeLoop(ctx context.Context) {
	t := time.NewTicker(min(a.opts.TickEvery, writeProbeFirst))
	defer t.Stop()
	for {
		a.checkWrites(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// tickLoop drives the engine from the clock. The first tick catches up on
// anything missed while the bot was down; tickedOnce is closed after it,
// whether it failed or not.
func (a *App) tickLoop(ctx context.Context, tickedOnce chan<- struct{}) {
	t := time.NewTicker(a.opts.TickEvery)
	defer t.Stop()
	tick := a.tick
	if tick == nil {
		tick = a.tickOnce
	}
	for {
		err := tick(ctx)
		if err != nil && ctx.Err() == nil {
			a.log.Error().Err(err).Msg("tick failed; retrying on the next one")
		} else if err == nil {
			a.ready.set(true)
			if a.afterReady.due(a.opts.Clock.Now()) {
				if a.startCheck != nil {
					a.startCheck()
				}
				a.compactor.tick(ctx)
			}
		}
		if tickedOnce != nil {
			close(tickedOnce)
			tickedOnce = nil
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// tickOnce is one tick: the engine's schedule, then follow-up reminders.
func (a *App) tickOnce(ctx context.Context) error {
	if err := a.eng.Tick(ctx); err != nil {
		return err
	}
	return a.ops.Tick(ctx)
}

// Close releases the store. Call after Run returns.
func (a *App) Close() error {
	if !a.pg {
		removeHolder(a.opts.DB, a.instance)
	}
	return a.db.Close()
}
