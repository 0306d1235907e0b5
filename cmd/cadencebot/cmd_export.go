package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/dashboard"
	"github.com/cadencebot/cadencebot/store"
)

// cmdConfigExport writes the live configuration, the file and the rituals
// and people managed in the store, as one TOML file that `config check`
// (and `run`) read back to the same rituals and people.
func cmdConfigExport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	fs := newFlags("config export", stderr)
	cfgPath := fs.String("config", "", "config file (default: the embedded config.example.toml)")
	db := fs.String("db", "", "database file (overrides [bot] database)")
	out := fs.String("out", "", "write to this file instead of standard output")
	apiURL := fs.String("url", "", "running bot to ask when the database is locked (default: the address the bot holding it recorded)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	text, err := exportLive(ctx, cfg, *db, *apiURL, getenv)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = stdout.Write(text)
		return err
	}
	if err := os.WriteFile(*out, text, 0o600); err != nil {
		return fmt.Errorf("config export: %w", err)
	}
	fmt.Fprintf(stderr, "wrote %s; check it with: cadencebot config check --config %s\n", *out, *out)
	return nil
}

func exportLive(ctx context.Context, cfg *config.Config, db, apiURL string, getenv env) ([]byte, error) {
	var s interface {
		cadence.Store
		Close() error
	}
	if usesPostgres(cfg, db) {
		pg, err := openPostgres(ctx, getenv)
		if err != nil {
			return nil, err
		}
		s = pg
	} else {
		path := cmp.Or(db, cfg.Bot.Database)
		bs, err := openExisting(path, store.Options{Timeout: 500 * time.Millisecond})
		switch {
		case errors.Is(err, store.ErrLocked):
			// A running bot holds the file: it exports what it runs.
			resp, err := holderQuery(ctx, path, apiURL, "http://"+localAddr(cfg.Bot.Listen), dashboard.OptionsFromEnv(getenv), "/api/config/export")
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			return io.ReadAll(io.LimitReader(resp.Body, config.MaxFileSize+1))
		case err != nil:
			return nil, err
		}
		s = bs
	}
	defer s.Close()
	live, err := withStore(ctx, cfg, s)
	if err != nil {
		return nil, err
	}
	return config.Export(live)
}

// serveExport answers GET /api/config/export with the configuration in
// force, for `config export` while the bot holds its database.
func (a *App) serveExport(w http.ResponseWriter, r *http.Request) {
	text, err := config.Export(a.live.load())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/toml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(text)
}
