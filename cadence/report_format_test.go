package cadence_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file missing: run go test ./cadence -run %s -update", t.Name())
	assert.Equal(t, string(want), string(got), "%s differs; run with -update if the change is intended", path)
}

func TestWriteReportGolden(t *testing.T) {
	in := adherenceFixture()
	in.Roster = cadencetest.TestRoster(t)
	rep := cadence.BuildReport(in)
	for _, tc := range []struct{ format, file string }{
		{"text", "report.txt"}, {"md", "report.md"}, {"csv", "report.csv"}, {"json", "report.json"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, cadence.WriteReport(&b, rep, tc.format))
			golden(t, tc.file, b.Bytes())
		})
	}
}

func TestWriteReportParses(t *testing.T) {
	in := adherenceFixture()
	rep := cadence.BuildReport(in)

	var b bytes.Buffer
	require.NoError(t, cadence.WriteReport(&b, rep, "csv"))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	assert.Len(t, rows, 1+1+len(rep.Rituals)+len(rep.People)+len(rep.Weeks)+len(rep.Occurrences))
	assert.Equal(t, []string{"team", "", "", "", "", "", "", "5", "3", "2", "1", "1", "6", "1", "5", "4", "1740", "70.0", "", ""}, rows[1])

	b.Reset()
	require.NoError(t, cadence.WriteReport(&b, rep, "json"))
	var doc struct {
		Team struct {
			Score          float64 `json:"score"`
			MedianLatencyS float64 `json:"median_latency_seconds"`
		} `json:"team"`
		Occurrences []struct {
			DidNotAnswer []string `json:"did_not_answer"`
		} `json:"occurrences"`
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
	assert.Equal(t, 70.0, doc.Team.Score)
	assert.Equal(t, 1740.0, doc.Team.MedianLatencyS)
	assert.Equal(t, []string{"cy"}, doc.Occurrences[1].DidNotAnswer)

	err = cadence.WriteReport(&b, rep, "xlsx")
	assert.EqualError(t, err, `unknown report format "xlsx": want text, md, csv, json`)

	// An empty report renders without tables.
	b.Reset()
	require.NoError(t, cadence.WriteReport(&b, &cadence.Report{}, "text"))
	assert.Contains(t, b.String(), "Adherence from the beginning to now")
}
