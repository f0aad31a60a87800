//go:build !wasip1

package spinhttp

import (
	"fmt"

	"wasmsite/functions/sdk"
)

func send(*OutboundRequest) (Response, error) {
	return Response{}, fmt.Errorf("wasi-outbound-http: %w", sdk.ErrNotWasm)
}
