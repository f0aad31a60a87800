package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// Wasm binary sections this file reads (WebAssembly core spec 5.5).
const (
	secImport = 2
	secGlobal = 6
	secExport = 7
)

// snapshotExportPrefix names the exports added for mutable globals.
const snapshotExportPrefix = "__wasmsite_global_"

// globalInfo describes one mutable global defined by the module.
type globalInfo struct {
	index   uint32 // global index space (imports first)
	valType byte
}

// exportMutableGlobals returns wasm with an export added for every mutable global the
// module defines (named snapshotExportPrefix+index), so a snapshot of instance state can
// read and restore them through wazero's public API. It fails for modules it cannot
// snapshot: imported mutable globals, or mutable reference-typed globals.
func exportMutableGlobals(wasm []byte) ([]byte, []globalInfo, error) {
	if len(wasm) < 8 || string(wasm[:4]) != "\x00asm" {
		return nil, nil, errors.New("not a wasm binary")
	}
	type section struct {
		id         byte
		start, end int // payload bounds
		headStart  int
	}
	var secs []section
	for p := 8; p < len(wasm); {
		head := p
		id := wasm[p]
		size, n, err := uleb(wasm, p+1)
		if err != nil {
			return nil, nil, err
		}
		start := p + 1 + n
		if size > uint64(len(wasm)-start) { // also keeps int(size) from wrapping negative
			return nil, nil, errors.New("section past end of module")
		}
		end := start + int(size)
		secs = append(secs, section{id: id, start: start, end: end, headStart: head})
		p = end
	}
	var importedGlobals uint32
	var globals []globalInfo
	exportIdx := -1
	for i, s := range secs {
		switch s.id {
		case secImport:
			g, err := countImportedGlobals(wasm[s.start:s.end])
			if err != nil {
				return nil, nil, err
			}
			importedGlobals = g
		case secGlobal:
			var err error
			globals, err = mutableGlobals(wasm[s.start:s.end], importedGlobals)
			if err != nil {
				return nil, nil, err
			}
		case secExport:
			exportIdx = i
		}
	}
	if exportIdx < 0 {
		return nil, nil, errors.New("module has no export section")
	}
	es := secs[exportIdx]
	count, n, err := uleb(wasm, es.start)
	if err != nil {
		return nil, nil, err
	}
	var entries []byte
	for _, g := range globals {
		name := snapshotExportPrefix + strconv.Itoa(int(g.index))
		entries = binary.AppendUvarint(entries, uint64(len(name)))
		entries = append(entries, name...)
		entries = append(entries, 0x03) // export kind: global
		entries = binary.AppendUvarint(entries, uint64(g.index))
	}
	payload := binary.AppendUvarint(nil, uint64(count)+uint64(len(globals)))
	payload = append(payload, wasm[es.start+n:es.end]...)
	payload = append(payload, entries...)
	out := make([]byte, 0, len(wasm)+len(entries)+16)
	out = append(out, wasm[:es.headStart]...)
	out = append(out, secExport)
	out = binary.AppendUvarint(out, uint64(len(payload)))
	out = append(out, payload...)
	out = append(out, wasm[es.end:]...)
	return out, globals, nil
}

func countImportedGlobals(b []byte) (uint32, error) {
	count, p, err := uleb(b, 0)
	if err != nil {
		return 0, err
	}
	var globals uint32
	for i := uint32(0); uint64(i) < count; i++ {
		for range 2 { // module and field names
			l, n, err := uleb(b, p)
			if err != nil {
				return 0, err
			}
			if l > uint64(len(b)-p-n) {
				return 0, errors.New("truncated import")
			}
			p += n + int(l)
		}
		if p >= len(b) {
			return 0, errors.New("truncated import")
		}
		kind := b[p]
		p++
		switch kind {
		case 0x00: // func: type index
			_, n, err := uleb(b, p)
			if err != nil {
				return 0, err
			}
			p += n
		case 0x01: // table: reftype + limits
			p++
			if p, err = skipLimits(b, p); err != nil {
				return 0, err
			}
		case 0x02: // memory: limits
			if p, err = skipLimits(b, p); err != nil {
				return 0, err
			}
		case 0x03: // global: valtype + mut
			if p+1 >= len(b) {
				return 0, errors.New("truncated global import")
			}
			if b[p+1] == 1 {
				return 0, errors.New("module imports a mutable global")
			}
			p += 2
			globals++
		default:
			return 0, fmt.Errorf("unknown import kind %#x", kind)
		}
	}
	return globals, nil
}

func skipLimits(b []byte, p int) (int, error) {
	if p >= len(b) {
		return 0, errors.New("truncated limits")
	}
	flags := b[p]
	p++
	_, n, err := uleb(b, p)
	if err != nil {
		return 0, err
	}
	p += n
	if flags&1 != 0 {
		_, n, err = uleb(b, p)
		if err != nil {
			return 0, err
		}
		p += n
	}
	return p, nil
}

func mutableGlobals(b []byte, base uint32) ([]globalInfo, error) {
	count, p, err := uleb(b, 0)
	if err != nil {
		return nil, err
	}
	var out []globalInfo
	for i := uint32(0); uint64(i) < count; i++ {
		if p+2 > len(b) {
			return nil, errors.New("truncated global")
		}
		vt, mut := b[p], b[p+1]
		p += 2
		if mut == 1 {
			switch vt {
			case 0x7F, 0x7E, 0x7D, 0x7C: // i32 i64 f32 f64
				out = append(out, globalInfo{index: base + i, valType: vt})
			default:
				return nil, fmt.Errorf("mutable global %d has a type (%#x) snapshots cannot restore", base+i, vt)
			}
		}
		if p, err = skipConstExpr(b, p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func skipConstExpr(b []byte, p int) (int, error) {
	for p < len(b) {
		op := b[p]
		p++
		switch op {
		case 0x0B: // end
			return p, nil
		case 0x41, 0x42, 0x23, 0xD2: // i32.const, i64.const, global.get, ref.func: one LEB
			_, n, err := uleb(b, p)
			if err != nil {
				return 0, err
			}
			p += n
		case 0x43:
			p += 4
		case 0x44:
			p += 8
		case 0xD0:
			p++
		case 0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E: // extended-const arithmetic
		default:
			return 0, fmt.Errorf("unsupported opcode %#x in constant expression", op)
		}
	}
	return 0, errors.New("unterminated constant expression")
}

// uleb reads an unsigned LEB128 (up to 64 bits; signed values are skipped the same way).
func uleb(b []byte, p int) (uint64, int, error) {
	var v uint64
	for i := 0; i < 10; i++ {
		if p+i >= len(b) {
			return 0, 0, errors.New("truncated LEB128")
		}
		c := b[p+i]
		v |= uint64(c&0x7F) << (7 * i)
		if c&0x80 == 0 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errors.New("LEB128 too long")
}

// importedTablesAndGlobals lists the module's table and global imports as
// "module.name (table)" / "module.name (global)" (wazero's CompiledModule lists only
// function and memory imports); the host provides neither. A malformed module yields
// nothing (compiling it reports the problem).
func importedTablesAndGlobals(wasm []byte) []string {
	if len(wasm) < 8 {
		return nil
	}
	for p := 8; p < len(wasm); {
		id := wasm[p]
		size, n, err := uleb(wasm, p+1)
		if err != nil || size > uint64(len(wasm)-p-1-n) {
			return nil
		}
		start, end := p+1+n, p+1+n+int(size)
		if id == secImport {
			return listImports(wasm[start:end])
		}
		p = end
	}
	return nil
}

func listImports(b []byte) []string {
	count, p, err := uleb(b, 0)
	if err != nil {
		return nil
	}
	var out []string
	for i := uint64(0); i < count; i++ {
		var names [2]string
		for j := range names {
			l, n, err := uleb(b, p)
			if err != nil || l > uint64(len(b)-p-n) {
				return out
			}
			names[j] = string(b[p+n : p+n+int(l)])
			p += n + int(l)
		}
		if p >= len(b) {
			return out
		}
		kind := b[p]
		p++
		switch kind {
		case 0x00:
			_, n, err := uleb(b, p)
			if err != nil {
				return out
			}
			p += n
		case 0x01:
			out = append(out, names[0]+"."+names[1]+" (table)")
			if p, err = skipLimits(b, p+1); err != nil {
				return out
			}
		case 0x02:
			if p, err = skipLimits(b, p); err != nil {
				return out
			}
		case 0x03:
			out = append(out, names[0]+"."+names[1]+" (global)")
			p += 2
		default:
			return out
		}
	}
	return out
}
