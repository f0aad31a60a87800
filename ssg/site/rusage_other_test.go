//go:build !unix

package site

import "os"

func cpuTime() cpuUse { return cpuUse{} }

func peakRSS(*os.ProcessState) uint64 { return 0 }

func syncDisks() {}
