package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cadencebot/cadencebot/cadence"
)

// apiHandlers serves the read-only JSON/CSV API under /api/.
type apiHandlers struct {
	svc      cadence.Service
	store    cadence.Store
	clock    cadence.Clock
	backupTo func(io.Writer) (int64, error)
}

func registerOps(mux *http.ServeMux, ready *readiness, reg *prometheus.Registry) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", ready.serveHTTP)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
}

func (a *apiHandlers) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/report", a.report)
	mux.HandleFunc("GET /api/occurrences", a.occurrences)
	mux.HandleFunc("GET /api/audit", a.audit)
	mux.HandleFunc("GET /api/backup", a.backup)
}

// backup streams a consistent copy of the live database (bbolt's
// tx.WriteTo in a read transaction): the way to back up a running bot.
func (a *apiHandlers) backup(w http.ResponseWriter, r *http.Request) {
	if a.backupTo == nil {
		http.Error(w, "this bot stores in PostgreSQL: back it up with pg_dump", http.StatusNotImplemented)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="cadencebot-backup.db"`)
	if _, err := a.backupTo(w); err != nil {
		// Headers are gone; all we can do is cut the stream short.
		panic(http.ErrAbortHandler)
	}
}

// period reads from/to (YYYY-MM-DD or RFC3339) or weeks=N; the default is
// the last 4 weeks up to now.
func period(r *http.Request, now time.Time) (from, to time.Time, err error) {
	q := r.URL.Query()
	to = now
	if s := q.Get("to"); s != "" {
		if to, err = parseWhen(s); err != nil {
			return from, to, fmt.Errorf("to: %w", err)
		}
	}
	weeks := 4
	if s := q.Get("weeks"); s != "" {
		if weeks, err = strconv.Atoi(s); err != nil || weeks < 1 || weeks > 520 {
			return from, to, fmt.Errorf("weeks: want a number from 1 to 520, got %q", s)
		}
	}
	from = to.AddDate(0, 0, -7*weeks)
	if s := q.Get("from"); s != "" {
		if from, err = parseWhen(s); err != nil {
			return from, to, fmt.Errorf("from: %w", err)
		}
	}
	if !from.Before(to) {
		return from, to, fmt.Errorf("from (%s) must be before to (%s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	return from, to, nil
}

func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, fmt.Errorf("%q is neither YYYY-MM-DD nor RFC 3339", s)
	}
	return t, nil
}

func (a *apiHandlers) report(w http.ResponseWriter, r *http.Request) {
	from, to, err := period(r, a.clock.Now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	ct, ok := reportContentTypes[format]
	if !ok {
		http.Error(w, fmt.Sprintf("format: want json, csv, md or text, got %q", format), http.StatusBadRequest)
		return
	}
	q := cadence.ReportQuery{From: from, To: to, RitualIDs: r.URL.Query()["ritual"], PersonIDs: r.URL.Query()["person"]}
	rep, err := a.svc.Report(r.Context(), q)
	if err != nil {
		httpError(w, err)
		return
	}
	w.Header().Set("Content-Type", ct)
	if err := cadence.WriteReport(w, rep, format); err != nil {
		httpError(w, err)
	}
}

var reportContentTypes = map[string]string{
	"json": "application/json",
	"csv":  "text/csv; charset=utf-8",
	"md":   "text/markdown; charset=utf-8",
	"text": "text/plain; charset=utf-8",
}

// occurrenceRow is the API shape of an occurrence: stable JSON names,
// independent of the domain struct.
type occurrenceRow struct {
	ID          string    `json:"id"`
	Ritual      string    `json:"ritual"`
	Scheduled   time.Time `json:"scheduled"`
	Status      string    `json:"status"`
	Late        bool      `json:"late"`
	OpenedAt    time.Time `json:"opened_at,omitzero"`
	ClosesAt    time.Time `json:"closes_at,omitzero"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
	Facilitator string    `json:"facilitator,omitempty"`
	Expected    []string  `json:"expected"`
	Answered    []string  `json:"answered"`
	SkipReason  string    `json:"skip_reason,omitempty"`
}

func (a *apiHandlers) occurrences(w http.ResponseWriter, r *http.Request) {
	from, to, err := period(r, a.clock.Now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f := cadence.OccurrenceFilter{RitualID: r.URL.Query().Get("ritual"), From: from, To: to}
	if f.RitualID != "" && a.svc.Ritual(f.RitualID) == nil {
		http.Error(w, fmt.Sprintf("ritual: unknown ritual %q", f.RitualID), http.StatusBadRequest)
		return
	}
	var rows []occurrenceRow
	err = a.store.View(r.Context(), func(tx cadence.Tx) error {
		occs, err := tx.Occurrences(f)
		if err != nil {
			return err
		}
		for _, o := range occs {
			answers, err := tx.Answers(o.ID)
			if err != nil {
				return err
			}
			row := occurrenceRow{ID: o.ID, Ritual: o.RitualID, Scheduled: o.Scheduled, Status: string(o.Status), Late: o.Late,
				OpenedAt: o.OpenedAt, ClosesAt: o.ClosesAt, ClosedAt: o.ClosedAt, Facilitator: o.Facilitator,
				Expected: nonNil(o.Expected), Answered: []string{}, SkipReason: o.SkipReason}
			for _, an := range answers {
				row.Answered = append(row.Answered, an.PersonID)
			}
			rows = append(rows, row)
		}
		return nil
	})
	if err != nil {
		httpError(w, err)
		return
	}
	if rows == nil {
		rows = []occurrenceRow{}
	}
	if r.URL.Query().Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		cw := cadence.NewCSVWriter(w)
		_ = cw.Write([]string{"id", "ritual", "scheduled", "status", "late", "expected", "answered"})
		for _, x := range rows {
			_ = cw.Write([]string{x.ID, x.Ritual, x.Scheduled.Format(time.RFC3339), x.Status, strconv.FormatBool(x.Late),
				strconv.Itoa(len(x.Expected)), strconv.Itoa(len(x.Answered))})
		}
		cw.Flush()
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(rows)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// httpError maps domain errors to statuses at the HTTP edge only.
func httpError(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, cadence.ErrNotFound):
		code = http.StatusNotFound
	case errors.Is(err, cadence.ErrForbidden):
		code = http.StatusForbidden
	case errors.Is(err, cadence.ErrInvalidInput):
		code = http.StatusBadRequest
	case errors.Is(err, cadence.ErrConflict), errors.Is(err, cadence.ErrClosed):
		code = http.StatusConflict
	}
	http.Error(w, err.Error(), code)
}
