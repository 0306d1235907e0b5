package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/bot/local"
	"github.com/cadencebot/cadencebot/bot/slack"
	"github.com/cadencebot/cadencebot/bot/teams"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/dashboard"
)

// setupDigest builds the weekly managers' digest from the [digest] table,
// or returns nil when there is none. sections are the dashboard's extra
// pages; those that implement dashboard.DigestSection (overdue follow-ups,
// release outcomes) add their part to every digest.
func (a *App) setupDigest(sections []dashboard.Section) (*cadence.Digest, error) {
	g := a.cfg.Digest
	if g == nil {
		return nil, nil
	}
	if _, ok := a.chats[g.Platform]; !ok {
		switch g.Platform {
		case slack.Platform:
			return nil, fmt.Errorf("the digest runs on slack but %s is not set (and %s for Socket Mode)", slack.EnvBotToken, slack.EnvAppToken)
		case teams.Platform:
			return nil, fmt.Errorf("the digest runs on teams but %s, %s and %s are not set", teams.EnvAppID, teams.EnvAppPassword, teams.EnvTenantID)
		}
		return nil, fmt.Errorf("the digest runs on unknown platform %q", g.Platform)
	}
	return newDigestJob(a.cfg, a.eng, sections, a.db, a.opts.Clock, a.log, a.scoreLink, a.poke, a.auditCheckpoint)
}

// newDigestJob builds the digest job of the [digest] table on an engine
// and store: the daemon's, a simulation's or a preview's.
func newDigestJob(cfg *config.Config, reports cadence.Reporter, sections []dashboard.Section, st cadence.Store,
	clock cadence.Clock, log zerolog.Logger, scoreLink func() string, enqueued func(), decorate ...digestDecorator) (*cadence.Digest, error) {
	g := cfg.Digest
	render := digestRenderer(g.Threshold, sections, log, scoreLink)
	if len(decorate) > 0 {
		inner := render
		render = func(ctx context.Context, in cadence.DigestInput) (cadence.Body, error) {
			body, err := inner(ctx, in)
			if err != nil {
				return body, err
			}
			for _, d := range decorate {
				d(ctx, &body)
			}
			return body, nil
		}
	}
	return cadence.NewDigest(cadence.DigestConfig{
		Language:   digestLanguage(cfg, reports),
		Schedule:   g.Schedule,
		Platform:   g.Platform,
		Recipients: g.RecipientList(),
		Weeks:      g.Weeks,
		Reports:    reports,
		Render:     render,
		Store:      st,
		Clock:      clock,
		Logger:     log,
		Enqueued:   enqueued,
	})
}

// digestRenderer lays a digest out with the dashboard: the text of
// dashboard.DigestBody and the trend chart as a PNG. A chart that cannot
// be drawn (no week with a ritual held) leaves the digest without one.
func digestRenderer(threshold float64, sections []dashboard.Section, log zerolog.Logger, scoreLink func() string) cadence.DigestRenderer {
	return func(ctx context.Context, in cadence.DigestInput) (cadence.Body, error) {
		lang := cmp.Or(in.Lang, cadence.DefaultLanguage)
		extra, err := dashboard.DigestSectionsIn(ctx, lang, in.Report, sections)
		if err != nil {
			return cadence.Body{}, err
		}
		body := dashboard.DigestBodyIn(lang, in.Report, in.Trend, threshold, extra...)
		if link := scoreLink(); link != "" {
			body.Footer += " " + cadence.UIText(lang, "digest.how_it_works", "Link", link)
		}
		png, err := dashboard.ChartPNG(in.Trend)
		switch {
		case errors.Is(err, dashboard.ErrNoData):
		case err != nil:
			log.Warn().Err(err).Time("fire", in.Fire).Msg("the digest chart could not be drawn; sending the digest without it")
		default:
			y, w := in.Report.From.ISOWeek()
			body.Image = &cadence.Image{Name: fmt.Sprintf("adherence-%04d-W%02d.png", y, w), Alt: chartAlt(lang, in.Trend), PNG: png}
		}
		return body, nil
	}
}

// scoreLink is the dashboard's page on how the score works, at the
// configured public URL, else where the bot listens; "" before it does.
func (a *App) scoreLink() string {
	base := cmp.Or(a.cfg.Bot.PublicURL, a.listenURL)
	if base == "" {
		return ""
	}
	return strings.TrimSuffix(base, "/") + "/dashboard/" + dashboard.ScorePath
}

// configScoreLink is the score page of a bot run with cfg, for digests
// composed outside the daemon (simulate, digest --preview).
func configScoreLink(cfg *config.Config) func() string {
	return func() string {
		base := cmp.Or(cfg.Bot.PublicURL, "http://"+localAddr(cfg.Bot.Listen))
		return strings.TrimSuffix(base, "/") + "/dashboard/" + dashboard.ScorePath
	}
}

// chartAlt says in words what the chart shows, for screen readers and
// clients that do not load images.
func chartAlt(lang string, weeks []cadence.WeekAdherence) string {
	var parts []string
	for _, w := range weeks {
		if w.Occurrences-w.Skipped > 0 {
			parts = append(parts, w.Week+" "+cadence.UINumber(lang, math.Round(w.Score), 0))
		}
	}
	return cadence.UIText(lang, "digest.chart_alt", "Points", strings.Join(parts, ", "))
}

// digestLanguage says what a digest recipient reads: the team's language
// for a channel, a person's own (else the team's) for a DM, from the
// roster in force when the digest is composed.
func digestLanguage(cfg *config.Config, reports cadence.Reporter) func(cadence.Recipient) string {
	return func(to cadence.Recipient) string {
		roster := cfg.Roster
		if rs, ok := reports.(interface{ Roster() *cadence.Roster }); ok && rs.Roster() != nil {
			roster = rs.Roster()
		}
		if roster == nil {
			return cadence.DefaultLanguage
		}
		if to.Person != "" {
			return roster.LanguageOf(to.Person)
		}
		return roster.Language()
	}
}

// digestRooms lists the digest's channel in the local chat's navigation.
func (a *App) digestRooms() []local.Option {
	if g := a.cfg.Digest; g != nil && g.Platform == local.Platform && g.Channel != "" {
		return []local.Option{local.WithRooms(g.Channel), local.WithRoomNote(g.Channel, fmt.Sprintf(
			"The weekly adherence digest for managers is posted here on its schedule (%q, %s); `cadencebot digest --preview` shows what it will say.",
			g.Spec, g.Location))}
	}
	return nil
}

// startDigest runs the digest job beside the engine's tick loop, on the
// same tick interval, until ctx ends.
func (a *App) startDigest(ctx context.Context, wg *sync.WaitGroup) {
	if a.digest == nil {
		return
	}
	wg.Go(func() {
		t := time.NewTicker(a.opts.TickEvery)
		defer t.Stop()
		for {
			if err := a.digest.Tick(ctx); err != nil && ctx.Err() == nil {
				a.log.Error().Err(err).Msg("weekly digest failed")
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
}
