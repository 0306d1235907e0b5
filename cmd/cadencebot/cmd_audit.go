package main

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/dashboard"
	"github.com/cadencebot/cadencebot/store"
)

func cmdAudit(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	if len(args) > 0 {
		switch args[0] {
		case "head":
			return cmdAuditHead(ctx, args[1:], stdout, stderr, getenv)
		case "public-key":
			return cmdAuditPublicKey(stdout, getenv)
		case "new-key":
			return cmdAuditNewKey(stdout, stderr)
		}
	}
	fs := newFlags("audit", stderr)
	cfgPath := fs.String("config", "", "config file (for [bot] database and listen)")
	db := fs.String("db", "", "database file (overrides [bot] database)")
	since := fs.String("since", "", "only entries at or after this day, YYYY-MM-DD")
	verify := fs.Bool("verify", false, "check the hash chain; exit 1 when it is broken")
	expect := fs.String("expect", "", "with --verify: a head printed earlier by `audit head`; exit 1 unless the log still holds it")
	pubKey := fs.String("key", "", "with --verify: the audit public key (base64, `audit public-key`); exit 1 unless every signed checkpoint in the log verifies")
	format := fs.String("format", "text", "text or json")
	apiURL := fs.String("url", "", "running bot to ask when the database is locked (default: the address the bot holding it recorded in DB.api.json)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return usageError(fmt.Sprintf("audit: --format: want text or json, got %q", *format))
	}
	if (*expect != "" || *pubKey != "") && !*verify {
		return usageError("audit: --expect and --key check the log: add --verify")
	}
	if (*expect != "" || *pubKey != "") && *since != "" {
		return usageError("audit: --expect and --key read the whole log: drop --since")
	}
	var pub ed25519.PublicKey
	if *pubKey != "" {
		var err error
		if pub, err = cadence.ParseAuditPublicKey(*pubKey); err != nil {
			return usageError("audit: --key: " + err.Error())
		}
	}
	var from time.Time
	if *since != "" {
		t, err := time.Parse("2006-01-02", *since)
		if err != nil {
			return usageError(fmt.Sprintf("audit: --since: want YYYY-MM-DD, got %q", *since))
		}
		from = t
	}
	rows, ver, path, err := readAuditLog(ctx, *cfgPath, *db, *apiURL, getenv, *since, from, *verify)
	if err != nil {
		return err
	}
	if err := writeAudit(stdout, rows, *format); err != nil {
		return err
	}
	if *verify {
		switch {
		case !ver.Intact:
			return fmt.Errorf("audit log of %s is NOT intact: %s", path, ver.Error)
		case ver.Entries == 0 && *expect == "":
			// Say which file: an empty log is often the wrong database.
			fmt.Fprintf(stderr, "audit log of %s is empty: nothing audited yet (is this the database you meant? pass --db)\n", path)
			return nil
		}
		entries := auditEntries(rows)
		if *expect != "" {
			if err := cadence.AuditExtends(entries, *expect); err != nil {
				return fmt.Errorf("audit log of %s is NOT intact: %w", path, err)
			}
		}
		checked := 0
		if pub != nil {
			if checked, err = cadence.VerifyAuditCheckpoints(entries, pub); err != nil {
				return fmt.Errorf("audit log of %s is NOT intact: %w", path, err)
			}
		}
		msg := fmt.Sprintf("audit log of %s intact: %d entries, head %s", path, ver.Entries, ver.Head)
		if *expect != "" {
			msg += fmt.Sprintf(", still holds %s", short(*expect))
		}
		if pub != nil {
			msg += fmt.Sprintf(", %d signed checkpoints verified", checked)
		}
		fmt.Fprintln(stderr, msg)
	}
	return nil
}

// readAuditLog reads the audit log of the configured database, from the
// file or, when a running bot holds it, from that bot's API.
func readAuditLog(ctx context.Context, cfgPath, db, apiURL string, getenv env, since string, from time.Time, verify bool) (rows []auditRow, ver auditVerification, path string, err error) {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return nil, ver, "", err
	}
	var s interface {
		cadence.Store
		Close() error
	}
	if usesPostgres(cfg, db) {
		// No file lock: read the database directly, running bot or not.
		pg, err := openPostgresReadOnly(ctx, getenv)
		if err != nil {
			return nil, ver, "", err
		}
		s, path = pg, "postgres "+pg.Host()
	} else {
		path = cmp.Or(db, cfg.Bot.Database)
		s, err = openExisting(path, store.Options{Timeout: 500 * time.Millisecond})
		switch {
		case errors.Is(err, store.ErrLocked):
			// A running bot holds the file: ask that bot, and only that bot.
			rows, ver, err = auditFromAPI(ctx, path, apiURL, "http://"+localAddr(cfg.Bot.Listen), dashboard.OptionsFromEnv(getenv), since, verify)
			return rows, ver, path, err
		case err != nil:
			return nil, ver, path, err
		}
	}
	defer s.Close()
	err = s.View(ctx, func(tx cadence.Tx) error {
		entries, err := cadence.ReadAudit(tx, from)
		if err != nil {
			return err
		}
		rows = auditRows(entries)
		if verify {
			v, verr := cadence.VerifyAudit(tx)
			ver = auditVerification{Intact: verr == nil, Entries: v.Entries, Head: v.Head}
			if verr != nil {
				ver.Error = verr.Error()
			}
		}
		return nil
	})
	return rows, ver, path, err
}

// cmdAuditHead prints the full head of a verified log: the hash to write
// down (a ticket, a release note) and check later with --expect.
func cmdAuditHead(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	fs := newFlags("audit head", stderr)
	cfgPath := fs.String("config", "", "config file (for [bot] database and listen)")
	db := fs.String("db", "", "database file (overrides [bot] database)")
	apiURL := fs.String("url", "", "running bot to ask when the database is locked")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	_, ver, path, err := readAuditLog(ctx, *cfgPath, *db, *apiURL, getenv, "", time.Time{}, true)
	if err != nil {
		return err
	}
	if !ver.Intact {
		return fmt.Errorf("audit log of %s is NOT intact, so it has no head to vouch for: %s", path, ver.Error)
	}
	if ver.Entries == 0 {
		return fmt.Errorf("audit log of %s is empty: there is no head yet", path)
	}
	fmt.Fprintln(stdout, ver.Head)
	fmt.Fprintf(stderr, "head of the audit log of %s after entry %d; later: cadencebot audit --verify --expect %s\n", path, ver.Entries, ver.Head)
	return nil
}

// cmdAuditPublicKey prints the public half of CADENCEBOT_AUDIT_SIGNING_KEY.
func cmdAuditPublicKey(stdout io.Writer, getenv env) error {
	raw := getenv(cadence.EnvAuditSigningKey)
	if raw == "" {
		return fmt.Errorf("%s is not set: `cadencebot audit new-key` makes a key pair", cadence.EnvAuditSigningKey)
	}
	key, err := cadence.ParseAuditSigningKey(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", cadence.EnvAuditSigningKey, err)
	}
	fmt.Fprintln(stdout, cadence.EncodeAuditKey(key.Public().(ed25519.PublicKey)))
	return nil
}

// cmdAuditNewKey makes an Ed25519 key pair for signed checkpoints.
func cmdAuditNewKey(stdout, stderr io.Writer) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s=%s\n", cadence.EnvAuditSigningKey, cadence.EncodeAuditKey(priv.Seed()))
	fmt.Fprintf(stdout, "public key: %s\n", cadence.EncodeAuditKey(pub))
	fmt.Fprintln(stderr, "Give the bot the first line in its environment (a secret); hand the public key to whoever checks the log (audit --verify --key).")
	return nil
}

// auditEntries turns rows (from the file or the API) back into entries
// for the anchor checks.
func auditEntries(rows []auditRow) []*cadence.AuditEntry {
	out := make([]*cadence.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = &cadence.AuditEntry{Seq: r.Seq, At: r.At, Actor: r.Actor, Action: r.Action, Target: r.Target,
			Outcome: cadence.AuditOutcome(r.Outcome), Reason: r.Reason, Details: r.Details, Prev: r.Prev, Hash: r.Hash}
	}
	return out
}

// auditVerification is the JSON answer of GET /api/audit?verify=1.
type auditVerification struct {
	Intact  bool   `json:"intact"`
	Entries int    `json:"entries"`
	Head    string `json:"head"`
	Error   string `json:"error,omitempty"`
}

// auditFromAPI reads the audit log from the running bot that holds dbPath.
func auditFromAPI(ctx context.Context, dbPath, urlFlag, fallback string, creds dashboard.Options, since string, verify bool) ([]auditRow, auditVerification, error) {
	var rows []auditRow
	var ver auditVerification
	v := url.Values{}
	if since != "" {
		v.Set("since", since)
	}
	if err := getJSON(ctx, dbPath, urlFlag, fallback, creds, "/api/audit?"+v.Encode(), &rows); err != nil {
		return nil, ver, err
	}
	if verify {
		v.Set("verify", "1")
		if err := getJSON(ctx, dbPath, urlFlag, fallback, creds, "/api/audit?"+v.Encode(), &ver, http.StatusConflict); err != nil {
			return nil, ver, err
		}
	}
	return rows, ver, nil
}

func getJSON(ctx context.Context, dbPath, urlFlag, fallback string, creds dashboard.Options, pathQuery string, into any, alsoOK ...int) error {
	resp, err := holderQuery(ctx, dbPath, urlFlag, fallback, creds, pathQuery, alsoOK...)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		return fmt.Errorf("%s: %w", pathQuery, err)
	}
	return nil
}

// auditRow is the stable JSON shape of an audit entry.
type auditRow struct {
	Seq     uint64            `json:"seq"`
	At      time.Time         `json:"at"`
	Actor   string            `json:"actor"`
	Action  string            `json:"action"`
	Target  string            `json:"target"`
	Outcome string            `json:"outcome"`
	Reason  string            `json:"reason,omitempty"`
	Details map[string]string `json:"details,omitempty"`
	Prev    string            `json:"prev"`
	Hash    string            `json:"hash"`
}

func auditRows(entries []*cadence.AuditEntry) []auditRow {
	rows := make([]auditRow, 0, len(entries))
	for _, e := range entries {
		rows = append(rows, auditRow{e.Seq, e.At, e.Actor, e.Action, e.Target, string(e.Outcome), e.Reason, e.Details, e.Prev, e.Hash})
	}
	return rows
}

func writeAudit(w io.Writer, rows []auditRow, format string) error {
	if format == "json" {
		if rows == nil {
			rows = []auditRow{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "no audit entries")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tAT (UTC)\tACTOR\tACTION\tTARGET\tOUTCOME\tDETAILS")
	for _, e := range rows {
		// Every field is what someone typed or what the log holds: shown
		// with controls escaped, so no entry can draw a line of its own.
		safe := cadence.TerminalSafe
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.At.UTC().Format("2006-01-02 15:04:05"), safe(e.Actor), safe(e.Action), safe(e.Target), safe(e.Outcome), safe(details(e)))
	}
	return tw.Flush()
}

func details(e auditRow) string {
	var parts []string
	if e.Reason != "" {
		parts = append(parts, "reason="+e.Reason)
	}
	keys := make([]string, 0, len(e.Details))
	for k := range e.Details {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, k+"="+e.Details[k])
	}
	return strings.Join(parts, " ")
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// auditAPI serves GET /api/audit?since=YYYY-MM-DD&verify=1 from the running bot.
func (a *apiHandlers) audit(w http.ResponseWriter, r *http.Request) {
	var since time.Time
	if s := r.URL.Query().Get("since"); s != "" {
		t, err := parseWhen(s)
		if err != nil {
			http.Error(w, "since: "+err.Error(), http.StatusBadRequest)
			return
		}
		since = t
	}
	var entries []*cadence.AuditEntry
	var verr error
	var ver cadence.AuditVerification
	err := a.store.View(r.Context(), func(tx cadence.Tx) error {
		var err error
		if entries, err = cadence.ReadAudit(tx, since); err != nil {
			return err
		}
		ver, verr = cadence.VerifyAudit(tx)
		return nil
	})
	if err != nil {
		httpError(w, err)
		return
	}
	if r.URL.Query().Get("verify") != "" {
		w.Header().Set("Content-Type", "application/json")
		res := auditVerification{Intact: verr == nil, Entries: ver.Entries, Head: ver.Head}
		if verr != nil {
			res.Error = verr.Error()
			w.WriteHeader(http.StatusConflict)
		}
		_ = json.NewEncoder(w).Encode(res)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = writeAudit(w, auditRows(entries), "json")
}
