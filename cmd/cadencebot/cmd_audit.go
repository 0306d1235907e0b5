package main

import (
	"context"
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
	fs := newFlags("audit", stderr)
	cfgPath := fs.String("config", "", "config file (for [bot] database and listen)")
	db := fs.String("db", "", "database file (overrides [bot] database)")
	since := fs.String("since", "", "only entries at or after this day, YYYY-MM-DD")
	verify := fs.Bool("verify", false, "check the hash chain; exit 1 when it is broken")
	format := fs.String("format", "text", "text or json")
	apiURL := fs.String("url", "", "running bot to ask when the database is locked (default: the address the bot holding it recorded in DB.api.json)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return usageError(fmt.Sprintf("audit: --format: want text or json, got %q", *format))
	}
	var from time.Time
	if *since != "" {
		t, err := time.Parse("2006-01-02", *since)
		if err != nil {
			return usageError(fmt.Sprintf("audit: --since: want YYYY-MM-DD, got %q", *since))
		}
		from = t
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	path := *db
	if path == "" {
		path = cfg.Bot.Database
	}
	var rows []auditRow
	var ver auditVerification
	s, err := openExisting(path, store.Options{Timeout: 500 * time.Millisecond})
	switch {
	case errors.Is(err, store.ErrLocked):
		// A running bot holds the file: ask that bot, and only that bot.
		rows, ver, err = auditFromAPI(ctx, path, *apiURL, "http://"+localAddr(cfg.Bot.Listen), dashboard.OptionsFromEnv(getenv), *since, *verify)
		if err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		defer s.Close()
		err = s.View(ctx, func(tx cadence.Tx) error {
			entries, err := cadence.ReadAudit(tx, from)
			if err != nil {
				return err
			}
			rows = auditRows(entries)
			if *verify {
				v, verr := cadence.VerifyAudit(tx)
				ver = auditVerification{Intact: verr == nil, Entries: v.Entries, Head: v.Head}
				if verr != nil {
					ver.Error = verr.Error()
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if err := writeAudit(stdout, rows, *format); err != nil {
		return err
	}
	if *verify {
		switch {
		case !ver.Intact:
			return fmt.Errorf("audit log of %s is NOT intact: %s", path, ver.Error)
		case ver.Entries == 0:
			// Say which file: an empty log is often the wrong database.
			fmt.Fprintf(stderr, "audit log of %s is empty: nothing audited yet (is this the database you meant? pass --db)\n", path)
		default:
			fmt.Fprintf(stderr, "audit log of %s intact: %d entries, head %s\n", path, ver.Entries, short(ver.Head))
		}
	}
	return nil
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
