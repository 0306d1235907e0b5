package dashboard

import (
	"context"
	"fmt"
	"regexp"

	"github.com/cadencebot/cadencebot/cadence"
)

// Section is the extension point for parts of the dashboard that other
// packages own: follow-ups and incidents, the release lane (the MLOps
// rituals issue). A Section gets its own page, listed in the navigation,
// and every Table it returns gets CSV and JSON downloads with the page's
// filters applied, exactly like the built-in tables. No section ships
// with this package: until one is registered the dashboard shows none,
// rather than placeholder data.
type Section interface {
	// ID is URL-safe and unique: "followups" serves /s/followups and
	// /api/s/followups/{table}.csv.
	ID() string
	Title() string
	// Tables returns the section's tables for the filtered period.
	Tables(ctx context.Context, q cadence.ReportQuery) ([]*Table, error)
}

// DigestSection is implemented by a Section that also contributes to the
// weekly digest (e.g. "Overdue follow-ups"). The digest job collects
// them with DigestSections and passes them to DigestBody. lang is the
// language the digest is worded in.
type DigestSection interface {
	DigestSection(ctx context.Context, r *cadence.Report, lang string) (cadence.Section, bool, error)
}

// DigestSections asks every section that implements DigestSection for
// its digest part, in English; ok=false means "nothing to say this week".
func DigestSections(ctx context.Context, r *cadence.Report, sections []Section) ([]cadence.Section, error) {
	return DigestSectionsIn(ctx, cadence.DefaultLanguage, r, sections)
}

// DigestSectionsIn is DigestSections worded in lang.
func DigestSectionsIn(ctx context.Context, lang string, r *cadence.Report, sections []Section) ([]cadence.Section, error) {
	var out []cadence.Section
	for _, s := range sections {
		ds, ok := s.(DigestSection)
		if !ok {
			continue
		}
		sec, ok, err := ds.DigestSection(ctx, r, lang)
		if err != nil {
			return nil, fmt.Errorf("digest section %s: %w", s.ID(), err)
		}
		if ok {
			out = append(out, sec)
		}
	}
	return out, nil
}

var sectionIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func validateSections(sections []Section) error {
	seen := map[string]bool{}
	for i, s := range sections {
		id := s.ID()
		if !sectionIDRe.MatchString(id) {
			return fmt.Errorf("dashboard: section %d: id %q must be lower-case letters, digits and dashes", i, id)
		}
		if seen[id] {
			return fmt.Errorf("dashboard: section %d: duplicate id %q", i, id)
		}
		seen[id] = true
	}
	return nil
}
