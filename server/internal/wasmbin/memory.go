package wasmbin

// PageSize is the size of a linear-memory page in bytes.
const PageSize = 65536

func (m *Module) decodeMemories(r *reader) error {
	n, err := r.u32()
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		l, err := r.limits()
		if err != nil {
			return err
		}
		if i == 0 {
			m.Memory = &l
		}
	}
	return nil
}
