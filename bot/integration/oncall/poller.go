package oncall

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// DefaultEvery is how often a rotation's provider is asked by default.
const DefaultEvery = 5 * time.Minute

// Recorder is what the poller reports to; *ops.Ops has it.
type Recorder interface {
	Rotations() []*cadence.Rotation
	RecordOnCallImport(ctx context.Context, rotationID string, shifts []ops.ImportedShift, fetchErr error) (*ops.OnCallImport, error)
}

var _ Recorder = (*ops.Ops)(nil)

// Poller asks each importing rotation's provider on its own period. It
// reads the rotations on each round, so a config reload is followed.
type Poller struct {
	Ops    Recorder
	Clock  cadence.Clock
	Getenv func(string) string
	HTTP   *http.Client
	Log    zerolog.Logger
	// NewProvider builds the client of an import (tests swap it);
	// default: New.
	NewProvider func(im *cadence.RotationImport, token string, hc *http.Client) (Provider, error)
	// Sleep replaces the clients' waits between retries (tests).
	Sleep func(ctx context.Context, d time.Duration) error

	last map[string]time.Time // rotation → last attempt
}

// New builds the client named by im.Provider.
func New(im *cadence.RotationImport, token string, hc *http.Client) (Provider, error) {
	switch im.Provider {
	case "pagerduty":
		return &PagerDuty{BaseURL: im.URL, Token: token, retrier: retrier{HTTP: hc}}, nil
	case "opsgenie":
		return &Opsgenie{BaseURL: im.URL, Key: token, retrier: retrier{HTTP: hc}}, nil
	}
	return nil, fmt.Errorf("unknown on-call provider %q (pagerduty or opsgenie)", im.Provider)
}

// CheckEnv names the import token variables that are not set: the bot
// refuses to start rather than record "unreachable" forever.
func CheckEnv(rotations []*cadence.Rotation, getenv func(string) string) error {
	for _, r := range rotations {
		if r.Import != nil && getenv(r.Import.TokenEnv) == "" {
			return fmt.Errorf("rotation %q imports its on-call from %s, but %s is not set (the API token goes in the environment, never in the file)",
				r.ID, ops.ProviderName(r.Import.Provider), r.Import.TokenEnv)
		}
	}
	return nil
}

// Run polls until ctx ends, looking every tick for rotations due.
func (p *Poller) Run(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		p.Poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Poll asks every importing rotation whose period has passed, one after
// the other, and records each outcome.
func (p *Poller) Poll(ctx context.Context) {
	if p.last == nil {
		p.last = map[string]time.Time{}
	}
	now := p.Clock.Now()
	for _, r := range p.Ops.Rotations() {
		if r.Import == nil || ctx.Err() != nil {
			continue
		}
		every := r.Import.Every
		if every <= 0 {
			every = DefaultEvery
		}
		if last, ok := p.last[r.ID]; ok && now.Sub(last) < every {
			continue
		}
		p.last[r.ID] = now
		p.PollOne(ctx, r)
	}
}

// PollOne asks one rotation's provider now and records the outcome.
func (p *Poller) PollOne(ctx context.Context, r *cadence.Rotation) {
	shifts, err := p.fetch(ctx, r)
	if ctx.Err() != nil {
		return // shutting down: not the provider's fault
	}
	if _, rerr := p.Ops.RecordOnCallImport(ctx, r.ID, shifts, err); rerr != nil {
		p.Log.Error().Err(rerr).Str("rotation", r.ID).Msg("on-call import: could not record the outcome")
	}
}

func (p *Poller) fetch(ctx context.Context, r *cadence.Rotation) ([]ops.ImportedShift, error) {
	getenv := p.Getenv
	token := ""
	if getenv != nil {
		token = getenv(r.Import.TokenEnv)
	}
	if token == "" {
		return nil, fmt.Errorf("%s is not set", r.Import.TokenEnv)
	}
	mk := p.NewProvider
	if mk == nil {
		mk = New
	}
	prov, err := mk(r.Import, token, p.HTTP)
	if err != nil {
		return nil, err
	}
	if s, ok := prov.(interface {
		setSleep(func(context.Context, time.Duration) error)
	}); ok && p.Sleep != nil {
		s.setSleep(p.Sleep)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	return prov.OnCall(ctx, r.Import.Schedule, p.Clock.Now())
}
