package store

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// statusReply is a Redis simple-string reply ("OK", "PONG").
type statusReply string

// Replies of the command engine are: nil (nil bulk), statusReply, int64, []byte, []any.

var (
	errWrongType = &ServerError{Msg: "WRONGTYPE Operation against a key holding the wrong kind of value"}
	errNotInt    = &ServerError{Msg: "ERR value is not an integer or out of range"}
	errSyntax    = &ServerError{Msg: "ERR syntax error"}
	errOverflow  = &ServerError{Msg: "ERR increment or decrement would overflow"}
)

func errArity(name string) error {
	return &ServerError{Msg: fmt.Sprintf("ERR wrong number of arguments for '%s' command", name)}
}

func errInvalidExpire(name string) error {
	return &ServerError{Msg: fmt.Sprintf("ERR invalid expire time in '%s' command", name)}
}

type cmdCtx struct {
	tx   *bolt.Tx
	now  int64 // unix ms
	name string
	args [][]byte // args[0] is the first argument after the command name
}

type cmdSpec struct {
	arity int // Redis convention, counting the name: n exact, -n at least n
	write bool
	run   func(c *cmdCtx) (any, error)
}

var commands map[string]cmdSpec

func init() {
	commands = map[string]cmdSpec{
		"ping":       {-1, false, cmdPing},
		"get":        {2, false, cmdGet},
		"mget":       {-2, false, cmdMGet},
		"set":        {-3, true, cmdSet},
		"incr":       {2, true, func(c *cmdCtx) (any, error) { return incrBy(c, 1) }},
		"decr":       {2, true, func(c *cmdCtx) (any, error) { return incrBy(c, -1) }},
		"incrby":     {3, true, cmdIncrBy},
		"decrby":     {3, true, cmdIncrBy},
		"del":        {-2, true, cmdDel},
		"exists":     {-2, false, cmdExists},
		"expire":     {-3, true, cmdExpire},
		"pexpire":    {-3, true, cmdExpire},
		"expireat":   {-3, true, cmdExpire},
		"pexpireat":  {-3, true, cmdExpire},
		"persist":    {2, true, cmdPersist},
		"ttl":        {2, false, cmdTTL},
		"pttl":       {2, false, cmdTTL},
		"sadd":       {-3, true, cmdSAdd},
		"srem":       {-3, true, cmdSRem},
		"smembers":   {2, false, cmdSMembers},
		"scard":      {2, false, cmdSCard},
		"sismember":  {3, false, cmdSIsMember},
		"smismember": {-3, false, cmdSMIsMember},
		"publish":    {3, false, nil}, // handled in do: no transaction
	}
}

// do runs one command. Domain failures are *ServerError with Redis's wording; an
// unknown command wraps ErrUnsupported; storage failures wrap ErrUnavailable.
func (e *Embedded) do(ctx context.Context, name string, args [][]byte) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lname := strings.ToLower(name)
	spec, ok := commands[lname]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnsupported, strings.ToUpper(name))
	}
	n := len(args) + 1
	if (spec.arity > 0 && n != spec.arity) || (spec.arity < 0 && n < -spec.arity) {
		return nil, errArity(lname)
	}
	if lname == "publish" {
		return e.publish(string(args[0]), args[1]), nil
	}
	var res any
	if !spec.write {
		err := e.view(func(tx *bolt.Tx) error {
			var err error
			res, err = spec.run(&cmdCtx{tx: tx, now: nowMS(e.now()), name: lname, args: args})
			return err
		})
		return res, err
	}
	var cerr error
	err := e.update(func(tx *bolt.Tx) error {
		var err error
		res, err = spec.run(&cmdCtx{tx: tx, now: nowMS(e.now()), name: lname, args: args})
		cerr = nil
		if se, ok := err.(*ServerError); ok {
			res, cerr = nil, se
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, cerr
}

func parseInt(b []byte) (int64, bool) {
	s := string(b)
	if s == "" || s[0] == '+' || (len(s) > 1 && s[0] == '0') || strings.HasPrefix(s, "-0") {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func cmdPing(c *cmdCtx) (any, error) {
	switch len(c.args) {
	case 0:
		return statusReply("PONG"), nil
	case 1:
		return append([]byte{}, c.args[0]...), nil
	}
	return nil, errArity(c.name)
}

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

func cmdIncrBy(c *cmdCtx) (any, error) {
	d, ok := parseInt(c.args[1])
	if !ok {
		return nil, errNotInt
	}
	if c.name == "decrby" {
		if d == math.MinInt64 {
			return nil, &ServerError{Msg: "ERR decrement would overflow"}
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
			return nil, &ServerError{Msg: "ERR Unsupported option " + string(a)}
		}
	}
	if (nx && (xx || gt || lt)) || (gt && lt) {
		return nil, &ServerError{Msg: "ERR NX and XX, GT or LT options at the same time are not compatible"}
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

var memberPresent = []byte{1}

func cmdSAdd(c *cmdCtx) (any, error) {
	ik := ikey(c.args[0])
	old, had, err := lookupW(c.tx, ik, c.now)
	if err != nil {
		return nil, err
	}
	if had && old.typ != typeSet {
		return nil, errWrongType
	}
	b, err := c.tx.Bucket(bktSets).CreateBucketIfNotExists(ik)
	if err != nil {
		return nil, err
	}
	var added int64
	for _, m := range c.args[1:] {
		mk := mkey(m)
		if b.Get(mk) == nil {
			if err := b.Put(mk, memberPresent); err != nil {
				return nil, err
			}
			added++
		}
	}
	if added > 0 || !had {
		r := record{typ: typeSet, exp: old.exp, card: old.card + added}
		if err := putRecord(c.tx, ik, r, old, had); err != nil {
			return nil, err
		}
	}
	return added, nil
}

func cmdSRem(c *cmdCtx) (any, error) {
	ik := ikey(c.args[0])
	old, had, err := lookupW(c.tx, ik, c.now)
	if err != nil {
		return nil, err
	}
	if !had {
		return int64(0), nil
	}
	if old.typ != typeSet {
		return nil, errWrongType
	}
	b := c.tx.Bucket(bktSets).Bucket(ik)
	var removed int64
	if b != nil {
		for _, m := range c.args[1:] {
			mk := mkey(m)
			if b.Get(mk) != nil {
				if err := b.Delete(mk); err != nil {
					return nil, err
				}
				removed++
			}
		}
	}
	if removed == 0 {
		return int64(0), nil
	}
	r := old
	r.card -= removed
	if r.card <= 0 {
		return removed, deleteKey(c.tx, ik, old)
	}
	return removed, putRecord(c.tx, ik, r, old, true)
}

func liveSet(c *cmdCtx) (*bolt.Bucket, record, bool, error) {
	ik := ikey(c.args[0])
	r, ok := lookup(c.tx, ik, c.now)
	if !ok {
		return nil, r, false, nil
	}
	if r.typ != typeSet {
		return nil, r, false, errWrongType
	}
	return c.tx.Bucket(bktSets).Bucket(ik), r, true, nil
}

func cmdSMembers(c *cmdCtx) (any, error) {
	b, _, ok, err := liveSet(c)
	if err != nil {
		return nil, err
	}
	out := []any{}
	if !ok || b == nil {
		return out, nil
	}
	err = b.ForEach(func(k, _ []byte) error {
		out = append(out, append([]byte{}, k[1:]...))
		return nil
	})
	return out, err
}

func cmdSCard(c *cmdCtx) (any, error) {
	_, r, ok, err := liveSet(c)
	if err != nil || !ok {
		return int64(0), err
	}
	return r.card, nil
}

func cmdSIsMember(c *cmdCtx) (any, error) {
	b, _, ok, err := liveSet(c)
	if err != nil || !ok || b == nil {
		return int64(0), err
	}
	if b.Get(mkey(c.args[1])) != nil {
		return int64(1), nil
	}
	return int64(0), nil
}

func cmdSMIsMember(c *cmdCtx) (any, error) {
	b, _, ok, err := liveSet(c)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(c.args)-1)
	for i, m := range c.args[1:] {
		out[i] = int64(0)
		if ok && b != nil && b.Get(mkey(m)) != nil {
			out[i] = int64(1)
		}
	}
	return out, nil
}

// flattenReply appends a reply to out the way Spin 1.x flattens redis-rs values (see
// flattenRESP).
func flattenReply(v any, out []Result) []Result {
	switch v := v.(type) {
	case nil:
	case statusReply:
		if v != "OK" {
			out = append(out, Result{Kind: ResultStatus, Status: string(v)})
		}
	case int64:
		out = append(out, Result{Kind: ResultInt64, Int64: v})
	case []byte:
		out = append(out, Result{Kind: ResultBinary, Binary: v})
	case []any:
		for _, x := range v {
			out = flattenReply(x, out)
		}
	}
	return out
}

// ---- Redis interface ----

func strArgs(first string, rest []string) [][]byte {
	out := make([][]byte, 0, len(rest)+1)
	out = append(out, []byte(first))
	for _, s := range rest {
		out = append(out, []byte(s))
	}
	return out
}

func (e *Embedded) Publish(ctx context.Context, channel string, payload []byte) error {
	_, err := e.do(ctx, "publish", [][]byte{[]byte(channel), payload})
	return err
}

func (e *Embedded) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := e.do(ctx, "get", [][]byte{[]byte(key)})
	if err != nil {
		return nil, err
	}
	if b, ok := v.([]byte); ok {
		return b, nil
	}
	return []byte{}, nil
}

func (e *Embedded) Set(ctx context.Context, key string, value []byte) error {
	_, err := e.do(ctx, "set", [][]byte{[]byte(key), value})
	return err
}

func (e *Embedded) Incr(ctx context.Context, key string) (int64, error) {
	return e.doInt(ctx, "incr", [][]byte{[]byte(key)})
}

func (e *Embedded) Del(ctx context.Context, keys []string) (int64, error) {
	args := make([][]byte, len(keys))
	for i, k := range keys {
		args[i] = []byte(k)
	}
	return e.doInt(ctx, "del", args)
}

func (e *Embedded) SAdd(ctx context.Context, key string, members []string) (int64, error) {
	return e.doInt(ctx, "sadd", strArgs(key, members))
}

func (e *Embedded) SRem(ctx context.Context, key string, members []string) (int64, error) {
	return e.doInt(ctx, "srem", strArgs(key, members))
}

func (e *Embedded) SMembers(ctx context.Context, key string) ([]string, error) {
	v, err := e.do(ctx, "smembers", [][]byte{[]byte(key)})
	if err != nil {
		return nil, err
	}
	items, _ := v.([]any)
	out := make([]string, len(items))
	for i, x := range items {
		b, _ := x.([]byte)
		out[i] = string(b)
	}
	return out, nil
}

func (e *Embedded) doInt(ctx context.Context, name string, args [][]byte) (int64, error) {
	v, err := e.do(ctx, name, args)
	if err != nil {
		return 0, err
	}
	n, _ := v.(int64)
	return n, nil
}

func (e *Embedded) Execute(ctx context.Context, command string, args []Param) ([]Result, error) {
	bargs := make([][]byte, len(args))
	for i, a := range args {
		if a.IsInt {
			bargs[i] = []byte(strconv.FormatInt(a.Int64, 10))
		} else {
			bargs[i] = a.Binary
		}
	}
	v, err := e.do(ctx, command, bargs)
	if err != nil {
		return nil, err
	}
	return flattenReply(v, nil), nil
}
