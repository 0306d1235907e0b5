// Command cadencebot runs the weekly operating cadence of an MLOps team in
// chat: it schedules rituals, asks participants their questions, collects
// answers, reminds, summarises and reports adherence.
//
// Subcommands: run, simulate, report, config check, config export, digest, reindex, backup, audit, migrate,
// teams-package, healthcheck, version. `cadencebot help` lists them.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Set by the linker: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// env reads the process environment; injected so tests run the CLI without
// touching the real one.
type env func(string) string

// run is the whole CLI, embeddable in tests. It returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "run":
		err = cmdRun(ctx, rest, stdout, stderr, getenv)
	case "simulate":
		err = cmdSimulate(ctx, rest, stdout, stderr, getenv)
	case "report":
		err = cmdReport(ctx, rest, stdout, stderr, getenv)
	case "config":
		switch {
		case len(rest) > 0 && rest[0] == "check":
			cmd = "config check"
			err = cmdConfigCheck(ctx, rest[1:], stdout, stderr, getenv)
		case len(rest) > 0 && rest[0] == "export":
			cmd = "config export"
			err = cmdConfigExport(ctx, rest[1:], stdout, stderr, getenv)
		default:
			err = usageError("usage: cadencebot config check|export [--config F]")
		}
	case "digest":
		err = cmdDigest(ctx, rest, stdout, stderr, getenv)
	case "reindex":
		err = cmdReindex(ctx, rest, stdout, stderr, getenv)
	case "backup":
		err = cmdBackup(ctx, rest, stdout, stderr, getenv)
	case "audit":
		err = cmdAudit(ctx, rest, stdout, stderr, getenv)
	case "migrate":
		err = cmdMigrate(ctx, rest, stdout, stderr, getenv)
	case "teams-package":
		err = cmdTeamsPackage(ctx, rest, stdout, stderr, getenv)
	case "healthcheck":
		err = cmdHealthcheck(ctx, rest, stdout, stderr, getenv)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "cadencebot", version)
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "cadencebot: unknown command %q\n\n", cmd)
		usage(stderr)
		return 2
	}
	if err != nil {
		if ue, ok := err.(usageError); ok {
			fmt.Fprintln(stderr, string(ue))
			return 2
		}
		fmt.Fprintf(stderr, "cadencebot %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

type usageError string

func (u usageError) Error() string { return string(u) }

func usage(w io.Writer) {
	fmt.Fprint(w, `cadencebot runs your team's rituals (triage, deployment planning, quality
review, standups) in chat and reports cadence adherence.

Usage:
  cadencebot run       [--config F] [--db F] [--listen ADDR]   the bot (local web chat, Slack or Teams)
  cadencebot simulate  [--config F] [--weeks N] [--seed S] [--answer-rate R] [--until DATE] [--db F] [--format text|json]
  cadencebot report    [--config F] [--db F] [--since DATE | --weeks N] [--ritual ID] [--person ID] [--format text|md|csv|json]
  cadencebot config check [--config F]                        validate config, print next fire times
  cadencebot config export [--config F] [--db F] [--out F]     the live config (file + rituals and people made from chat and the web) as TOML
  cadencebot digest --preview [--config F] [--db F | --simulate] [--at DATE] [--png F]   the managers' digest as it would be sent
  cadencebot reindex   [--config F] [--db F]                  rebuild the report aggregates from the facts
  cadencebot backup    --out F [--config F] [--db F]           hot backup of the database
  cadencebot audit     [--config F] [--db F] [--since DATE] [--verify [--expect HEAD] [--key PUB]]
  cadencebot audit head | public-key | new-key               the full head hash; the checkpoint key
  cadencebot migrate   --from bbolt:FILE --to postgres         copy everything to PostgreSQL (or back: --from postgres --to bbolt:FILE)
  cadencebot teams-package --out F                            build the Teams app package (zip)
  cadencebot healthcheck [--url URL]                          probe a running bot (Docker HEALTHCHECK)
  cadencebot version

Without --config the embedded example config (config.example.toml) is used.
Secrets come from the environment only: SLACK_BOT_TOKEN, SLACK_APP_TOKEN,
SLACK_SIGNING_SECRET, TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID,
CADENCEBOT_DASHBOARD_TOKEN (or CADENCEBOT_DASHBOARD_USER and _PASSWORD; read-only),
CADENCEBOT_BACKUP_TOKEN (GET /api/backup only), CADENCEBOT_OIDC_CLIENT_SECRET ([auth] sign-in),
CADENCEBOT_DATABASE_URL ([store] driver = "postgres", and migrate).
`)
}
