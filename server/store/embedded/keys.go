package embedded

import (
	"math"
	"strings"

	"wasmsite/server/store"
)

// absExpiry converts a relative or absolute expiry option to unix ms.
func absExpiry(unit string, n, now int64) (int64, bool) {
	switch unit {
	case "EX", "EXPIRE":
		if n > (math.MaxInt64-now)/1000 || n < (math.MinInt64+now)/1000 {
			return 0, false
		}
		return now + n*1000, true
	case "PX", "PEXPIRE":
		if (n > 0 && n > math.MaxInt64-now) || (n < 0 && n < math.MinInt64+now) {
			return 0, false
		}
		return now + n, true
	case "EXAT", "EXPIREAT":
		if n > math.MaxInt64/1000 || n < math.MinInt64/1000 {
			return 0, false
		}
		return n * 1000, true
	default: // PXAT, PEXPIREAT
		return n, true
	}
}

func cmdDel(c *cmdCtx) (any, error) {
	var n int64
	for _, k := range c.args {
		ik := ikey(k)
		r, ok, err := lookupW(c.tx, ik, c.now)
		if err != nil {
			return nil, err
		}
		if ok {
			if err := deleteKey(c.tx, ik, r); err != nil {
				return nil, err
			}
			n++
		}
	}
	return n, nil
}

func cmdExists(c *cmdCtx) (any, error) {
	var n int64
	for _, k := range c.args {
		if _, ok := lookup(c.tx, ikey(k), c.now); ok {
			n++
		}
	}
	return n, nil
}

func cmdExpire(c *cmdCtx) (any, error) {
	n, ok := parseInt(c.args[1])
	if !ok {
		return nil, errNotInt
	}
	var nx, xx, gt, lt bool
	for _, a := range c.args[2:] {
		switch opt := strings.ToUpper(string(a)); opt {
		case "NX":
			nx = true
		case "XX":
			xx = true
		case "GT":
			gt = true
		case "LT":
			lt = true
		default:
			return nil, &store.ServerError{Msg: "ERR Unsupported option " + string(a)}
		}
	}
	if (nx && (xx || gt || lt)) || (gt && lt) {
		return nil, &store.ServerError{Msg: "ERR NX and XX, GT or LT options at the same time are not compatible"}
	}
	exp, ok := absExpiry(strings.ToUpper(c.name), n, c.now)
	if !ok {
		return nil, errInvalidExpire(c.name)
	}
	ik := ikey(c.args[0])
	old, had, err := lookupW(c.tx, ik, c.now)
	if err != nil {
		return nil, err
	}
	if !had {
		return int64(0), nil
	}
	switch {
	case nx && old.exp != 0, xx && old.exp == 0,
		gt && (old.exp == 0 || exp <= old.exp),
		lt && old.exp != 0 && exp >= old.exp:
		return int64(0), nil
	}
	if exp <= c.now {
		return int64(1), deleteKey(c.tx, ik, old)
	}
	r := old
	r.exp = exp
	return int64(1), putRecord(c.tx, ik, r, old, true)
}

func cmdPersist(c *cmdCtx) (any, error) {
	ik := ikey(c.args[0])
	old, had, err := lookupW(c.tx, ik, c.now)
	if err != nil {
		return nil, err
	}
	if !had || old.exp == 0 {
		return int64(0), nil
	}
	r := old
	r.exp = 0
	return int64(1), putRecord(c.tx, ik, r, old, true)
}

func cmdTTL(c *cmdCtx) (any, error) {
	r, ok := lookup(c.tx, ikey(c.args[0]), c.now)
	switch {
	case !ok:
		return int64(-2), nil
	case r.exp == 0:
		return int64(-1), nil
	}
	ms := r.exp - c.now
	if c.name == "ttl" {
		return (ms + 500) / 1000, nil
	}
	return ms, nil
}
