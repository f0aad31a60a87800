//go:build wasip1

package redistrigger

import (
	"fmt"
	"os"

	"wasmsite/functions/sdk/internal/abi"
)

// retArea is expected<unit, error>: +0 u8 is_err, +1 u8 error (1 = error).
var retArea = abi.Buf(2)

//go:wasmexport handle-redis-message
func handleRedisMessage(ptr, n uint32) uint32 {
	clear(retArea)
	payload, err := abi.Take(ptr, n)
	if err == nil {
		err = Deliver(payload)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "handle-redis-message: %v\n", err)
		abi.PutU8(retArea, 0, 1)
		abi.PutU8(retArea, 1, 1)
	}
	return abi.Addr(retArea)
}
