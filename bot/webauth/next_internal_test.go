package webauth

import "testing"

// A return path stays on this server; anything else goes home.
func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/me":                  "/me",
		"/c/mlops?page=2":      "/c/mlops?page=2",
		"/dashboard/people":    "/dashboard/people",
		"":                     "/",
		"//evil.example/x":     "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"me":                   "/",
		"/auth/logout":         "/",
		"/\t/evil.example":     "/",
		"/\n/evil.example":     "/",
		"/me\\..\\x":           "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
