//go:build windows || plan9 || solaris || aix || android

package store

// freeBytes cannot tell here; the checked copy is then always written.
func freeBytes(string) (uint64, bool) { return 0, false }
