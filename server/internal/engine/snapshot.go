package engine

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"github.com/tetratelabs/wazero/api"
)

// snapshot is a reactor's instance state right after `_initialize`: its linear memory
// and mutable globals. Instances restored from it skip the initialisation (for a Go
// guest, the Go runtime's start-up) while still getting fresh instance state: each
// request instantiates anew and has the snapshot copied in, so nothing one request
// leaves behind is visible to the next.
//
// Like any pre-initialisation (Wizer), what `_initialize` computed is shared by all
// instances: a guest runtime's hash seeds and math/rand seed are the same in each
// instance of a component; values read from random_get after start-up (crypto/rand)
// are fresh per call.
type snapshot struct {
	mem     []byte
	pages   uint32
	names   []string
	globals []uint64
}

// takeSnapshot instantiates the (rewritten) module, runs `_initialize` and captures
// memory and the exported mutable globals.
func (m *Module) takeSnapshot(ctx context.Context, globals []globalInfo) (*snapshot, error) {
	inst, err := m.e.rt.InstantiateModule(ctx, m.compiled, m.base)
	if err != nil {
		return nil, err
	}
	defer inst.Close(ctx)
	if _, err := inst.ExportedFunction("_initialize").Call(ctx); err != nil {
		return nil, fmt.Errorf("_initialize: %w", err)
	}
	mem := inst.Memory()
	if mem == nil {
		return nil, fmt.Errorf("module has no memory")
	}
	data, _ := mem.Read(0, mem.Size())
	s := &snapshot{mem: append([]byte(nil), data...), pages: mem.Size() / 65536}
	for _, g := range globals {
		name := snapshotExportPrefix + strconv.Itoa(int(g.index))
		eg := inst.ExportedGlobal(name)
		if eg == nil {
			return nil, fmt.Errorf("global %s not exported", name)
		}
		s.names = append(s.names, name)
		s.globals = append(s.globals, eg.Get())
	}
	return s, nil
}

// restore resets an instance of the same module to the snapshot: memory up to the
// snapshot's length is copied back, every byte beyond it (memory the instance grew) is
// zeroed, and the mutable globals are set. Memory cannot shrink, so a reused instance
// keeps its size; its guest runtime sees only the snapshot's view of it.
func (s *snapshot) restore(inst api.Module) error {
	mem := inst.Memory()
	if cur := mem.Size() / 65536; cur < s.pages {
		if _, ok := mem.Grow(s.pages - cur); !ok {
			return fmt.Errorf("cannot grow memory to %d pages", s.pages)
		}
	}
	// Read returns a view of linear memory, so this writes in place.
	buf, ok := mem.Read(0, mem.Size())
	if !ok || len(buf) < len(s.mem) {
		return fmt.Errorf("snapshot larger than memory")
	}
	restorePages(buf, s.mem)
	clear(buf[len(s.mem):])
	for i, name := range s.names {
		g, ok := inst.ExportedGlobal(name).(api.MutableGlobal)
		if !ok {
			return fmt.Errorf("global %s is not mutable", name)
		}
		g.Set(s.globals[i])
	}
	return nil
}

// reusable reports whether an instance whose memory is now size bytes may be reset and
// reused: its growth past the snapshot stays under max(snapshot size, 16 MiB), so a
// reset (which touches all of memory) stays cheap and a guest runtime that grows memory
// again on every reuse (Go's does) cannot grow without bound.
func (s *snapshot) reusable(size uint32) bool {
	return uint64(size) <= uint64(len(s.mem))+max(uint64(len(s.mem)), 16<<20)
}

// restorePage is the unit restorePages compares: much of a guest's memory (its
// runtime's read-only data, untouched heap) is unchanged after a call, and comparing
// reads what a copy would write, so only differing pages are written.
const restorePage = 4096

// restorePages makes dst[:len(snap)] equal to snap, writing only differing pages.
func restorePages(dst, snap []byte) {
	for off := 0; off < len(snap); off += restorePage {
		end := min(off+restorePage, len(snap))
		if !bytes.Equal(dst[off:end], snap[off:end]) {
			copy(dst[off:end], snap[off:end])
		}
	}
}
