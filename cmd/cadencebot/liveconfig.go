package main

import (
	"context"
	"errors"
	"path/filepath"
	"sync"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
	"github.com/cadencebot/cadencebot/config"
)

// The live configuration is the file and the rituals and people managed
// in the store (made from the web admin page or chat forms), checked
// together by the file's rules. a.live holds the one in force; the
// reloader keeps the text of the last good file, which edits are checked
// with (a file being typed into, or a bad one, does not block them).

// storeDefinitions reads the definitions kept in the store.
func storeDefinitions(ctx context.Context, s cadence.Store) ([]*cadence.Definition, error) {
	var defs []*cadence.Definition
	err := s.View(ctx, func(tx cadence.Tx) error {
		var err error
		defs, err = tx.Definitions()
		return err
	})
	return defs, err
}

// withStore returns cfg joined with the store's rituals and people.
func withStore(ctx context.Context, cfg *config.Config, s cadence.Store) (*config.Config, error) {
	defs, err := storeDefinitions(ctx, s)
	if err != nil {
		return nil, err
	}
	return config.LiveFrom(cfg, defs)
}

// liveState is the configuration in force and the file text it came from.
type liveState struct {
	mu  sync.RWMutex
	cfg *config.Config
}

func (l *liveState) load() *config.Config {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cfg
}

func (l *liveState) store(cfg *config.Config) {
	l.mu.Lock()
	l.cfg = cfg
	l.mu.Unlock()
}

// reloadInput is what ops.Service.Reload needs of cfg; once in force, the
// rotations and the live view follow.
func (a *App) reloadInput(cfg *config.Config) ops.ReloadInput {
	return ops.ReloadInput{
		Rituals: cfg.Rituals, Roster: cfg.Roster, Approvers: cfg.Releases.Approvers, Source: filepath.Base(cfg.Path),
		Apply: func() {
			a.ops.SetRotations(cfg.Rotations) // checked against the new roster by config
			if a.elector != nil {
				a.elector.SetConfigHash(cfg.Hash)
			}
			a.live.store(cfg)
		},
	}
}

// buildLive is the editor's ops.ConfigBuild: the last good file with
// defs, errors by field of the definition being edited.
func (a *App) buildLive(defs []*cadence.Definition, focus string) (ops.ReloadInput, error) {
	cur := a.live.load()
	cfg, err := config.Live(cur.Path, cur.Source, defs)
	if err != nil {
		var ces config.Errors
		if errors.As(err, &ces) {
			return ops.ReloadInput{}, ces.FieldErrors(focus)
		}
		return ops.ReloadInput{}, err
	}
	if err := platformErrors(cfg, a.chats); err != nil {
		return ops.ReloadInput{}, cadence.FieldErrors{"platform": err.Error()}
	}
	return a.reloadInput(cfg), nil
}

// inFile reports whether the running configuration has kind:id from the
// file, not the store.
func (a *App) inFile(kind cadence.DefinitionKind, id string) bool {
	cfg := a.live.load()
	if cfg.Managed[string(kind)+":"+id] != nil {
		return false
	}
	if kind == cadence.DefPerson {
		return cfg.Roster.Person(id) != nil
	}
	return cfg.Ritual(id) != nil
}
