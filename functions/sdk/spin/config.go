package spin

// ConfigError is the spin-config `error` variant (wit/ephemeral/spin-config.wit), in
// discriminant order; every case carries a message string.
type ConfigError uint8

const (
	ConfigProvider ConfigError = iota
	ConfigInvalidKey
	ConfigInvalidSchema
	ConfigOther
)

// The result area of spin-config.get-config, expected<string, error>: 16 bytes,
// align 4. Ok holds the value string; err holds the variant's tag (u8) and message.
const (
	ConfigResultSize  = 16
	ConfigResultAlign = 4
	ConfigValuePtr    = 4
	ConfigValueLen    = 8
	ConfigErrorTag    = 4
	ConfigErrorMsgPtr = 8
	ConfigErrorMsgLen = 12
)
