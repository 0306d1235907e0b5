package local

import (
	"context"
	"time"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// onCall is one line per on-call rotation, who is on call now and next,
// in the visitor's zone (each rotation's own when nobody is signed in).
// Nil without rotations; an unreadable store is logged and shows nothing.
func (s *Server) onCall(ctx context.Context, me *cadence.Person, now time.Time) []string {
	oc, ok := s.svc.(bot.OnCallBackend)
	if !ok || len(oc.Rotations()) == 0 {
		return nil
	}
	cur, err := oc.OnCall(ctx, now)
	if err != nil {
		s.log.Error().Err(err).Msg("on call for the home page")
		return nil
	}
	name := func(id string) string {
		if p := s.svc.Roster().Person(id); p != nil {
			return displayName(p)
		}
		return id
	}
	var out []string
	for _, n := range cur {
		loc := n.Rotation.Location
		if me != nil {
			loc = locOf(me)
		}
		if loc == nil {
			loc = time.UTC
		}
		out = append(out, bot.OnCallLines([]ops.OnCallNow{n}, name, loc)...)
	}
	return out
}
