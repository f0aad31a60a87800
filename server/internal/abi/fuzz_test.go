package abi

import (
	"context"
	"encoding/binary"
	"testing"
	"unicode/utf8"
)

// FuzzLiftResponse: whatever a guest leaves in its memory and returns as the response
// record's address, lifting gives an *Error or a response within the limits (status
// 100-600, UTF-8 header strings), never a panic or an out-of-range read.
func FuzzLiftResponse(f *testing.F) {
	record := func(status uint16, hTag byte, hPtr, hLen uint32, bTag byte, bPtr, bLen uint32) []byte {
		b := make([]byte, 28)
		binary.LittleEndian.PutUint16(b, status)
		b[4] = hTag
		binary.LittleEndian.PutUint32(b[8:], hPtr)
		binary.LittleEndian.PutUint32(b[12:], hLen)
		b[16] = bTag
		binary.LittleEndian.PutUint32(b[20:], bPtr)
		binary.LittleEndian.PutUint32(b[24:], bLen)
		return b
	}
	f.Add(record(200, 0, 0, 0, 1, 100, 5), uint32(64))
	f.Add(record(200, 1, 200, 1, 0, 0, 0), uint32(64))
	f.Add(record(404, 1, 0xfffffff0, 0x10000000, 1, 0xffffffff, 0xffffffff), uint32(64))
	f.Add(record(9999, 2, 0, 0, 7, 0, 0), uint32(65530))
	f.Add([]byte{}, uint32(0xfffffffc))
	g := newGuest(f)
	f.Fuzz(func(t *testing.T, mem []byte, at uint32) {
		all, _ := g.mem.Read(0, g.mem.Size())
		clear(all)
		copy(all, mem)
		resp, err := g.g.liftResponse(context.Background(), at, false)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is not an *Error", err)
			}
			return
		}
		if resp.Status < 100 || resp.Status > 600 {
			t.Fatalf("status %d", resp.Status)
		}
		for _, h := range resp.Headers {
			if !utf8.ValidString(h[0]) || !utf8.ValidString(h[1]) {
				t.Fatalf("header %q", h)
			}
		}
	})
}
