package local

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSafeBackStaysInsideTheChat(t *testing.T) {
	tests := []struct{ back, want string }{
		{"/me", "/me"},
		{"/me#m-fu/FU-1/assigned/ana/1", "/me#m-fu%2FFU-1%2Fassigned%2Fana%2F1"},
		{"/ops#REL-2", "/ops#REL-2"},
		{"/c/deploy", "/c/deploy"},
		{"/c/deploy#m-rel/REL-1/proposed", "/c/deploy#m-rel%2FREL-1%2Fproposed"},
		{"", "/me"},
		{"https://evil.example/me", "/me"},
		{"//evil.example/me", "/me"},
		{"/\\evil.example", "/me"},
		{"/c/deploy/../../x", "/me"},
		{"/ops?x=1", "/me"},
		{"/whoami", "/me"},
		{"javascript:alert(1)", "/me"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, safeBack(tt.back), tt.back)
	}
}
