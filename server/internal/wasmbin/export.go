package wasmbin

// Export is one entry of the export section.
type Export struct {
	Name  string
	Kind  byte
	Index uint32
}

func (m *Module) decodeExports(r *reader) error {
	n, err := r.u32()
	if err != nil {
		return err
	}
	for range n {
		var e Export
		if e.Name, err = r.name(); err != nil {
			return err
		}
		if e.Kind, err = r.byte(); err != nil {
			return err
		}
		if e.Index, err = r.u32(); err != nil {
			return err
		}
		m.Exports = append(m.Exports, e)
	}
	return nil
}

// ExportNamed returns the export called name, or false.
func (m *Module) ExportNamed(name string) (Export, bool) {
	for _, e := range m.Exports {
		if e.Name == name {
			return e, true
		}
	}
	return Export{}, false
}
