package ops

import (
	"fmt"
	"strings"
)

// English-only wording for ops messages that are not in the catalogs yet;
// the engine keeps its own copies (cadence/failnotice.go) rather than
// exporting them, as both go once these strings are translated.

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// joinAnd writes "a", "a and b", "a, b and c".
func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
