//go:build !unix

package app

import "os"

// maxRSSKB is unknown off Unix (0).
func maxRSSKB(*os.ProcessState) int64 { return 0 }
