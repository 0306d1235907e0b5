package main

import (
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/rs/zerolog"
)

// recoverPanics answers a request whose handler panicked with a 500 and
// one error log line, instead of net/http's dropped connection and a
// stack on stderr. Memory faults count too (a damaged database page
// read through bbolt's mmap): without SetPanicOnFault they kill the bot.
func recoverPanics(next http.Handler, log zerolog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(p) // a handler cutting its own stream short
			}
			log.Error().Str("method", r.Method).Str("path", r.URL.Path).Str("panic", fmt.Sprint(p)).
				Str("stack", string(debug.Stack())).Msg("request failed with a panic; answered 500")
			// Headers may be gone already; then this only ends the body.
			http.Error(w, "internal error: the bot's log has the details", http.StatusInternalServerError)
		}()
		next.ServeHTTP(w, r)
	})
}
