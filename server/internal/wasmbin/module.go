package wasmbin

// Section ids (chapter 5.5.2).
const (
	SectionCustom    byte = 0
	SectionType      byte = 1
	SectionImport    byte = 2
	SectionFunction  byte = 3
	SectionTable     byte = 4
	SectionMemory    byte = 5
	SectionGlobal    byte = 6
	SectionExport    byte = 7
	SectionStart     byte = 8
	SectionElement   byte = 9
	SectionCode      byte = 10
	SectionData      byte = 11
	SectionDataCount byte = 12
	SectionTag       byte = 13
)

// Section locates one section in the module's bytes.
type Section struct {
	ID byte
	// Head is the offset of the id byte; Start and End bound the payload.
	Head, Start, End int
}

// Module is what the host needs to know of a module, decoded from its bytes. Slices
// (segment contents) alias Bytes.
type Module struct {
	Bytes    []byte
	Sections []Section

	Imports []Import
	// ImportedFuncs and ImportedGlobals count the imports of each kind, which come
	// first in their index spaces.
	ImportedFuncs, ImportedGlobals uint32
	// Types counts the type section's entries and Funcs the function section's (the
	// defined functions).
	Types, Funcs uint32
	// Memory is the module's own memory (nil: none defined).
	Memory  *Limits
	Globals []Global // defined globals, in index order after the imported ones
	Exports []Export
	// Start is the start function's index (nil: no start section).
	Start *uint32
	Data  []DataSegment
}

// Parse splits wasm into sections and decodes the ones the host reads (import, memory,
// global, export, start, data). It returns an error wrapping ErrMalformed for a module
// that is not a WebAssembly 1.0 binary or whose sections are cut short.
func Parse(wasm []byte) (*Module, error) {
	if len(wasm) < 8 || string(wasm[:4]) != "\x00asm" {
		return nil, malformed("not a WebAssembly binary")
	}
	if string(wasm[4:8]) != "\x01\x00\x00\x00" {
		return nil, malformed("unsupported binary version % x", wasm[4:8])
	}
	m := &Module{Bytes: wasm}
	r := &reader{b: wasm, pos: 8}
	for !r.done() {
		head := r.pos
		id, _ := r.byte()
		size, err := r.u32()
		if err != nil {
			return nil, err
		}
		start := r.pos
		if err := r.skip(uint64(size)); err != nil {
			return nil, malformed("section %d runs past the end of the module", id)
		}
		m.Sections = append(m.Sections, Section{ID: id, Head: head, Start: start, End: r.pos})
	}
	for _, s := range m.Sections {
		if err := m.decode(s); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Module) decode(s Section) error {
	r := &reader{b: m.Bytes[:s.End], pos: s.Start}
	var err error
	switch s.ID {
	case SectionType:
		m.Types, err = r.u32()
	case SectionFunction:
		m.Funcs, err = r.u32()
	case SectionImport:
		err = m.decodeImports(r)
	case SectionMemory:
		err = m.decodeMemories(r)
	case SectionGlobal:
		err = m.decodeGlobals(r)
	case SectionExport:
		err = m.decodeExports(r)
	case SectionStart:
		var idx uint32
		if idx, err = r.u32(); err == nil {
			m.Start = &idx
		}
	case SectionData:
		err = m.decodeData(r)
	}
	return err
}

// Section returns the first section with id, or false.
func (m *Module) Section(id byte) (Section, bool) {
	for _, s := range m.Sections {
		if s.ID == id {
			return s, true
		}
	}
	return Section{}, false
}

// Payload returns a section's payload bytes.
func (m *Module) Payload(s Section) []byte { return m.Bytes[s.Start:s.End] }
