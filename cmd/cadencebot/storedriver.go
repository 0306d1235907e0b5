package main

import (
	"fmt"

	"github.com/cadencebot/cadencebot/config"
)

// errPostgresNotWired refuses [store] driver = "postgres" where the bot
// would otherwise open the bbolt file behind the operator's back: the
// PostgreSQL store passes the store contract, but the bot's own jobs
// (outbox compaction, backup, the write probe, the one-shot commands)
// are not wired to it yet.
func errPostgresNotWired(what string) error {
	return fmt.Errorf("[store] driver = %q: %s does not run on PostgreSQL yet (the store is built and tested, the bot is not wired to it); use driver = %q, or pass --db FILE to read a bbolt file",
		config.DriverPostgres, what, config.DriverBBolt)
}

// configDatabase is the bbolt file the config names, for commands given
// no --db.
func configDatabase(cfg *config.Config, what string) (string, error) {
	if cfg.Store.Driver == config.DriverPostgres {
		return "", errPostgresNotWired(what)
	}
	return cfg.Bot.Database, nil
}

// storeLine says which store the config selects, for `config check`.
// For PostgreSQL it names the host from the environment, never the URL.
func storeLine(cfg *config.Config, getenv env) (string, error) {
	if cfg.Store.Driver != config.DriverPostgres {
		return fmt.Sprintf("store: bbolt, file %s", cfg.Bot.Database), nil
	}
	host, err := config.DatabaseURLHost(getenv)
	if err != nil {
		return "store: postgres, " + config.EnvDatabaseURL + " not usable", err
	}
	return fmt.Sprintf("store: postgres at %s (from %s)", host, config.EnvDatabaseURL), nil
}
