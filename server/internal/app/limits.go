package app

import (
	"cmp"
	"time"

	"wasmsite/server/internal/engine"
	"wasmsite/server/internal/trigger"
	"wasmsite/server/manifest"
)

// DefaultLimits returns the limits used where neither flags nor the runtime config set
// one: 4 × GOMAXPROCS instances and 8 × that many queued requests per component,
// 128 MiB of linear memory per instance and 16 MiB per request body. Host memory is
// then bounded by components × MaxInstances × (MaxMemoryMB + MaxBodyMB) plus the
// host's own (compiled code, images: about 100 MB for this site). The listener keeps at
// most 1,024 connections, gives a request 10 s for its headers and 60 s in all to
// arrive, and closes a keep-alive connection idle for 60 s; WriteTimeout is left 0 here
// (see writeTimeout). Each component log file is rotated at 10 MiB, keeping 3.
func DefaultLimits() manifest.Limits {
	max := engine.DefaultMaxInstances()
	return manifest.Limits{MaxInstances: max, MaxQueue: 8 * max,
		MaxMemoryMB: engine.DefaultMemoryLimitPages / 16, MaxBodyMB: trigger.DefaultMaxBody >> 20,
		MaxConnections: 1024, HeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		IdleTimeout: 60 * time.Second, LogMaxMB: 10, LogBackups: 3}
}

// mergeLimits takes each limit from the flags, else the runtime config, else the
// default; the write timeout's default follows the request timeout.
func mergeLimits(flags manifest.Limits, rc *manifest.RuntimeConfig, requestTimeout time.Duration) manifest.Limits {
	var file manifest.Limits
	if rc != nil {
		file = rc.Limits
	}
	def := DefaultLimits()
	out := manifest.Limits{
		MaxInstances:   cmp.Or(flags.MaxInstances, file.MaxInstances, def.MaxInstances),
		MaxMemoryMB:    cmp.Or(flags.MaxMemoryMB, file.MaxMemoryMB, def.MaxMemoryMB),
		MaxBodyMB:      cmp.Or(flags.MaxBodyMB, file.MaxBodyMB, def.MaxBodyMB),
		MaxConnections: cmp.Or(flags.MaxConnections, file.MaxConnections, def.MaxConnections),
		HeaderTimeout:  cmp.Or(flags.HeaderTimeout, file.HeaderTimeout, def.HeaderTimeout),
		ReadTimeout:    cmp.Or(flags.ReadTimeout, file.ReadTimeout, def.ReadTimeout),
		WriteTimeout:   cmp.Or(flags.WriteTimeout, file.WriteTimeout, writeTimeout(requestTimeout)),
		IdleTimeout:    cmp.Or(flags.IdleTimeout, file.IdleTimeout, def.IdleTimeout),
		LogMaxMB:       cmp.Or(flags.LogMaxMB, file.LogMaxMB, def.LogMaxMB),
		LogBackups:     cmp.Or(flags.LogBackups, file.LogBackups, def.LogBackups),
	}
	out.MaxQueue = cmp.Or(flags.MaxQueue, file.MaxQueue, 8*out.MaxInstances)
	return out
}

// writeTimeout is the default time from the end of a request's headers to the end of
// its response: the request timeout (which covers the wait for an instance and the
// guest call) and 30 s to send the response; 5 minutes without a request timeout.
func writeTimeout(requestTimeout time.Duration) time.Duration {
	if requestTimeout <= 0 {
		return 5 * time.Minute
	}
	return requestTimeout + 30*time.Second
}
