package wasmbin

// DataSegment is one entry of the data section (chapter 5.5.14).
type DataSegment struct {
	// At and End bound the segment in Module.Bytes.
	At, End int
	Active  bool
	Memory  uint32    // memory index of an active segment
	Offset  ConstExpr // offset of an active segment
	Init    []byte    // contents (aliases Module.Bytes)
	// InitAt is the offset in Module.Bytes of the contents' length prefix.
	InitAt int
}

func (m *Module) decodeData(r *reader) error {
	n, err := r.u32()
	if err != nil {
		return err
	}
	for range n {
		seg, err := r.dataSegment()
		if err != nil {
			return err
		}
		m.Data = append(m.Data, seg)
	}
	return nil
}

func (r *reader) dataSegment() (DataSegment, error) {
	seg := DataSegment{At: r.pos}
	flags, err := r.u32()
	if err != nil {
		return seg, err
	}
	switch flags {
	case 0: // active, memory 0
		seg.Active = true
	case 1: // passive
	case 2: // active, explicit memory
		seg.Active = true
		if seg.Memory, err = r.u32(); err != nil {
			return seg, err
		}
	default:
		return seg, malformed("data segment flags %d", flags)
	}
	if seg.Active {
		if seg.Offset, err = r.constExpr(); err != nil {
			return seg, err
		}
	}
	seg.InitAt = r.pos
	size, err := r.u32()
	if err != nil {
		return seg, err
	}
	seg.Init, err = r.bytes(uint64(size))
	seg.End = r.pos
	return seg, err
}

// Placement is data written at an offset of linear memory.
type Placement struct {
	Offset uint64
	Data   []byte
}

// ActiveData returns where the active segments put their contents in an instance's
// memory before its start function runs, in order (a later segment overwrites an earlier
// one where they overlap). ok is false when a segment's offset is not an i32.const (a
// global.get can only be resolved by instantiating). A segment that does not fit in
// Memory.Min pages is an error, as it fails instantiation.
func (m *Module) ActiveData() (out []Placement, ok bool, err error) {
	size := uint64(0)
	if m.Memory != nil {
		size = m.Memory.Min * PageSize
	}
	for i, seg := range m.Data {
		if !seg.Active {
			continue
		}
		if !seg.Offset.IsI32Lit || seg.Memory != 0 {
			return nil, false, nil
		}
		off := uint64(uint32(seg.Offset.I32))
		if off+uint64(len(seg.Init)) > size {
			return nil, false, malformed("data segment %d (offset %d, %d bytes) is outside the initial memory of %d bytes", i, off, len(seg.Init), size)
		}
		out = append(out, Placement{Offset: off, Data: seg.Init})
	}
	return out, true, nil
}
