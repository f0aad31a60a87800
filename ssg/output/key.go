package output

import (
	"encoding/binary"
	"hash/maphash"
)

// UnknownKey is the key of nothing: a file whose content is unknown has it,
// and so is always rewritten. KeyHash.Key never returns it.
const UnknownKey = 0

// Keys makes the incremental-build keys of one process: each Keys hashes
// with its own random seed, so keys are never compared across processes
// (or Keys values).
type Keys struct{ seed maphash.Seed }

// NewKeys returns a Keys with a new seed.
func NewKeys() Keys { return Keys{maphash.MakeSeed()} }

// New starts a key.
func (k Keys) New() *KeyHash {
	h := &KeyHash{}
	h.h.SetSeed(k.seed)
	return h
}

// KeyHash accumulates what an output is made from; Key returns its key.
type KeyHash struct{ h maphash.Hash }

// Text adds s, terminated: Text("ab").Text("c") and Text("a").Text("bc")
// differ.
func (k *KeyHash) Text(s string) *KeyHash {
	k.h.WriteString(s)
	k.h.WriteByte(0)
	return k
}

// Number adds v: another key, a count, a size or a time.
func (k *KeyHash) Number(v uint64) *KeyHash {
	var a [8]byte
	binary.LittleEndian.PutUint64(a[:], v)
	k.h.Write(a[:])
	return k
}

// Bytes adds b, unterminated: for the last or only variable-length input.
func (k *KeyHash) Bytes(b []byte) *KeyHash {
	k.h.Write(b)
	return k
}

// Key returns the key of what was added; never UnknownKey.
func (k *KeyHash) Key() uint64 { return k.h.Sum64() | 1 }
