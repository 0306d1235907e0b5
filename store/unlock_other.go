//go:build windows || plan9 || solaris || aix || android

package store

import "os"

// unlock is a no-op where bbolt does not use flock: there Open relies on
// closing the file (untested on these platforms).
func unlock(*os.File) {}
