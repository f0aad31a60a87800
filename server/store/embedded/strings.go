package embedded

import (
	"math"
	"strconv"
	"strings"

	"wasmsite/server/store"
)

func cmdGet(c *cmdCtx) (any, error) {
	r, ok := lookup(c.tx, ikey(c.args[0]), c.now)
	if !ok {
		return nil, nil
	}
	if r.typ != typeString {
		return nil, errWrongType
	}
	return r.val, nil
}

func cmdMGet(c *cmdCtx) (any, error) {
	out := make([]any, len(c.args))
	for i, k := range c.args {
		if r, ok := lookup(c.tx, ikey(k), c.now); ok && r.typ == typeString {
			out[i] = r.val
		}
	}
	return out, nil
}

func cmdSet(c *cmdCtx) (any, error) {
	var nx, xx, get, keepTTL, haveExp bool
	var exp int64
	for i := 2; i < len(c.args); i++ {
		switch opt := strings.ToUpper(string(c.args[i])); opt {
		case "NX":
			if xx {
				return nil, errSyntax
			}
			nx = true
		case "XX":
			if nx {
				return nil, errSyntax
			}
			xx = true
		case "GET":
			get = true
		case "KEEPTTL":
			if haveExp {
				return nil, errSyntax
			}
			keepTTL = true
		case "EX", "PX", "EXAT", "PXAT":
			if haveExp || keepTTL || i+1 >= len(c.args) {
				return nil, errSyntax
			}
			i++
			n, ok := parseInt(c.args[i])
			if !ok {
				return nil, errNotInt
			}
			if n <= 0 {
				return nil, errInvalidExpire(c.name)
			}
			var ok2 bool
			exp, ok2 = absExpiry(opt, n, c.now)
			if !ok2 {
				return nil, errInvalidExpire(c.name)
			}
			haveExp = true
		default:
			return nil, errSyntax
		}
	}
	ik := ikey(c.args[0])
	old, had, err := lookupW(c.tx, ik, c.now)
	if err != nil {
		return nil, err
	}
	if get && had && old.typ != typeString {
		return nil, errWrongType
	}
	var prev any
	if get && had {
		prev = old.val
	}
	if (nx && had) || (xx && !had) {
		return prev, nil
	}
	r := record{typ: typeString, exp: exp, val: c.args[1]}
	if keepTTL && had {
		r.exp = old.exp
	}
	if had && old.typ != typeString {
		if err := deleteKey(c.tx, ik, old); err != nil {
			return nil, err
		}
		had = false
	}
	if err := putRecord(c.tx, ik, r, old, had); err != nil {
		return nil, err
	}
	if get {
		return prev, nil
	}
	return statusReply("OK"), nil
}

func cmdIncrBy(c *cmdCtx) (any, error) {
	d, ok := parseInt(c.args[1])
	if !ok {
		return nil, errNotInt
	}
	if c.name == "decrby" {
		if d == math.MinInt64 {
			return nil, &store.ServerError{Msg: "ERR decrement would overflow"}
		}
		d = -d
	}
	return incrBy(c, d)
}

func incrBy(c *cmdCtx, d int64) (any, error) {
	ik := ikey(c.args[0])
	old, had, err := lookupW(c.tx, ik, c.now)
	if err != nil {
		return nil, err
	}
	var cur int64
	if had {
		if old.typ != typeString {
			return nil, errWrongType
		}
		var ok bool
		if cur, ok = parseInt(old.val); !ok {
			return nil, errNotInt
		}
	}
	if (d > 0 && cur > math.MaxInt64-d) || (d < 0 && cur < math.MinInt64-d) {
		return nil, errOverflow
	}
	cur += d
	r := record{typ: typeString, exp: old.exp, val: []byte(strconv.FormatInt(cur, 10))}
	if err := putRecord(c.tx, ik, r, old, had); err != nil {
		return nil, err
	}
	return cur, nil
}
