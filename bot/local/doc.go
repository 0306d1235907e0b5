// Package local is the local web chat: the embedded default chat platform
// when no Slack or Teams credentials are configured, and the quickest way
// to see cadencebot work.
//
// Chat delivers the engine's outbox messages. It keeps nothing of its own:
// the outbox message in the store (with its Ref: the room and the message
// key) is the record, and the pages read it back with Tx.Messages. Send and
// Update only return refs and wake pages waiting for news.
//
// Server serves the pages: the roster to pick who you are, a person's
// inbox (pending prompts with a form each, received DMs, a /cadence
// command box) and channel pages (agendas with their threads: reminders,
// the summary at its latest revision). A message's image (the weekly
// digest's chart) is shown inline from /img/{key}, read from the store, so
// the Content-Security-Policy stays "default-src 'self'". With the MLOps
// service (a *ops.Service), follow-up and release notices carry
// their buttons as small forms posting to /act, and /ops lists the
// visitor's open follow-ups, the release lane (approve and reject for
// approvers) and a release proposal form (ops.go). Pages are
// server-rendered and work
// without JavaScript; a few lines of optional script reload a page when
// new messages arrive.
//
// Wiring (cmd/cadencebot): the chat exists before the engine, the server
// after it:
//
//	chat := local.NewChat()
//	eng, _ := cadence.New(cadence.EngineConfig{..., DefaultPlatform: local.Platform})
//	// the dispatcher delivers "local" messages through chat
//	srv := local.NewServer(eng, store, clock, logger, local.WithChat(chat))
//	mux.Handle("/", srv.Handler()) // or "/chat/" with http.StripPrefix("/chat", ...)
//
// The /wait long poll holds a request for up to 25 s: the HTTP server's
// WriteTimeout must be longer.
//
// Security: the local chat has no authentication. "Who am I" is a choice
// stored in a session cookie, so anyone who can reach the address can act
// as anyone on the roster. It is meant for trials on a loopback address
// (the default 127.0.0.1:8080); a team uses Slack or Teams. Forms carry a
// per-session CSRF token so another site cannot post on a visitor's behalf.
package local
