package dashboard

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRoughAge(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{20 * time.Minute, "less than an hour"},
		{time.Hour, "1 hour"},
		{13*time.Hour + 50*time.Minute, "13 hours"},
		{day, "1 day"},
		{2*day + 23*time.Hour, "2 days"},
		{13 * day, "13 days"},
		{14 * day, "2 weeks"},
		{23 * day, "3 weeks"},
		{61 * day, "2 months"},
		{337*day + 13*time.Hour, "11 months"},
		{365 * day, "1 year"},
		{800 * day, "2 years"},
	} {
		assert.Equal(t, tc.want, roughAge(tc.d), "%s", tc.d)
	}
}
