package ops

import "fmt"

// English-only wording for ops messages that are not in the catalogs yet;
// the engine keeps its own copies (cadence/failnotice.go) rather than
// exporting them, as both go once these strings are translated.

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
