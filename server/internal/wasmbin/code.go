package wasmbin

import "fmt"

// Effects are what a module's code can change in an instance besides linear memory and
// globals: the state a host restoring memory and globals would miss.
type Effects struct {
	// WritesTables is set when some function contains table.set, table.grow,
	// table.fill, table.copy or table.init.
	WritesTables bool
	// DropsSegments is set when some function contains data.drop or elem.drop.
	DropsSegments bool
	// Unknown names the first instruction this reader does not decode (from a proposal
	// it does not know); such a module must be assumed to change anything.
	Unknown string
	// TailCalls is set when some function contains return_call or its indirect forms:
	// the code can then run forever without a loop.
	TailCalls bool
}

// Confined reports whether every change the code can make to an instance is to its
// linear memory or globals.
func (e Effects) Confined() bool { return !e.WritesTables && !e.DropsSegments && e.Unknown == "" }

// bodyScan is what scanning one function body found besides its Effects.
type bodyScan struct {
	codeStart int   // offset of the first instruction (after the locals)
	loops     []int // offset just after each loop's block type
}

// CodeEffects decodes every function body and reports its Effects. It returns an error
// wrapping ErrMalformed when a body cannot be decoded.
func (m *Module) CodeEffects() (Effects, error) {
	var eff Effects
	s, ok := m.Section(SectionCode)
	if !ok {
		return eff, nil
	}
	r := &reader{b: m.Bytes[:s.End], pos: s.Start}
	n, err := r.u32()
	if err != nil {
		return eff, err
	}
	for i := range n {
		size, err := r.u32()
		if err != nil {
			return eff, err
		}
		body, err := r.bytes(uint64(size))
		if err != nil {
			return eff, err
		}
		if _, err := scanBody(body, &eff); err != nil {
			return eff, fmt.Errorf("function %d: %w", m.ImportedFuncs+i, err)
		}
		if eff.Unknown != "" {
			return eff, nil
		}
	}
	return eff, nil
}

func scanBody(body []byte, eff *Effects) (bodyScan, error) {
	var scan bodyScan
	r := &reader{b: body}
	groups, err := r.u32()
	if err != nil {
		return scan, err
	}
	for range groups {
		if _, err := r.u32(); err != nil {
			return scan, err
		}
		if err := r.refType(); err != nil { // a value type, or a typed reference
			return scan, err
		}
	}
	scan.codeStart = r.pos
	for !r.done() && eff.Unknown == "" {
		loop := r.b[r.pos] == 0x03
		if err := r.instruction(eff); err != nil {
			return scan, err
		}
		if loop {
			scan.loops = append(scan.loops, r.pos)
		}
	}
	return scan, nil
}

// instruction decodes one instruction (chapter 5.4), skipping its immediates and
// recording its effects.
func (r *reader) instruction(eff *Effects) error {
	op, err := r.byte()
	if err != nil {
		return err
	}
	if op == 0x12 || op == 0x13 || op == 0x15 { // return_call, return_call_indirect, return_call_ref
		eff.TailCalls = true
	}
	switch {
	case op == 0xfc:
		return r.miscInstruction(eff)
	case op == 0xfd:
		return r.vectorInstruction(eff)
	case op == 0xfe:
		return r.atomicInstruction(eff)
	case op == 0x26: // table.set
		eff.WritesTables = true
		_, err = r.u32()
		return err
	case op >= 0x28 && op <= 0x3e: // loads and stores
		return r.memarg()
	}
	imm, known := plainImmediates[op]
	if !known {
		eff.Unknown = fmt.Sprintf("opcode %#x", op)
		return nil
	}
	return r.immediates(imm)
}

// immediate is the shape of an instruction's immediates.
type immediate uint8

const (
	immNone      immediate = iota
	immIndex               // one u32 (label, function, local, global, table, tag)
	immIndex2              // two u32
	immBlockType           // s33
	immBrTable             // vec(label) label
	immI32                 // sleb32
	immI64                 // sleb64
	immF32                 // 4 bytes
	immF64                 // 8 bytes
	immByte                // one reserved/memory-index byte
	immSelectT             // vec(valtype)
	immHeapType            // s33
	immTryTable            // blocktype vec(catch)
)

// plainImmediates maps the one-byte opcodes other than loads, stores and table.set to
// their immediates: the core instruction set with reference types, tail calls,
// exception handling and typed function references.
var plainImmediates = func() map[byte]immediate {
	m := map[byte]immediate{
		0x00: immNone, 0x01: immNone, // unreachable, nop
		0x02: immBlockType, 0x03: immBlockType, 0x04: immBlockType, // block, loop, if
		0x05: immNone,                                     // else
		0x06: immBlockType, 0x07: immIndex, 0x19: immNone, // try, catch, catch_all (legacy EH)
		0x08: immIndex, 0x09: immIndex, 0x0a: immNone, // throw, rethrow, throw_ref
		0x18: immIndex,                                   // delegate
		0x1f: immTryTable,                                // try_table
		0x0b: immNone,                                    // end
		0x0c: immIndex, 0x0d: immIndex, 0x0e: immBrTable, // br, br_if, br_table
		0x0f: immNone,                   // return
		0x10: immIndex, 0x11: immIndex2, // call, call_indirect
		0x12: immIndex, 0x13: immIndex2, // return_call, return_call_indirect
		0x14: immIndex, 0x15: immIndex, // call_ref, return_call_ref
		0x1a: immNone, 0x1b: immNone, 0x1c: immSelectT, // drop, select, select t*
		0x20: immIndex, 0x21: immIndex, 0x22: immIndex, // local.get/set/tee
		0x23: immIndex, 0x24: immIndex, // global.get/set
		0x25: immIndex,               // table.get
		0x3f: immByte, 0x40: immByte, // memory.size, memory.grow
		0x41: immI32, 0x42: immI64, 0x43: immF32, 0x44: immF64,
		0xd0: immHeapType, 0xd1: immNone, 0xd2: immIndex, // ref.null, ref.is_null, ref.func
		0xd3: immNone, 0xd4: immNone, // ref.eq, ref.as_non_null
		0xd5: immIndex, 0xd6: immIndex, // br_on_null, br_on_non_null
	}
	for op := byte(0x45); op <= 0xc4; op++ { // numeric instructions, sign extension
		m[op] = immNone
	}
	return m
}()

func (r *reader) immediates(imm immediate) error {
	var err error
	switch imm {
	case immIndex:
		_, err = r.u32()
	case immIndex2:
		if _, err = r.u32(); err == nil {
			_, err = r.u32()
		}
	case immBlockType, immHeapType:
		_, err = r.sleb(33)
	case immBrTable:
		var n uint32
		if n, err = r.u32(); err == nil {
			for i := uint64(0); i <= uint64(n) && err == nil; i++ {
				_, err = r.u32()
			}
		}
	case immI32:
		_, err = r.sleb(32)
	case immI64:
		_, err = r.sleb(64)
	case immF32:
		err = r.skip(4)
	case immF64:
		err = r.skip(8)
	case immByte:
		_, err = r.byte()
	case immSelectT:
		var n uint32
		if n, err = r.u32(); err == nil {
			for i := uint32(0); i < n && err == nil; i++ {
				err = r.refType()
			}
		}
	case immTryTable:
		err = r.tryTable()
	}
	return err
}

// tryTable skips try_table's block type and catch clauses (exception handling).
func (r *reader) tryTable() error {
	if _, err := r.sleb(33); err != nil {
		return err
	}
	n, err := r.u32()
	if err != nil {
		return err
	}
	for range n {
		kind, err := r.byte()
		if err != nil {
			return err
		}
		if kind <= 1 { // catch, catch_ref: tag index
			if _, err := r.u32(); err != nil {
				return err
			}
		}
		if _, err := r.u32(); err != nil { // label
			return err
		}
	}
	return nil
}

// memarg skips a memory argument: alignment (bit 6 announces a memory index, from
// the multi-memory proposal) and offset.
func (r *reader) memarg() error {
	align, err := r.u32()
	if err != nil {
		return err
	}
	if align&0x40 != 0 {
		if _, err := r.u32(); err != nil {
			return err
		}
	}
	_, err = r.u64()
	return err
}

// miscInstruction decodes the 0xfc prefix: saturating truncation, bulk memory and
// table instructions.
func (r *reader) miscInstruction(eff *Effects) error {
	sub, err := r.u32()
	if err != nil {
		return err
	}
	switch {
	case sub <= 7: // trunc_sat
		return nil
	case sub == 8: // memory.init data memidx
		return r.immediates(immIndex2)
	case sub == 9: // data.drop
		eff.DropsSegments = true
		return r.immediates(immIndex)
	case sub == 10: // memory.copy
		return r.immediates(immIndex2)
	case sub == 11: // memory.fill
		return r.immediates(immIndex)
	case sub == 12: // table.init elem table
		eff.WritesTables = true
		return r.immediates(immIndex2)
	case sub == 13: // elem.drop
		eff.DropsSegments = true
		return r.immediates(immIndex)
	case sub == 14: // table.copy
		eff.WritesTables = true
		return r.immediates(immIndex2)
	case sub == 15 || sub == 17: // table.grow, table.fill
		eff.WritesTables = true
		return r.immediates(immIndex)
	case sub == 16: // table.size
		return r.immediates(immIndex)
	}
	eff.Unknown = fmt.Sprintf("opcode 0xfc %d", sub)
	return nil
}

// vectorInstruction decodes the 0xfd prefix (SIMD and relaxed SIMD).
func (r *reader) vectorInstruction(eff *Effects) error {
	sub, err := r.u32()
	if err != nil {
		return err
	}
	switch {
	case sub <= 11 || sub == 92 || sub == 93: // v128 loads and stores
		return r.memarg()
	case sub == 12 || sub == 13: // v128.const, i8x16.shuffle
		return r.skip(16)
	case sub >= 21 && sub <= 34: // extract_lane, replace_lane
		return r.skip(1)
	case sub >= 84 && sub <= 91: // load_lane, store_lane
		if err := r.memarg(); err != nil {
			return err
		}
		return r.skip(1)
	case sub <= 0x113: // every other SIMD and relaxed-SIMD instruction has none
		return nil
	}
	eff.Unknown = fmt.Sprintf("opcode 0xfd %d", sub)
	return nil
}

// atomicInstruction decodes the 0xfe prefix (threads).
func (r *reader) atomicInstruction(eff *Effects) error {
	sub, err := r.u32()
	if err != nil {
		return err
	}
	switch {
	case sub == 3: // atomic.fence
		return r.skip(1)
	case sub <= 2 || (sub >= 0x10 && sub <= 0x4e):
		return r.memarg()
	}
	eff.Unknown = fmt.Sprintf("opcode 0xfe %d", sub)
	return nil
}
