//go:build wasip1

package redistrigger

import (
	"fmt"
	"os"

	"wasmsite/functions/sdk/internal/abi"
	"wasmsite/functions/sdk/spin"
)

// retArea is the export's result, expected<unit, error> (spin.RedisUnit*).
var retArea = abi.Buf(spin.RedisUnitSize)

//go:wasmexport handle-redis-message
func handleRedisMessage(ptr, n uint32) uint32 {
	clear(retArea)
	payload, err := abi.Take(ptr, n)
	if err == nil {
		err = Deliver(payload)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "handle-redis-message: %v\n", err)
		abi.PutU8(retArea, spin.ResultIsErr, 1)
		abi.PutU8(retArea, spin.RedisUnitError, spin.RedisError)
	}
	return abi.Addr(retArea)
}
