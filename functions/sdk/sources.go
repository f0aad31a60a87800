package sdk

import "embed"

// Sources are the SDK's Go sources (every package a component imports, tests
// included: writers leave out _test.go files), paths relative to functions/sdk. The
// host's `server new` writes them into each Go application it creates, so that the
// application builds outside this repository and without a network.
//
//go:embed doc.go config kv redis redistrigger spin spinhttp internal/abi
var Sources embed.FS
