package security

import (
	"testing"

	"wasmsite/server/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
