package teams

import (
	"errors"
	"io"
	"net/http"
)

// maxActivityBody bounds what an inbound request may make us read; real
// activities are a few KB.
const maxActivityBody = 512 << 10

// serveMessages is the messaging endpoint. Order matters: the token is
// checked before the body is even parsed, and nothing is stored or sent
// for a request that fails any check.
func (a *Adapter) serveMessages(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	log := a.log.With().Str("remote", r.RemoteAddr).Logger()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxActivityBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "activity too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "could not read the activity", http.StatusBadRequest)
		return
	}
	vd, err := a.verifier.verify(ctx, r.Header.Get("Authorization"))
	if err != nil {
		log.Warn().Err(err).Msg("teams: rejected an inbound request: bad token")
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	act, err := parseActivity(body)
	if err != nil {
		log.Warn().Err(err).Msg("teams: malformed activity")
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := vd.check(act); err != nil {
		log.Warn().Err(err).Str("activity", act.ID).Msg("teams: rejected an inbound request: token does not match the activity")
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	log = log.With().Str("activity", act.ID).Str("type", act.Type).Str("conversation", act.Conversation.ID).Logger()
	if t := act.tenant(); t != a.cfg.TenantID {
		// A single-tenant bot serves its own organisation only.
		log.Warn().Str("tenant", t).Msg("teams: activity from another tenant ignored")
		http.Error(w, "tenant not allowed", http.StatusForbidden)
		return
	}
	status, err := a.handleOnce(ctx, act)
	if err != nil {
		ev := log.Error()
		if status < 500 {
			ev = log.Warn()
		}
		ev.Err(err).Int("status", status).Msg("teams: activity not handled")
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.WriteHeader(status)
}
