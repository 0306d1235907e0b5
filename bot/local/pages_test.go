package local_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/local"
)

// Building the chat parses no template, so a start spends nothing on
// pages before it is ready; the first page served parses them, once per
// process, whatever the number of servers.
func TestPagesParsedOnceOnTheFirstPage(t *testing.T) {
	before := local.PagesParsed()
	h := newHarness(t, "")
	assert.Equal(t, before, local.PagesParsed(), "NewServer parses nothing")
	status, _ := h.get("/")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, int32(1), local.PagesParsed(), "the first page parses them")
	h2 := newHarness(t, "/chat")
	status, _ = h2.get("/")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, int32(1), local.PagesParsed(), "once per process")
}
