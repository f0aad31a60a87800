package wasmbin

import "fmt"

// interruptCheck is `global.get flag; if; unreachable; end`.
func interruptCheck(flag uint32) []byte {
	return Cat([]byte{0x23}, ULEB(flag), []byte{0x04, 0x40, 0x00, 0x0b})
}

// instrumentedCode is the code section with interruptCheck at the head of every loop
// body and, when the module has tail calls, of every function. Inserting whole blocks
// keeps every branch's relative label depth valid.
func (m *Module) instrumentedCode(flag uint32) ([]byte, error) {
	s, ok := m.Section(SectionCode)
	if !ok {
		return nil, nil
	}
	check := interruptCheck(flag)
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
	payload := ULEB(n)
	for i, body := range bodies {
		b := instrumentBody(body, scans[i], check, eff.TailCalls)
		payload = append(payload, ULEB(uint32(len(b)))...)
		payload = append(payload, b...)
	}
	return EncodeSection(SectionCode, payload), nil
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
