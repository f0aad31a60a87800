package wasmbin

// External kinds of imports and exports (chapter 5.5.5).
const (
	KindFunc   byte = 0x00
	KindTable  byte = 0x01
	KindMemory byte = 0x02
	KindGlobal byte = 0x03
	KindTag    byte = 0x04
)

// Import is one entry of the import section.
type Import struct {
	Module, Name string
	Kind         byte
	// Mutable is set for an imported mutable global.
	Mutable bool
}

func (m *Module) decodeImports(r *reader) error {
	n, err := r.u32()
	if err != nil {
		return err
	}
	for range n {
		var imp Import
		if imp.Module, err = r.name(); err != nil {
			return err
		}
		if imp.Name, err = r.name(); err != nil {
			return err
		}
		if imp.Kind, err = r.byte(); err != nil {
			return err
		}
		if err := m.decodeImportDesc(r, &imp); err != nil {
			return err
		}
		m.Imports = append(m.Imports, imp)
	}
	return nil
}

func (m *Module) decodeImportDesc(r *reader, imp *Import) error {
	switch imp.Kind {
	case KindFunc:
		m.ImportedFuncs++
		_, err := r.u32()
		return err
	case KindTable:
		if err := r.refType(); err != nil {
			return err
		}
		_, err := r.limits()
		return err
	case KindMemory:
		_, err := r.limits()
		return err
	case KindGlobal:
		m.ImportedGlobals++
		g, err := r.globalType()
		imp.Mutable = g.Mutable
		return err
	case KindTag:
		if _, err := r.byte(); err != nil { // attribute
			return err
		}
		_, err := r.u32()
		return err
	}
	return malformed("import %s.%s has unknown kind %#x", imp.Module, imp.Name, imp.Kind)
}

// refType reads a reference type: funcref/externref and the other abbreviations, or
// (ref null? heaptype) from the typed function references proposal.
func (r *reader) refType() error {
	c, err := r.byte()
	if err != nil {
		return err
	}
	if c == 0x63 || c == 0x64 {
		_, err = r.sleb(33) // heap type
	}
	return err
}
