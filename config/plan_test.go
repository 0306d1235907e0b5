package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/config"
)

// `plan = true` marks the question whose answer the next prompt shows.
func TestPlanQuestionFromFile(t *testing.T) {
	cfg, err := config.Default()
	require.NoError(t, err)
	q := cfg.Ritual("standup").PlanQuestion()
	require.NotNil(t, q)
	assert.Equal(t, "today", q.ID)
	assert.Nil(t, cfg.Ritual("triage").PlanQuestion(), "triage asks no plan")
}
