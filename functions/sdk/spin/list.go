package spin

// A string, or a list<u8>, is passed as a (pointer, length) pair of u32s; a list<T> is a
// pointer to its elements laid out one after another, and their count.

// List element of list<string>: 8 bytes, align 4.
const (
	StringSize  = 8
	StringAlign = 4
	StringPtr   = 0
	StringLen   = 4
)

// List element of list<tuple<string, string>>, the shape of HTTP headers and params:
// 16 bytes, align 4.
const (
	PairSize     = 16
	PairAlign    = 4
	PairNamePtr  = 0
	PairNameLen  = 4
	PairValuePtr = 8
	PairValueLen = 12
)
