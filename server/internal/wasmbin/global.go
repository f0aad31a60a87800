package wasmbin

// Value types (chapter 5.3.3).
const (
	I32       byte = 0x7f
	I64       byte = 0x7e
	F32       byte = 0x7d
	F64       byte = 0x7c
	V128      byte = 0x7b
	FuncRef   byte = 0x70
	ExternRef byte = 0x6f
)

// Global is a global's type.
type Global struct {
	Type    byte // a value type; 0x63/0x64 for typed references
	Mutable bool
}

// IsNumeric reports whether the global holds an i32, i64, f32 or f64, the types a
// host can read and write through wazero's api.Global as one uint64.
func (g Global) IsNumeric() bool {
	return g.Type == I32 || g.Type == I64 || g.Type == F32 || g.Type == F64
}

func (r *reader) globalType() (Global, error) {
	start := r.pos
	vt, err := r.byte()
	if err != nil {
		return Global{}, err
	}
	if vt == 0x63 || vt == 0x64 {
		r.pos = start
		if err := r.refType(); err != nil {
			return Global{}, err
		}
	}
	mut, err := r.byte()
	if err != nil {
		return Global{}, err
	}
	if mut > 1 {
		return Global{}, malformed("global mutability %#x", mut)
	}
	return Global{Type: vt, Mutable: mut == 1}, nil
}

func (m *Module) decodeGlobals(r *reader) error {
	n, err := r.u32()
	if err != nil {
		return err
	}
	for range n {
		g, err := r.globalType()
		if err != nil {
			return err
		}
		if _, err := r.constExpr(); err != nil {
			return err
		}
		m.Globals = append(m.Globals, g)
	}
	return nil
}
