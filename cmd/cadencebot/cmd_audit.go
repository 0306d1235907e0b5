package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

func cmdAudit(ctx context.Context, args []string, stdout, stderr io.Writer, _ env) error {
	fs := newFlags("audit", stderr)
	cfgPath := fs.String("config", "", "config file (for [bot] database)")
	db := fs.String("db", "", "database file")
	since := fs.String("since", "", "only entries at or after this day, YYYY-MM-DD")
	verify := fs.Bool("verify", false, "check the hash chain; exit 1 when it is broken")
	format := fs.String("format", "text", "text or json")
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
	s, path, err := openStore(*cfgPath, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	var entries []*cadence.AuditEntry
	var ver cadence.AuditVerification
	var verr error
	err = s.View(ctx, func(tx cadence.Tx) error {
		var err error
		if entries, err = cadence.ReadAudit(tx, from); err != nil {
			return err
		}
		if *verify {
			ver, verr = cadence.VerifyAudit(tx)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := writeAudit(stdout, entries, *format); err != nil {
		return err
	}
	if *verify {
		if verr != nil {
			return fmt.Errorf("audit log of %s is NOT intact: %w", path, verr)
		}
		fmt.Fprintf(stderr, "audit log intact: %d entries, head %s\n", ver.Entries, short(ver.Head))
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

func writeAudit(w io.Writer, entries []*cadence.AuditEntry, format string) error {
	if format == "json" {
		rows := make([]auditRow, 0, len(entries))
		for _, e := range entries {
			rows = append(rows, auditRow{e.Seq, e.At, e.Actor, e.Action, e.Target, string(e.Outcome), e.Reason, e.Details, e.Prev, e.Hash})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(entries) == 0 {
		_, err := fmt.Fprintln(w, "no audit entries")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tAT (UTC)\tACTOR\tACTION\tTARGET\tOUTCOME\tDETAILS")
	for _, e := range entries {
		d := details(e)
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.At.UTC().Format("2006-01-02 15:04:05"), e.Actor, e.Action, e.Target, e.Outcome, d)
	}
	return tw.Flush()
}

func details(e *cadence.AuditEntry) string {
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
		res := map[string]any{"intact": verr == nil, "entries": ver.Entries, "head": ver.Head}
		if verr != nil {
			res["error"] = verr.Error()
			w.WriteHeader(http.StatusConflict)
		}
		_ = json.NewEncoder(w).Encode(res)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = writeAudit(w, entries, "json")
}
