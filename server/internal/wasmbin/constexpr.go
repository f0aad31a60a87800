package wasmbin

// ConstExpr is a decoded constant expression (chapter 5.4.10): its bytes, and its value
// when it is a single i32.const (the form compilers give data segment offsets).
type ConstExpr struct {
	Code     []byte // up to and including the final end
	I32      int32
	IsI32Lit bool
}

// constExpr reads a constant expression: the instructions allowed by Wasm 3.0
// (t.const, global.get, ref.null, ref.func, the extended-const arithmetic) up to end.
func (r *reader) constExpr() (ConstExpr, error) {
	start := r.pos
	var e ConstExpr
	ops := 0
	for {
		op, err := r.byte()
		if err != nil {
			return e, err
		}
		if op == 0x0b { // end
			e.Code = r.b[start:r.pos]
			e.IsI32Lit = e.IsI32Lit && ops == 1
			return e, nil
		}
		ops++
		switch op {
		case 0x41: // i32.const
			v, err := r.sleb(32)
			if err != nil {
				return e, err
			}
			e.I32, e.IsI32Lit = int32(v), true
		case 0x42: // i64.const
			_, err = r.sleb(64)
		case 0x43: // f32.const
			err = r.skip(4)
		case 0x44: // f64.const
			err = r.skip(8)
		case 0x23, 0xd2: // global.get, ref.func
			_, err = r.u32()
		case 0xd0: // ref.null heaptype
			_, err = r.sleb(33)
		case 0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e: // i32/i64 add, sub, mul
		case 0xfd: // v128.const
			var sub uint32
			if sub, err = r.u32(); err == nil && sub != 12 {
				return e, malformed("instruction 0xfd %d in a constant expression", sub)
			}
			if err == nil {
				err = r.skip(16)
			}
		default:
			return e, malformed("opcode %#x in a constant expression at offset %d", op, r.pos-1)
		}
		if err != nil {
			return e, err
		}
	}
}
