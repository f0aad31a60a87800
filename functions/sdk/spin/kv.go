package spin

// KVError is the key-value `error` variant (wit/ephemeral/key-value.wit), in
// discriminant order; only KVIO carries a payload, a message string.
type KVError uint8

const (
	KVStoreTableFull KVError = iota
	KVNoSuchStore
	KVAccessDenied
	KVInvalidStore
	KVNoSuchKey
	KVIO
)

// The result area of every key-value function but close, expected<T, error>: 16 bytes,
// align 4. Ok holds T at KVPayload: a store handle (u32, open), a bool (u8, exists), a
// list<u8> (get) or list<string> (get-keys) as pointer and length (KVListPtr,
// KVListLen), or nothing. Err holds the variant's tag (u8) and, for KVIO, its message.
const (
	KVResultSize  = 16
	KVResultAlign = 4
	KVPayload     = 4
	KVListPtr     = 4
	KVListLen     = 8
	KVErrorTag    = 4
	KVErrorMsgPtr = 8
	KVErrorMsgLen = 12
)
