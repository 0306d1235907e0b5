package cadence

import "context"

// urgentKey marks the context of a send someone is waiting for.
type urgentKey struct{}

// WithUrgent marks ctx as the context of a send a person or a channel is
// waiting for right now (a receipt, a notice, the summary, an edit), as
// against the bulk of a fan-out. The dispatcher marks them; adapters
// read Urgent.
func WithUrgent(ctx context.Context) context.Context {
	return context.WithValue(ctx, urgentKey{}, true)
}

// Urgent reports whether ctx was marked by WithUrgent. An adapter that
// queues its calls behind its rate limits lets such a call take the next
// turn (bot/slack's limiter), so a receipt does not wait behind the
// prompts of a fan-out already queued there.
func Urgent(ctx context.Context) bool {
	v, _ := ctx.Value(urgentKey{}).(bool)
	return v
}
