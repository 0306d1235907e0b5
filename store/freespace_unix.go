//go:build !windows && !plan9 && !solaris && !aix && !android

package store

import "syscall"

// freeBytes is the space left to unprivileged writers on dir's file
// system, and false when it cannot be told.
func freeBytes(dir string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return st.Bavail * uint64(st.Bsize), true
}
