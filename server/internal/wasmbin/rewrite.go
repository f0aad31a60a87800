package wasmbin

import (
	"fmt"
	"strconv"
)

// Names of the exports Rewrite adds.
const (
	// GlobalExportPrefix + the global's index names the export of a mutable global.
	GlobalExportPrefix = "__wasmsite_global_"
	// StartExport names the export of the start function.
	StartExport = "__wasmsite_start"
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
}

// Rewrite returns the module's bytes with the changes o selects. It fails when a mutable
// global to export is not numeric (a reference cannot be restored as a number) or an
// added export name is taken.
func (m *Module) Rewrite(o Rewrite) ([]byte, error) {
	added, err := m.addedExports(o)
	if err != nil {
		return nil, err
	}
	out := append(make([]byte, 0, len(m.Bytes)+len(added)*24), Header...)
	exportDone := false
	for _, s := range m.Sections {
		if !exportDone && len(added) > 0 && s.ID != SectionCustom && sectionOrder(s.ID) > sectionOrder(SectionExport) {
			out = append(out, EncodeSection(SectionExport, EncodeVec(added...))...)
			exportDone = true
		}
		switch {
		case s.ID == SectionExport && len(added) > 0:
			out = append(out, m.exportSection(added)...)
			exportDone = true
		case s.ID == SectionStart && o.ExportStart:
		case s.ID == SectionData && o.EmptyActiveData:
			out = append(out, m.dataSectionWithoutActive()...)
		default:
			out = append(out, m.Bytes[s.Head:s.End]...)
		}
	}
	if !exportDone && len(added) > 0 {
		out = append(out, EncodeSection(SectionExport, EncodeVec(added...))...)
	}
	return out, nil
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
	for _, name := range names {
		if _, taken := m.ExportNamed(name); taken {
			return nil, fmt.Errorf("the module already exports %q", name)
		}
	}
	return added, nil
}

func (m *Module) exportSection(added [][]byte) []byte {
	s, _ := m.Section(SectionExport)
	r := &reader{b: m.Bytes[:s.End], pos: s.Start}
	n, _ := r.u32() // decoded by Parse
	payload := append(ULEB(n+uint32(len(added))), m.Bytes[r.pos:s.End]...)
	for _, e := range added {
		payload = append(payload, e...)
	}
	return EncodeSection(SectionExport, payload)
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
