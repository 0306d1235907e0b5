package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reindex rebuilds the aggregates of a simulated history: the report
// before and after is byte for byte the same.
func TestReindexKeepsReports(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	code, _, errOut := cli(t, nil, "simulate", "--weeks", "3", "--seed", "5", "--db", db)
	require.Equal(t, 0, code, errOut)
	code, before, errOut := cli(t, nil, "report", "--db", db, "--weeks", "3", "--format", "json")
	require.Equal(t, 0, code, errOut)

	code, out, errOut := cli(t, nil, "reindex", "--db", db)
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `^reindexed .*demo.db: \d+ occurrences \(\d+ final, aggregated\) and \d+ answers read, \d+ week aggregates written in `, out)

	code, after, errOut := cli(t, nil, "report", "--db", db, "--weeks", "3", "--format", "json")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, withoutClock(t, before), withoutClock(t, after))
}

// withoutClock drops what the wall clock sets (the report runs "up to now").
func withoutClock(t *testing.T, doc string) map[string]any {
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(doc), &m))
	delete(m, "generated_at")
	delete(m, "to")
	return m
}

func TestReindexNamesMissingDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "nope.db")
	code, _, errOut := cli(t, nil, "reindex", "--db", db)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "database "+db+" does not exist")
}
