package embedded

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"wasmsite/server/store"

	bolt "go.etcd.io/bbolt"
)

// statusReply is a Redis simple-string reply ("OK", "PONG").
type statusReply string

// Replies of the command engine are: nil (nil bulk), statusReply, int64, []byte, []any.

var (
	errWrongType = &store.ServerError{Msg: "WRONGTYPE Operation against a key holding the wrong kind of value"}
	errNotInt    = &store.ServerError{Msg: "ERR value is not an integer or out of range"}
	errSyntax    = &store.ServerError{Msg: "ERR syntax error"}
	errOverflow  = &store.ServerError{Msg: "ERR increment or decrement would overflow"}
)

func errArity(name string) error {
	return &store.ServerError{Msg: fmt.Sprintf("ERR wrong number of arguments for '%s' command", name)}
}

func errInvalidExpire(name string) error {
	return &store.ServerError{Msg: fmt.Sprintf("ERR invalid expire time in '%s' command", name)}
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

// commands are the supported commands by lower-case name.
var commands = map[string]cmdSpec{
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

// do runs one command. Domain failures are *ServerError with Redis's wording; an
// unknown command wraps ErrUnsupported; storage failures wrap ErrUnavailable.
func (e *Store) do(ctx context.Context, name string, args [][]byte) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lname := strings.ToLower(name)
	spec, ok := commands[lname]
	if !ok {
		return nil, fmt.Errorf("%w: %s", store.ErrUnsupported, strings.ToUpper(name))
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
		if se, ok := err.(*store.ServerError); ok {
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
