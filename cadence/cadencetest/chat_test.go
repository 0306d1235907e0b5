package cadencetest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

func TestChatRecordsAndUpdates(t *testing.T) {
	ctx := context.Background()
	c := cadencetest.NewChat("")
	assert.Equal(t, "local", c.Platform())
	m := &cadence.Message{Key: "k", Kind: cadence.KindAgenda, To: cadence.Recipient{Channel: "mlops"}, Body: cadence.Body{Text: "v1"}}
	ref, err := c.Send(ctx, m, cadence.Ref{})
	require.NoError(t, err)
	assert.Equal(t, cadence.Ref{Channel: "mlops", ID: "1"}, ref)

	m.Body.Text = "v2"
	require.NoError(t, c.Update(ctx, ref, m))
	got := c.ByKey("k")
	require.Len(t, got, 1)
	assert.Equal(t, "v2", got[0].Message.Body.Text)
	assert.Equal(t, 1, got[0].Updates)

	err = c.Update(ctx, cadence.Ref{Channel: "mlops", ID: "99"}, m)
	require.Error(t, err)
	retry, _ := cadence.IsRetryable(err)
	assert.False(t, retry, "updating an unknown message is permanent")

	_, err = c.Send(ctx, m, ref)
	require.NoError(t, err)
	assert.Equal(t, []string{"k"}, c.Duplicates())
	assert.Equal(t, map[cadence.MessageKind]int{cadence.KindAgenda: 2}, c.Kinds())
}

func TestChatHooks(t *testing.T) {
	ctx := context.Background()
	c := cadencetest.NewReconcilingChat("slack")
	m := &cadence.Message{Key: "p", To: cadence.Recipient{Person: "ana"}}
	refused := errors.New("refused")
	c.BeforeSend = func(*cadence.Message) error { return refused }
	_, err := c.Send(ctx, m, cadence.Ref{})
	require.ErrorIs(t, err, refused)
	assert.Empty(t, c.Delivered(), "refused before delivery")

	lost := errors.New("reply lost")
	c.BeforeSend = nil
	c.AfterSend = func(*cadence.Message) error { return lost }
	_, err = c.Send(ctx, m, cadence.Ref{})
	require.ErrorIs(t, err, lost)
	require.Len(t, c.To(cadence.Recipient{Person: "ana"}), 1, "delivered although the reply was lost")

	ref, ok, err := c.Lookup(ctx, m, cadence.Ref{})
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, cadence.Ref{Channel: "D-ana", ID: "1"}, ref)
	_, ok, err = c.Lookup(ctx, &cadence.Message{Key: "other"}, cadence.Ref{})
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Equal(t, 2, c.Lookups())
}
