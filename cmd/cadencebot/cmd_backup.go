package main

import (
	"context"
	"fmt"
	"io"
)

// cmdBackup writes a consistent copy of the database. bbolt allows one
// process at a time, so this works on a stopped bot; for a running bot use
// GET /api/backup, which streams tx.WriteTo from inside the daemon.
func cmdBackup(_ context.Context, args []string, stdout, stderr io.Writer, _ env) error {
	fs := newFlags("backup", stderr)
	cfgPath := fs.String("config", "", "config file (for [bot] database)")
	db := fs.String("db", "", "database file")
	out := fs.String("out", "", "where to write the backup (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError("backup: --out is required")
	}
	s, path, err := openStore(*cfgPath, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := s.BackupFile(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%d bytes)\n", path, *out, n)
	return nil
}
