package local

// PagesParsed says how many times the page templates were parsed.
func PagesParsed() int32 { return pagesParsed.Load() }
