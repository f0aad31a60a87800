//go:build !unix

package site

import (
	"os"
	"time"
)

func cpuTime() time.Duration { return 0 }

func peakRSS(*os.ProcessState) uint64 { return 0 }

func syncDisks() {}
