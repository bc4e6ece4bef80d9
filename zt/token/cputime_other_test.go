//go:build !linux

package token_test

import "time"

var start = time.Now()

// threadCPU falls back to wall time where no thread CPU clock is at hand.
func threadCPU() time.Duration {
	return time.Since(start)
}
