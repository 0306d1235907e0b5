package main

import (
	"context"
	"time"

	"github.com/cadencebot/cadencebot/config"
)

// On PostgreSQL several replicas run one configuration: a ritual or person
// saved through one (web, Slack, Teams) notifies the others on commit
// (postgres.DefinitionsChannel), and each reloads what it runs from the
// store at once, debounced, instead of at its next file reload.

// definitionWatcher is the store that tells of changes to its rituals
// and people (PostgreSQL; bbolt is one process, which already reloads).
type definitionWatcher interface {
	WatchDefinitions(ctx context.Context, changed func(), down func(error))
}

// storeReloadDebounce gathers a burst of saves (an import, two leads at
// once) into one reload.
const storeReloadDebounce = 50 * time.Millisecond

// watchDefinitions reloads the store's rituals and people whenever
// another replica (or this one) changes them, until ctx ends.
func (a *App) watchDefinitions(ctx context.Context) {
	w, ok := a.db.(definitionWatcher)
	if !ok {
		return
	}
	kick := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.WatchDefinitions(ctx, func() {
			select {
			case kick <- struct{}{}:
			default:
			}
		}, func(err error) {
			if err != nil {
				a.log.Warn().Err(err).Msg("listening for ritual and person changes from other replicas failed; retrying (edits made elsewhere apply at the next reload until then)")
			}
		})
	}()
	defer func() { <-done }()
	debounce := time.NewTimer(time.Hour)
	debounce.Stop()
	for {
		select {
		case <-ctx.Done():
			debounce.Stop()
			return
		case <-kick:
			debounce.Reset(storeReloadDebounce)
		case <-debounce.C:
			_ = a.reloadDefinitions(ctx)
		}
	}
}

// reloadDefinitions runs the last good file with the store's rituals and
// people as they are now: what another replica saved. It takes the lock
// of file reloads and edits, so it runs before or after them.
func (a *App) reloadDefinitions(ctx context.Context) error {
	a.reloader.mu.Lock()
	defer a.reloader.mu.Unlock()
	log := a.log.With().Str("trigger", "store changed").Logger()
	cur := a.live.load()
	defs, err := storeDefinitions(ctx, a.db)
	if err != nil {
		log.Error().Err(err).Msg("reading the rituals and people saved by another replica failed; they apply at the next change or reload")
		return err
	}
	cfg, err := config.Live(cur.Path, cur.Source, defs)
	if err == nil {
		err = platformErrors(cfg, a.chats)
	}
	if err != nil {
		// Each save was checked by the replica that made it; this one
		// differs (another file, other platforms). Keep what runs.
		log.Error().Err(err).Msg("the rituals and people saved by another replica do not fit this replica's configuration; the running configuration stays in force")
		return err
	}
	in := a.reloadInput(cfg)
	in.Source = "store"
	change, handed, err := a.svc.Reload(ctx, in)
	if err != nil && change.Empty() {
		log.Error().Err(err).Msg("applying the rituals and people saved by another replica failed")
		return err
	}
	for _, h := range handed {
		log.Info().Str("followup", h.FollowUp).Str("from", h.From).Str("to", h.To).Msg("follow-up handed to the ritual's lead: its owner left the roster")
	}
	if !change.Empty() {
		ev := log.Info()
		for k, v := range change.Details() {
			ev = ev.Str(k, v)
		}
		ev.Msg("rituals and people reloaded from the store")
	}
	return err
}
