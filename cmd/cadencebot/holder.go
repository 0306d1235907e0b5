package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/dashboard"
)

// A running bot holds its database's file lock, so report and audit ask it
// over HTTP instead. They must reach the bot that holds THAT file, never
// whichever bot answers on the default port: the bot writes a holder file
// next to the database with its address and an id for this run, every API
// answer carries the id and the database path, and the CLI checks both.

const (
	// holderSuffix names the holder file: year.db -> year.db.api.json.
	holderSuffix = ".api.json"
	// Headers on every /api/ answer.
	headerInstance = "Cadencebot-Instance"
	headerDatabase = "Cadencebot-Database"
)

// holder is the content of the holder file.
type holder struct {
	URL      string    `json:"url"`      // where the API answers, e.g. http://127.0.0.1:9090/
	Instance string    `json:"instance"` // random per run; the API answers with it
	Database string    `json:"database"` // absolute path of the database
	PID      int       `json:"pid"`
	Started  time.Time `json:"started"`
}

func holderPath(db string) string { return db + holderSuffix }

func newInstanceID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	return hex.EncodeToString(b)
}

// writeHolder records h next to the database, atomically (a reader never
// sees half a file).
func writeHolder(db string, h holder) error {
	b, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return err
	}
	tmp := holderPath(db) + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, holderPath(db))
}

// removeHolder deletes the holder file if it is still this run's.
func removeHolder(db, instance string) {
	h, err := readHolder(db)
	if err == nil && h.Instance == instance {
		_ = os.Remove(holderPath(db))
	}
}

// readHolder reads the holder file of db; fs.ErrNotExist when there is none.
func readHolder(db string) (holder, error) {
	var h holder
	b, err := os.ReadFile(holderPath(db))
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("%s: %w", holderPath(db), err)
	}
	return h, nil
}

// withIdentity stamps every answer with the run's instance id and the
// database it serves, so a client can tell which database the figures
// come from.
func withIdentity(instance, db string, next http.Handler) http.Handler {
	abs, err := filepath.Abs(db)
	if err != nil {
		abs = db
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(headerInstance, instance)
		w.Header().Set(headerDatabase, abs)
		next.ServeHTTP(w, r)
	})
}

// holderQuery asks the bot that holds the locked database dbPath for
// path?query (under /api/) and returns its answer only once the answer
// proves it comes from that database. urlFlag is --url; fallback is the
// config's listen address, tried when no holder file names the bot.
// Statuses other than 200 are errors unless listed in alsoOK.
func holderQuery(ctx context.Context, dbPath, urlFlag, fallback string, creds dashboard.Options, pathQuery string, alsoOK ...int) (*http.Response, error) {
	h, herr := readHolder(dbPath)
	switch {
	case herr == nil:
	case errors.Is(herr, fs.ErrNotExist):
	default:
		return nil, fmt.Errorf("database %s is locked by another process, and its holder file is unreadable: %w", dbPath, herr)
	}
	base := urlFlag
	switch {
	case base != "":
	case h.URL != "":
		base = h.URL
	default:
		base = fallback
	}
	base = strings.TrimSuffix(base, "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+pathQuery, nil)
	if err != nil {
		return nil, err
	}
	switch {
	case creds.Token != "":
		req.Header.Set("Authorization", "Bearer "+creds.Token)
	case creds.BasicUser != "" && creds.BasicPass != "":
		req.SetBasicAuth(creds.BasicUser, creds.BasicPass)
	}
	lockedBy := fmt.Sprintf("database %s is locked by another process (a running cadencebot, or a simulate or backup still writing it)", dbPath)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if herr != nil && urlFlag == "" {
			return nil, fmt.Errorf("%s; no bot recorded its address in %s and nothing answers at %s: wait for that process to finish, or pass --url of the bot that holds the file", lockedBy, holderPath(dbPath), base)
		}
		return nil, fmt.Errorf("%s, and the bot's API at %s did not answer: %w", lockedBy, base, err)
	}
	fail := func(msg string, args ...any) (*http.Response, error) {
		resp.Body.Close()
		return nil, fmt.Errorf("%s; %s: refusing to print another database's figures", lockedBy, fmt.Sprintf(msg, args...))
	}
	served := resp.Header.Get(headerDatabase)
	if resp.StatusCode != http.StatusOK && (served == "" || !slices.Contains(alsoOK, resp.StatusCode)) {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		return nil, fmt.Errorf("%s: %s: %s", base, resp.Status, strconv.Quote(strings.TrimSpace(string(b))))
	}
	if served == "" {
		return fail("the server at %s does not say which database it serves (not a cadencebot, or an older one)", base)
	}
	if herr == nil && resp.Header.Get(headerInstance) != h.Instance {
		return fail("the bot at %s is not the one that holds it (%s names run %s at %s; it answered as %s, serving %s)",
			base, holderPath(dbPath), short(h.Instance), h.URL, short(resp.Header.Get(headerInstance)), served)
	}
	if !sameFile(served, dbPath) {
		return fail("the bot at %s serves %s, not %s", base, served, dbPath)
	}
	return resp, nil
}

// sameFile says whether two paths name the same file on this machine.
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
