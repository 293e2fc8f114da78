//go:build unix

package app

import (
	"os"
	"runtime"
	"syscall"
)

// maxRSSKB is a finished process's peak resident set in KB (getrusage's
// ru_maxrss: KB on Linux and the BSDs, bytes on macOS); 0 if unknown.
func maxRSSKB(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss) / 1024
	}
	return int64(ru.Maxrss)
}
