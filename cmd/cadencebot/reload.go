package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/config"
)

// reloadDebounce lets an editor finish writing (truncate, write, rename,
// chmod arrive as several events) before the file is read once.
const reloadDebounce = 300 * time.Millisecond

// liveSections are the config fields a reload applies; every other field
// (listen address, database, platforms, sign-in, digest, and any section
// added later until it is wired in here) needs a restart.
// Bot.Timezone is resolved into people and rituals as the file is read,
// so it applies with them.
var liveSections = map[string]bool{"People": true, "Rituals": true, "Roster": true, "Releases.Approvers": true,
	"Bot.Timezone": true, "Path": true, "Warnings": true, "Rotations": true, "Hash": true, "Source": true, "Managed": true}

// reloader reloads the config file on SIGHUP and when it changes, and
// reports the outcome the way Alertmanager does.
type reloader struct {
	path    string
	startup *config.Config // what the restart-only settings were started with
	mu      sync.Mutex     // one reload at a time
	ok      prometheus.Gauge
	okAt    prometheus.Gauge
	// sum is the content last read: directory events that leave the file
	// as it was (another file, a Kubernetes ConfigMap's symlink dance
	// ending where it began) reload nothing.
	sum [sha256.Size]byte
	// failure is the last reload's error, nil after a success (readiness).
	failMu  sync.Mutex
	failure error
	failAt  time.Time
}

func newReloader(path string, cfg *config.Config, reg prometheus.Registerer, now time.Time) *reloader {
	r := &reloader{
		path: path, startup: cfg,
		ok: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "cadencebot", Name: "config_last_reload_successful",
			Help: "Whether the last configuration reload attempt was successful (1) or not (0)."}),
		okAt: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "cadencebot", Name: "config_last_reload_success_timestamp_seconds",
			Help: "Timestamp of the last successful configuration reload (or of the start)."}),
	}
	reg.MustRegister(r.ok, r.okAt)
	if data, err := os.ReadFile(path); err == nil && path != "" {
		r.sum = sha256.Sum256(data)
	}
	r.ok.Set(1)
	r.okAt.Set(float64(now.Unix()))
	return r
}

// lastFailure is the error of the last reload if it failed, and when.
func (r *reloader) lastFailure() (time.Time, error) {
	r.failMu.Lock()
	defer r.failMu.Unlock()
	return r.failAt, r.failure
}

func (r *reloader) record(err error, now time.Time) {
	r.failMu.Lock()
	r.failure, r.failAt = err, now
	r.failMu.Unlock()
	if err != nil {
		r.ok.Set(0)
		return
	}
	r.ok.Set(1)
	r.okAt.Set(float64(now.Unix()))
}

// reloadOnChange is the trigger of the watcher; SIGHUP always reloads.
const reloadOnChange = "file changed"

// reload reads the file and applies what can change live. A bad file
// changes nothing: the running config stays, and the errors are logged
// one by one with file and line.
func (a *App) reload(ctx context.Context, why string) error {
	r := a.reloader
	r.mu.Lock()
	defer r.mu.Unlock()
	now := a.opts.Clock.Now()
	log := a.log.With().Str("config", r.path).Str("trigger", why).Logger()
	if r.path == "" {
		log.Warn().Msg("no config file to reload: the bot runs the embedded example config (start it with --config)")
		return nil
	}
	if data, err := os.ReadFile(r.path); err == nil {
		sum := sha256.Sum256(data)
		if why == reloadOnChange && sum == r.sum {
			return nil
		}
		r.sum = sum
	}
	err := a.applyConfig(ctx, log)
	r.record(err, now)
	if err != nil {
		var ces config.Errors
		if errors.As(err, &ces) {
			for _, e := range ces {
				log.Error().Str("field", e.Field).Msg(e.Error())
			}
		}
		log.Error().Err(err).Msg("config reload failed; the running configuration stays in force")
	}
	return err
}

func (a *App) applyConfig(ctx context.Context, log zerolog.Logger) error {
	r := a.reloader
	cfg, err := config.Load(r.path)
	if err != nil {
		return err
	}
	// The store's rituals and people run with the file's.
	if cfg, err = withStore(ctx, cfg, a.db); err != nil {
		return err
	}
	if err := platformErrors(cfg, a.chats); err != nil {
		return err
	}
	for _, w := range cfg.Warnings {
		log.Warn().Str("field", w.Field).Msg(w.Error())
	}
	if fields := restartOnly(r.startup, cfg); len(fields) > 0 {
		log.Warn().Strs("fields", fields).Msg("these settings changed and need a restart to take effect; the rest is applied now")
	}
	// Before anything is applied: the new overrides must not overlap
	// swaps stored in chat.
	if err := a.ops.CheckRotations(ctx, cfg.Rotations); err != nil {
		return err
	}
	change, handed, err := a.svc.Reload(ctx, a.reloadInput(cfg))
	if err != nil && change.Empty() {
		return err
	}
	ev := log.Info()
	for k, v := range change.Details() {
		ev = ev.Str(k, v)
	}
	for _, h := range handed {
		log.Info().Str("followup", h.FollowUp).Str("from", h.From).Str("to", h.To).Msg("follow-up handed to the ritual's lead: its owner left the roster")
	}
	if change.Empty() {
		ev.Msg("config reloaded: no ritual or person changed")
	} else {
		ev.Msg("config reloaded")
	}
	return err // non-nil only when the change applied but could not be recorded
}

// restartOnly names the settings that differ between the running and the
// new config and cannot change live ("bot.listen", "slack.api_url"...).
func restartOnly(old, new *config.Config) []string {
	return diffFields("", reflect.ValueOf(*old), reflect.ValueOf(*new))
}

func diffFields(prefix string, a, b reflect.Value) []string {
	var out []string
	for i := range a.NumField() {
		f := a.Type().Field(i)
		name := prefix + f.Name
		if !f.IsExported() || liveSections[name] {
			continue
		}
		fa, fb := a.Field(i), b.Field(i)
		if fa.Kind() == reflect.Struct && fa.Type() != reflect.TypeFor[time.Time]() {
			out = append(out, diffFields(name+".", fa, fb)...)
			continue
		}
		if !sameSetting(fa.Interface(), fb.Interface()) {
			out = append(out, strings.ToLower(name))
		}
	}
	return out
}

func sameSetting(a, b any) bool {
	if x, ok := a.(*time.Location); ok {
		y := b.(*time.Location)
		return (x == nil) == (y == nil) && (x == nil || x.String() == y.String())
	}
	return reflect.DeepEqual(a, b)
}

// watchConfig reloads on SIGHUP (hup) and when the file changes. It
// watches the directory, not the file: editors and config management
// replace a file by renaming a new one over it, which a watch on the old
// file never sees.
func (a *App) watchConfig(ctx context.Context, hup <-chan struct{}) {
	var w *fsnotify.Watcher
	var err error
	if a.reloader.path != "" {
		w, err = fsnotify.NewWatcher()
	}
	if err != nil {
		a.log.Warn().Err(err).Msg("cannot watch the config file; reload it with SIGHUP")
	} else if w != nil {
		defer w.Close()
		if err := w.Add(filepath.Dir(a.reloader.path)); err != nil {
			a.log.Warn().Err(err).Msg("cannot watch the config file's directory; reload it with SIGHUP")
			w = nil
		}
	}
	var events <-chan fsnotify.Event
	var werrs <-chan error
	if w != nil {
		events, werrs = w.Events, w.Errors
	}
	debounce := time.NewTimer(time.Hour)
	debounce.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			_ = a.reload(ctx, "SIGHUP")
		case ev := <-events:
			if ev.Op == fsnotify.Chmod {
				continue
			}
			debounce.Reset(reloadDebounce)
		case <-debounce.C:
			_ = a.reload(ctx, reloadOnChange)
		case err := <-werrs:
			a.log.Warn().Err(err).Msg("config file watch")
		}
	}
}
