package dashboard_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/dashboard"
)

func TestTableSortAndEncode(t *testing.T) {
	tb := func() *dashboard.Table {
		return &dashboard.Table{
			ID:      "t",
			Columns: []dashboard.Column{{Key: "name"}, {Key: "rate", Numeric: true}},
			Rows: [][]dashboard.Cell{
				{{Value: "bo"}, {Value: 50.5}},
				{{Value: "Ana"}, {Value: nil}},
				{{Value: "cy"}, {Value: 9}},
				{{Value: "dee"}, {Value: 50.5}},
			},
		}
	}
	names := func(t *dashboard.Table) (out []string) {
		for _, r := range t.Rows {
			out = append(out, r[0].Value.(string))
		}
		return out
	}
	tests := []struct {
		key  string
		desc bool
		want []string
	}{
		{"name", false, []string{"Ana", "bo", "cy", "dee"}}, // case-insensitive
		{"name", true, []string{"dee", "cy", "bo", "Ana"}},
		{"rate", false, []string{"cy", "bo", "dee", "Ana"}}, // 9 < 50.5 numerically; nil last; ties stable
		{"rate", true, []string{"bo", "dee", "cy", "Ana"}},
	}
	for _, tt := range tests {
		x := tb()
		require.NoError(t, x.SortBy(tt.key, tt.desc))
		assert.Equal(t, tt.want, names(x), "%s desc=%v", tt.key, tt.desc)
	}
	assert.EqualError(t, tb().SortBy("age", false), `unknown column "age" (want one of name, rate)`)

	var csv bytes.Buffer
	require.NoError(t, tb().WriteCSV(&csv))
	assert.Equal(t, "name,rate\nbo,50.5\nAna,\ncy,9\ndee,50.5\n", csv.String())
	j, err := tb().MarshalJSON()
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"t","title":"","columns":[{"key":"name","label":"","type":"string"},{"key":"rate","label":"","type":"number"}],
		"rows":[{"name":"bo","rate":50.5},{"name":"Ana","rate":null},{"name":"cy","rate":9},{"name":"dee","rate":50.5}]}`, string(j))

	assert.Equal(t, "—", dashboard.Cell{}.Display())
	assert.Equal(t, "12", dashboard.Cell{Value: 12}.Display())
	assert.Equal(t, "12%", dashboard.Cell{Value: 12, Text: "12%"}.Display())
}

func TestTableJSONEscapesLikeEncodingJSON(t *testing.T) {
	for _, s := range []string{`a"b\c`, "line\nbreak\ttab\x01", "<script>&</script>", "sep\u2028\u2029", "Jovanović 日本", "bad\xffutf8"} {
		tb := &dashboard.Table{ID: "t", Columns: []dashboard.Column{{Key: "v"}}, Rows: [][]dashboard.Cell{{{Value: s}}}}
		got, err := json.Marshal(tb)
		require.NoError(t, err)
		var back struct{ Rows []map[string]string }
		require.NoError(t, json.Unmarshal(got, &back), "%s", got)
		assert.Equal(t, strings.ToValidUTF8(s, "\ufffd"), back.Rows[0]["v"])
		assert.NotContains(t, string(got), "<", "HTML-safe, as encoding/json")
	}
}
