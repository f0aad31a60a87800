// Package redistrigger receives messages of a Spin Redis trigger: importing it makes
// the component export handle-redis-message. Register the handler from func init().
// A nil error answers ok; a non-nil error (or a panic) answers the `error` case, which
// the host logs as a failed delivery.
package redistrigger

import (
	"fmt"
	"os"
	"sync"

	"wasmsite/functions/sdk/internal/abi"
)

var (
	mu      sync.RWMutex
	handler func(payload []byte) error
)

// Handle registers the message handler.
//
// It also readies the Go runtime for messages (see spinhttp.Handle).
func Handle(f func(payload []byte) error) {
	mu.Lock()
	handler = f
	mu.Unlock()
	abi.Ready(nil)
}

// Deliver runs the registered handler on payload as the export does (nil handler and
// panics are errors). Exported for native tests of components.
func Deliver(payload []byte) (err error) {
	mu.RLock()
	h := handler
	mu.RUnlock()
	if h == nil {
		return fmt.Errorf("redistrigger: no handler registered")
	}
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(os.Stderr, "redistrigger: handler panic: %v\n", p)
			err = fmt.Errorf("redistrigger: handler panic: %v", p)
		}
	}()
	return h(payload)
}
