package wasmbin

import (
	"fmt"
	"sort"
	"strconv"
)

// Names of the exports Rewrite adds.
const (
	// GlobalExportPrefix + the global's index names the export of a mutable global.
	GlobalExportPrefix = "__wasmsite_global_"
	// StartExport names the export of the start function.
	StartExport = "__wasmsite_start"
	// InterruptExport names the exported i32 global that interrupts the code, and
	// FuelExport the one that counts down to its next yield (see Rewrite.Interrupt).
	InterruptExport = "__wasmsite_interrupt"
	FuelExport      = "__wasmsite_fuel"
	// YieldExport names the added function the code calls to yield (see
	// Rewrite.Interrupt): it does nothing, and a host runs Go code on its entry (a
	// function listener) to let the Go runtime preempt the guest's goroutine, which
	// compiled code alone never allows: without that, a garbage collection's stop of
	// the world waits for a looping guest to return.
	YieldExport = "__wasmsite_yield"
)

// Rewrite selects the changes Module.Rewrite makes.
type Rewrite struct {
	// ExportGlobals exports every mutable global the module defines, so that a host
	// can read and restore it through the public API.
	ExportGlobals bool
	// ExportStart removes the start section and exports its function instead, so that
	// instantiating does not run it and the host can run it once.
	ExportStart bool
	// EmptyActiveData replaces the contents of every active data segment with nothing,
	// for a host that supplies the initial memory itself (see ActiveData). An active
	// segment is dropped once instantiated, so an empty one behaves the same afterwards.
	EmptyActiveData bool
	// Interrupt makes the code stoppable and preemptible: every loop (and, in modules
	// with tail calls, every function) spends one unit of a fuel global on entry, and
	// every FuelPerYield units calls a yield function and traps with unreachable if the
	// interrupt global is not 0. The globals and the function are added at the end of
	// their index spaces (no existing index changes) and exported (FuelExport,
	// InterruptExport, YieldExport). A host stops a guest by setting the flag, and the
	// fuel to 1 to be heard at once. This costs a counter per iteration, where wazero's
	// own termination check leaves the compiled code for Go at every iteration.
	Interrupt bool
}

// Rewrite returns the module's bytes with the changes o selects. It fails when a mutable
// global to export is not numeric (a reference cannot be restored as a number), an added
// export name is taken, or code to instrument holds an instruction it does not decode.
func (m *Module) Rewrite(o Rewrite) ([]byte, error) {
	added, err := m.addedExports(o)
	if err != nil {
		return nil, err
	}
	replace := map[byte][]byte{} // section id -> the whole new section (nil: dropped)
	if o.ExportStart && m.Start != nil {
		replace[SectionStart] = nil
	}
	if o.EmptyActiveData && len(m.Data) > 0 {
		replace[SectionData] = m.dataSectionWithoutActive()
	}
	if o.Interrupt {
		fuel, flag := m.addedGlobals()
		if replace[SectionCode], err = m.instrumentedCode(fuel, flag); err != nil {
			return nil, err
		}
		replace[SectionGlobal] = m.extendedVecSection(SectionGlobal,
			Cat([]byte{I32, 1, 0x41}, SLEB(FuelPerYield), []byte{0x0b}), []byte{I32, 1, 0x41, 0, 0x0b})
		_, typ, fn, _ := m.yieldFunc()
		replace[SectionType] = m.extendedVecSection(SectionType, typ)
		replace[SectionFunction] = m.extendedVecSection(SectionFunction, fn)
	}
	if len(added) > 0 {
		replace[SectionExport] = m.exportSection(added)
	}
	return m.assemble(replace), nil
}

// assemble writes the sections in order, replaced ones from replace; a replacement for
// a section the module lacks is inserted where the section order puts it.
func (m *Module) assemble(replace map[byte][]byte) []byte {
	var missing []byte
	for id := range replace {
		if _, ok := m.Section(id); !ok && replace[id] != nil {
			missing = append(missing, id)
		}
	}
	sort.Slice(missing, func(i, j int) bool { return sectionOrder(missing[i]) < sectionOrder(missing[j]) })
	out := append(make([]byte, 0, len(m.Bytes)+len(m.Bytes)/8), Header...)
	for _, s := range m.Sections {
		for len(missing) > 0 && s.ID != SectionCustom && sectionOrder(missing[0]) < sectionOrder(s.ID) {
			out = append(out, replace[missing[0]]...)
			missing = missing[1:]
		}
		if sec, ok := replace[s.ID]; ok {
			out = append(out, sec...)
			continue
		}
		out = append(out, m.Bytes[s.Head:s.End]...)
	}
	for _, id := range missing {
		out = append(out, replace[id]...)
	}
	return out
}

// MutableGlobals returns the indices of the mutable globals the module defines.
func (m *Module) MutableGlobals() []uint32 {
	var out []uint32
	for i, g := range m.Globals {
		if g.Mutable {
			out = append(out, m.ImportedGlobals+uint32(i))
		}
	}
	return out
}

// addedGlobals are the indices the fuel and the interrupt flag get: after every
// existing global.
func (m *Module) addedGlobals() (fuel, flag uint32) {
	n := m.ImportedGlobals + uint32(len(m.Globals))
	return n, n + 1
}

func (m *Module) addedExports(o Rewrite) ([][]byte, error) {
	var added [][]byte
	var names []string
	if o.ExportGlobals {
		for _, idx := range m.MutableGlobals() {
			if g := m.Globals[idx-m.ImportedGlobals]; !g.IsNumeric() {
				return nil, fmt.Errorf("mutable global %d has a type (%#x) that cannot be restored", idx, g.Type)
			}
			name := GlobalExportPrefix + strconv.Itoa(int(idx))
			names = append(names, name)
			added = append(added, EncodeExport(name, KindGlobal, idx))
		}
	}
	if o.ExportStart && m.Start != nil {
		names = append(names, StartExport)
		added = append(added, EncodeExport(StartExport, KindFunc, *m.Start))
	}
	if o.Interrupt {
		fuel, flag := m.addedGlobals()
		yield, _, _, _ := m.yieldFunc()
		names = append(names, FuelExport, InterruptExport, YieldExport)
		added = append(added, EncodeExport(FuelExport, KindGlobal, fuel), EncodeExport(InterruptExport, KindGlobal, flag),
			EncodeExport(YieldExport, KindFunc, yield))
	}
	for _, name := range names {
		if _, taken := m.ExportNamed(name); taken {
			return nil, fmt.Errorf("the module already exports %q", name)
		}
	}
	return added, nil
}

// exportSection is the export section with added entries after the existing ones.
func (m *Module) exportSection(added [][]byte) []byte {
	return m.extendedVecSection(SectionExport, added...)
}

// extendedVecSection is the section id (a vector) with items appended, or a new
// section of just them.
func (m *Module) extendedVecSection(id byte, items ...[]byte) []byte {
	s, ok := m.Section(id)
	if !ok {
		return EncodeSection(id, EncodeVec(items...))
	}
	r := &reader{b: m.Bytes[:s.End], pos: s.Start}
	n, _ := r.u32() // decoded by Parse
	payload := append(ULEB(n+uint32(len(items))), m.Bytes[r.pos:s.End]...)
	for _, it := range items {
		payload = append(payload, it...)
	}
	return EncodeSection(id, payload)
}

func (m *Module) dataSectionWithoutActive() []byte {
	payload := ULEB(uint32(len(m.Data)))
	for _, seg := range m.Data {
		if seg.Active {
			payload = append(payload, m.Bytes[seg.At:seg.InitAt]...)
			payload = append(payload, 0) // no contents
		} else {
			payload = append(payload, m.Bytes[seg.At:seg.End]...)
		}
	}
	return EncodeSection(SectionData, payload)
}

// sectionOrder is a non-custom section's rank in the order sections must appear
// (chapter 5.5.2: data count comes before code, tags after memory).
func sectionOrder(id byte) int {
	switch id {
	case SectionTag:
		return 55 // between memory (5) and global (6)
	case SectionDataCount:
		return 95 // between element (9) and code (10)
	}
	return int(id) * 10
}
