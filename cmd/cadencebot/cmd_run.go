package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	fs := newFlags("run", stderr)
	cfgPath := fs.String("config", "", "config file (default: the embedded config.example.toml)")
	db := fs.String("db", "", "database file (overrides [bot] database)")
	listen := fs.String("listen", "", "HTTP listen address (overrides [bot] listen)")
	initDB := fs.Bool("init", false, "make a new, empty database in a database file of 0 bytes (refused without it)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	log, err := newLogger(stderr, cfg.Bot.LogLevel, cfg.Bot.LogFormat)
	if err != nil {
		return err
	}
	app, err := newApp(cfg, appOptions{Listen: *listen, DB: *db, InitDB: *initDB, Getenv: getenv, Log: log,
		ConfigPath: *cfgPath, Reload: hangups(ctx)})
	if err != nil {
		return err
	}
	defer app.Close()
	url, err := app.Listen()
	if err != nil {
		return err
	}
	platforms := make([]string, 0, len(app.chats))
	for p := range app.chats {
		platforms = append(platforms, p)
	}
	log.Info().Str("url", url).Strs("platforms", platforms).Str("db", app.storeName()).
		Int("rituals", len(cfg.Rituals)).Int("people", len(cfg.People)).Msg("cadencebot is running")
	fmt.Fprintf(stdout, "cadencebot is running: open %s (local chat), %sdashboard/ (reports). Ctrl-C stops it.\n", url, url)
	return app.Run(ctx)
}

// hangups delivers SIGHUP, the conventional "reload your config", until
// ctx ends. Without it SIGHUP would stop the bot.
func hangups(ctx context.Context) <-chan struct{} {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	out := make(chan struct{}, 1)
	go func() {
		defer signal.Stop(sig)
		for {
			select {
			case <-ctx.Done():
				return
			case <-sig:
				select {
				case out <- struct{}{}:
				default: // a reload is already pending
				}
			}
		}
	}()
	return out
}
