package wasmbin

// Limits are a memory's or table's size bounds (chapter 5.3.7), in pages or elements.
type Limits struct {
	Min    uint64
	Max    uint64
	HasMax bool
	// Shared and Is64 come from the threads and memory64 proposals' flag bits.
	Shared, Is64 bool
}

func (r *reader) limits() (Limits, error) {
	flags, err := r.byte()
	if err != nil {
		return Limits{}, err
	}
	if flags > 0x07 {
		return Limits{}, malformed("limits flags %#x", flags)
	}
	l := Limits{HasMax: flags&1 != 0, Shared: flags&2 != 0, Is64: flags&4 != 0}
	if l.Min, err = r.u64(); err != nil {
		return Limits{}, err
	}
	if l.HasMax {
		if l.Max, err = r.u64(); err != nil {
			return Limits{}, err
		}
	}
	return l, nil
}
