package wasmbin

import "fmt"

// FuelPerYield is how many loop iterations (and, with tail calls, function entries)
// instrumented code runs between two yields.
const FuelPerYield = 16384

// interruptCheck counts one unit of fuel; when it runs out, the code yields and checks
// the interrupt flag:
//
//	global.get fuel; i32.const 1; i32.sub; global.set fuel
//	global.get fuel; i32.const 0; i32.le_s   ;; not eqz: a host may leave it at 0
//	if
//	  call yield                           ;; see YieldExport
//	  global.get flag; if; unreachable; end
//	  i32.const FuelPerYield; global.set fuel
//	end
func interruptCheck(fuel, flag, yield uint32) []byte {
	return Cat(
		[]byte{0x23}, ULEB(fuel), []byte{0x41, 0x01, 0x6b, 0x24}, ULEB(fuel),
		[]byte{0x23}, ULEB(fuel), []byte{0x41, 0x00, 0x4c, 0x04, 0x40},
		[]byte{0x10}, ULEB(yield),
		[]byte{0x23}, ULEB(flag), []byte{0x04, 0x40, 0x00, 0x0b},
		[]byte{0x41}, SLEB(FuelPerYield), []byte{0x24}, ULEB(fuel),
		[]byte{0x0b},
	)
}

// yieldFunc returns the added function's index and the type, function and code
// section entries that define it: () -> (), an empty body.
func (m *Module) yieldFunc() (index uint32, typ, fn, code []byte) {
	return m.ImportedFuncs + m.Funcs, EncodeFuncType(nil, nil), ULEB(m.Types), []byte{0x02, 0x00, 0x0b}
}

// instrumentedCode is the code section with interruptCheck at the head of every loop
// body and, when the module has tail calls, of every function. Inserting whole blocks
// keeps every branch's relative label depth valid.
func (m *Module) instrumentedCode(fuel, flag uint32) ([]byte, error) {
	yield, _, _, yieldCode := m.yieldFunc()
	s, ok := m.Section(SectionCode)
	if !ok {
		return EncodeSection(SectionCode, EncodeVec(yieldCode)), nil
	}
	check := interruptCheck(fuel, flag, yield)
	var eff Effects
	r := &reader{b: m.Bytes[:s.End], pos: s.Start}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	bodies := make([][]byte, 0, n)
	scans := make([]bodyScan, 0, n)
	for i := range n {
		size, err := r.u32()
		if err != nil {
			return nil, err
		}
		body, err := r.bytes(uint64(size))
		if err != nil {
			return nil, err
		}
		scan, err := scanBody(body, &eff)
		if err != nil {
			return nil, fmt.Errorf("function %d: %w", m.ImportedFuncs+i, err)
		}
		if eff.Unknown != "" {
			return nil, fmt.Errorf("function %d: cannot instrument code with %s", m.ImportedFuncs+i, eff.Unknown)
		}
		bodies, scans = append(bodies, body), append(scans, scan)
	}
	payload := ULEB(n + 1)
	for i, body := range bodies {
		b := instrumentBody(body, scans[i], check, eff.TailCalls)
		payload = append(payload, ULEB(uint32(len(b)))...)
		payload = append(payload, b...)
	}
	return EncodeSection(SectionCode, append(payload, yieldCode...)), nil
}

func instrumentBody(body []byte, scan bodyScan, check []byte, atEntry bool) []byte {
	out := make([]byte, 0, len(body)+(len(scan.loops)+1)*len(check))
	out = append(out, body[:scan.codeStart]...)
	if atEntry {
		out = append(out, check...)
	}
	from := scan.codeStart
	for _, at := range scan.loops {
		out = append(out, body[from:at]...)
		out = append(out, check...)
		from = at
	}
	return append(out, body[from:]...)
}
