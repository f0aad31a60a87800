package engine

import (
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

// restore copies the snapshot into a fresh instance of the same module.
func (s *snapshot) restore(inst api.Module) error {
	mem := inst.Memory()
	if cur := mem.Size() / 65536; cur < s.pages {
		if _, ok := mem.Grow(s.pages - cur); !ok {
			return fmt.Errorf("cannot grow memory to %d pages", s.pages)
		}
	}
	if !mem.Write(0, s.mem) {
		return fmt.Errorf("snapshot larger than memory")
	}
	for i, name := range s.names {
		g, ok := inst.ExportedGlobal(name).(api.MutableGlobal)
		if !ok {
			return fmt.Errorf("global %s is not mutable", name)
		}
		g.Set(s.globals[i])
	}
	return nil
}
