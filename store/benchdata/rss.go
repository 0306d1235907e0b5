package benchdata

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// ResetPeakRSS restarts the kernel's peak resident set count of this
// process (Linux: /proc/self/clear_refs), so PeakRSS measures from here.
func ResetPeakRSS() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// PeakRSS is this process's peak resident set size in bytes since start or
// the last ResetPeakRSS (Linux: VmHWM in /proc/self/status).
func PeakRSS() (int64, error) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(v), []byte("kB")))), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("VmHWM %q: %w", v, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

// CPUTime is the user and system CPU time this process used so far. On a
// shared machine a benchmark's wall time includes waiting for a core;
// its CPU time per operation does not.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReportCPU reports the CPU time per operation since start as cpu-ms/op.
func ReportCPU(b interface {
	ReportMetric(float64, string)
}, start time.Duration, n int) {
	if n > 0 {
		b.ReportMetric(float64(CPUTime()-start)/float64(n)/1e6, "cpu-ms/op")
	}
}

// AnonRSS is this process's resident anonymous memory in bytes (Linux:
// RssAnon): the heap and stacks, without the database file's pages that
// bbolt's memory map keeps resident (clean, and dropped first by the
// kernel under pressure), which VmHWM counts.
func AnonRSS() (int64, error) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("RssAnon:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(v), []byte("kB")))), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("RssAnon %q: %w", v, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no RssAnon in /proc/self/status")
}
