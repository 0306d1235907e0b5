package benchdata

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
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
