package store_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
)

// BenchmarkSAdd adds distinct members to one set, serially and from parallel
// goroutines (GOMAXPROCS × -cpu, see b.SetParallelism), on both backends. Every embedded
// write is committed and fsynced before it returns; the redis-server started by the
// benchmark has no persistence.
func BenchmarkSAdd(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			r := be.new(b)
			ctx := context.Background()
			var seq atomic.Int64
			b.Run("serial", func(b *testing.B) {
				for b.Loop() {
					m := strconv.FormatInt(seq.Add(1), 10)
					if _, err := r.SAdd(ctx, "bench-serial", []string{m}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			})
			b.Run("parallel", func(b *testing.B) {
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						m := strconv.FormatInt(seq.Add(1), 10)
						if _, err := r.SAdd(ctx, "bench-parallel", []string{m}); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			})
		})
	}
}
