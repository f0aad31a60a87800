// Package pool runs the iterations of a loop on a bounded number of
// goroutines.
package pool

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Run calls fn(0), …, fn(n-1) on up to workers goroutines, each taking the
// next index when it is done with one, and returns the errors joined in index
// order (nil when every call returned nil).
func Run(n, workers int, fn func(i int) error) error {
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	if workers > n {
		workers = n
	}
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				errs[i] = fn(i)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
