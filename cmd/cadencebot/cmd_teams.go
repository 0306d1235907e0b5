package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/cadencebot/cadencebot/bot/teams"
)

// cmdTeamsPackage builds the zip to upload in Teams. The app id comes from
// TEAMS_APP_ID (or --app-id): it is not a secret.
func cmdTeamsPackage(_ context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	fs := newFlags("teams-package", stderr)
	out := fs.String("out", "cadencebot-teams.zip", "zip file to write")
	appID := fs.String("app-id", "", "Microsoft App ID of the Azure Bot (default: $TEAMS_APP_ID)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id := *appID
	if id == "" {
		id = getenv(teams.EnvAppID)
	}
	if id == "" {
		return usageError("teams-package: set TEAMS_APP_ID or pass --app-id (the Azure Bot's Microsoft App ID)")
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := teams.BuildAppPackage(f, id); err != nil {
		f.Close()
		os.Remove(*out)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: upload it in Teams (Apps → Manage your apps → Upload an app)\n", *out)
	return nil
}
