//go:build !windows && !plan9 && !solaris && !aix && !android

package store

import (
	"os"
	"syscall"
)

// unlock drops bbolt's flock on f. Closing f is not enough after a panic
// in bolt.Open: the memory map bbolt left behind still references the
// open file, and the kernel keeps the lock until that reference goes.
func unlock(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
