package slack

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// slackUser is what we keep of a Slack user, cached in the store so a
// restart does not look the whole roster up again.
type slackUser struct {
	ID string `json:"id"`
	TZ string `json:"tz,omitempty"`
}

// directory maps roster people to Slack users and back.
type directory struct {
	mu       sync.RWMutex
	byPerson map[string]slackUser
	byUser   map[string]string
	zones    map[string]*time.Location
}

func newDirectory() *directory {
	return &directory{byPerson: map[string]slackUser{}, byUser: map[string]string{}, zones: map[string]*time.Location{}}
}

func (d *directory) set(personID string, u slackUser) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.byPerson[personID] = u
	d.byUser[u.ID] = personID
	if u.TZ != "" {
		if loc, err := time.LoadLocation(u.TZ); err == nil {
			d.zones[personID] = loc
		}
	}
}

func (d *directory) user(personID string) (slackUser, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	u, ok := d.byPerson[personID]
	return u, ok
}

func (d *directory) person(userID string) (string, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	p, ok := d.byUser[userID]
	return p, ok
}

// Location returns the person's zone from their Slack profile, or nil.
func (a *Adapter) Location(personID string) *time.Location {
	a.users.mu.RLock()
	defer a.users.mu.RUnlock()
	return a.users.zones[personID]
}

// resolveRoster maps every roster person to a Slack user: the Slack ID
// from the roster, or the email looked up with users.lookupByEmail (cached
// in the store). A person Slack does not know is logged and skipped; the
// rest of the team runs. People without a zone in the roster get the one
// from their Slack profile.
func (a *Adapter) resolveRoster(ctx context.Context) {
	resolved, missing := 0, 0
	for _, p := range a.svc.Roster().People() {
		if _, err := a.resolvePerson(ctx, p); err != nil {
			missing++
			a.log.Warn().Err(err).Str("person", p.ID).Str("name", p.Name).
				Msg("no Slack user for this person: they get no Slack prompts until the roster is fixed")
			continue
		}
		resolved++
	}
	a.log.Info().Int("resolved", resolved).Int("missing", missing).Msg("roster mapped to slack users")
}

// resolvePerson finds p's Slack user, from memory, the store cache or
// Slack, and adopts the Slack time zone when the roster has none.
func (a *Adapter) resolvePerson(ctx context.Context, p *cadence.Person) (slackUser, error) {
	if u, ok := a.users.user(p.ID); ok {
		return u, nil
	}
	needTZ := p.Location == nil
	var key string
	switch {
	case p.Handles.SlackID != "":
		key = "id:" + p.Handles.SlackID
	case p.Handles.Email != "":
		key = "email:" + strings.ToLower(p.Handles.Email)
	default:
		return slackUser{}, &cadence.SendError{Code: "user_not_found", Err: errNoHandle}
	}
	var u slackUser
	if v, ok, err := a.getKV(ctx, nsUsers, key); err != nil {
		return slackUser{}, err
	} else if ok && json.Unmarshal(v, &u) == nil && u.ID != "" && (u.TZ != "" || !needTZ) {
		a.adopt(p, u)
		return u, nil
	}
	switch {
	case p.Handles.Email != "" && p.Handles.SlackID == "":
		if err := a.limit.take(ctx, "users.lookupByEmail", ""); err != nil {
			return slackUser{}, err
		}
		su, err := a.api.GetUserByEmailContext(ctx, p.Handles.Email)
		if err != nil {
			return slackUser{}, a.fail("users.lookupByEmail", "", err)
		}
		u = slackUser{ID: su.ID, TZ: su.TZ}
	case needTZ:
		if err := a.limit.take(ctx, "users.info", ""); err != nil {
			return slackUser{}, err
		}
		su, err := a.api.GetUserInfoContext(ctx, p.Handles.SlackID)
		if err != nil {
			return slackUser{}, a.fail("users.info", "", err)
		}
		u = slackUser{ID: su.ID, TZ: su.TZ}
	default:
		u = slackUser{ID: p.Handles.SlackID}
	}
	if v, err := json.Marshal(u); err == nil {
		if err := a.putKV(ctx, nsUsers, key, v); err != nil {
			a.log.Warn().Err(err).Str("person", p.ID).Msg("caching the slack user failed")
		}
	}
	a.adopt(p, u)
	return u, nil
}

// adopt records u for p. The roster's zone wins; the Slack zone fills a
// gap. Start runs before the engine ticks, so setting it here is safe.
func (a *Adapter) adopt(p *cadence.Person, u slackUser) {
	a.users.set(p.ID, u)
	if p.Location == nil {
		if loc := a.Location(p.ID); loc != nil {
			p.Location = loc
		}
	}
}

// userFor returns the Slack user id of a person, resolving it on demand.
func (a *Adapter) userFor(ctx context.Context, personID string) (string, error) {
	if u, ok := a.users.user(personID); ok {
		return u.ID, nil
	}
	p := a.svc.Roster().Person(personID)
	if p == nil {
		return "", &cadence.SendError{Code: "user_not_found", Err: errUnknownPerson(personID)}
	}
	u, err := a.resolvePerson(ctx, p)
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

// slackID is a person's Slack user id when it is known without asking
// Slack (resolved at start, or given in the roster): rendering a message
// never waits on the network.
func (a *Adapter) slackID(personID string) (string, bool) {
	if u, ok := a.users.user(personID); ok {
		return u.ID, true
	}
	if p := a.svc.Roster().Person(personID); p != nil && p.Handles.SlackID != "" {
		return p.Handles.SlackID, true
	}
	return "", false
}

// personFor maps a Slack user to a roster person, or nil.
func (a *Adapter) personFor(userID string) *cadence.Person {
	r := a.svc.Roster()
	if id, ok := a.users.person(userID); ok {
		return r.Person(id)
	}
	return r.BySlackID(userID)
}

type errUnknownPerson string

func (e errUnknownPerson) Error() string { return "person " + string(e) + " is not in the roster" }

var errNoHandle = simpleError("the roster gives neither a Slack user id nor an email")

type simpleError string

func (e simpleError) Error() string { return string(e) }
