package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"strconv"
)

// statTag is a strong ETag from a file's size and modification time (as nginx makes
// them): ssg rewrites only files whose bytes changed, so an unchanged page keeps its
// tag across builds. ok is false without a modification time.
func statTag(info fs.FileInfo, suffix string) (string, bool) {
	mod := info.ModTime()
	if mod.IsZero() {
		return "", false
	}
	var buf [64]byte // one allocation, for the string
	b := append(buf[:0], '"')
	b = strconv.AppendInt(b, info.Size(), 36)
	b = append(b, '-')
	b = strconv.AppendInt(b, mod.UnixNano(), 36)
	b = append(b, suffix...)
	b = append(b, '"')
	return string(b), true
}

// contentTag is an ETag from a file's bytes, for file systems that give no times.
func contentTag(data []byte, suffix string) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:16]) + suffix + `"`
}
