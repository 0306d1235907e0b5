package main

import (
	"context"
	"crypto/ed25519"
	"fmt"

	"github.com/cadencebot/cadencebot/cadence"
)

// digestDecorator adds to a digest body the daemon composes (not a
// preview or a simulation).
type digestDecorator func(ctx context.Context, body *cadence.Body)

// auditSigningKey reads CADENCEBOT_AUDIT_SIGNING_KEY; nil when unset. A
// malformed key stops the bot with the variable named.
func auditSigningKey(getenv env) (ed25519.PrivateKey, error) {
	raw := getenv(cadence.EnvAuditSigningKey)
	if raw == "" {
		return nil, nil
	}
	k, err := cadence.ParseAuditSigningKey(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cadence.EnvAuditSigningKey, err)
	}
	return k, nil
}

// auditCheckpoint signs the audit log's head, appends the checkpoint to
// the log and puts it in the weekly digest, so the managers' channel keeps
// a copy outside the database: a later rewrite of the log no longer
// matches a checkpoint anyone kept (audit --verify --key, --expect).
func (a *App) auditCheckpoint(ctx context.Context, body *cadence.Body) {
	if a.auditKey == nil {
		return
	}
	var e *cadence.AuditEntry
	err := a.db.Update(ctx, func(tx cadence.Tx) (err error) {
		e, err = cadence.AppendAuditCheckpoint(tx, a.opts.Clock.Now(), a.auditKey)
		return err
	})
	if err != nil {
		a.log.Error().Err(err).Msg("could not write the audit checkpoint; the digest goes without it")
		return
	}
	d := e.Details
	body.Sections = append(body.Sections, cadence.Section{Heading: "Audit checkpoint", Lines: []string{
		fmt.Sprintf("Audit log head after entry %s: %s", d["seq"], d["head"]),
		"Signature: " + d["signature"],
		"Public key: " + d["public_key"] + " — keep this message; `cadencebot audit --verify --key KEY --expect HEAD` proves the log still holds it",
	}})
	a.log.Info().Str("seq", d["seq"]).Str("head", d["head"]).Msg("audit checkpoint signed and written")
}
