package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/store"
)

// newFlags returns a FlagSet that reports errors instead of exiting, so
// run() can be embedded in tests.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("cadencebot "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args and refuses stray positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Sprintf("%s: unexpected argument %q (flags go before nothing else; see --help)", fs.Name(), fs.Arg(0)))
	}
	return nil
}

// loadConfig reads the config file, or the embedded example when path is
// empty, so the bot runs on a fresh machine with no files at all.
func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		return config.Default()
	}
	return config.Load(path)
}

// openStore opens the database named by --db, or else by the config's
// [bot] database, for the one-shot commands (backup, audit).
func openStore(cfgPath, db string) (*store.DB, string, error) {
	path := db
	if path == "" {
		cfg, err := loadConfig(cfgPath)
		if err != nil {
			return nil, "", err
		}
		if path, err = configDatabase(cfg); err != nil {
			return nil, "", err
		}
	}
	s, err := openExisting(path, store.Options{})
	return s, path, err
}

// openExisting opens a database that must already exist, read-only: the
// reading commands (report, audit, backup) then work on a read-only file
// system and can never create, migrate or change the file.
func openExisting(path string, opts store.Options) (*store.DB, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("database %s does not exist: pass --db, or run `cadencebot run` (or `simulate --db`) first", path)
	}
	return store.OpenReadOnly(path, opts)
}

// newLogger builds the zerolog logger the config asks for.
func newLogger(w io.Writer, level, format string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(strings.ToLower(level))
	if err != nil || level == "" {
		lvl = zerolog.InfoLevel
	}
	if format == "json" {
		return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
	}
	noColor := true
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			noColor = false
		}
	}
	cw := zerolog.ConsoleWriter{Out: w, NoColor: noColor, TimeFormat: "15:04:05"}
	return zerolog.New(cw).Level(lvl).With().Timestamp().Logger(), nil
}
