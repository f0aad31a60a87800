package embedded

import (
	"context"
	"strconv"

	"wasmsite/server/store"
)

// flattenReply appends a reply to out the way Spin 1.x flattens redis-rs values (see
// flattenRESP).
func flattenReply(v any, out []store.Result) []store.Result {
	switch v := v.(type) {
	case nil:
	case statusReply:
		if v != "OK" {
			out = append(out, store.Result{Kind: store.ResultStatus, Status: string(v)})
		}
	case int64:
		out = append(out, store.Result{Kind: store.ResultInt64, Int64: v})
	case []byte:
		out = append(out, store.Result{Kind: store.ResultBinary, Binary: v})
	case []any:
		for _, x := range v {
			out = flattenReply(x, out)
		}
	}
	return out
}

func strArgs(first string, rest []string) [][]byte {
	out := make([][]byte, 0, len(rest)+1)
	out = append(out, []byte(first))
	for _, s := range rest {
		out = append(out, []byte(s))
	}
	return out
}

func (e *Store) Publish(ctx context.Context, channel string, payload []byte) error {
	_, err := e.do(ctx, "publish", [][]byte{[]byte(channel), payload})
	return err
}

func (e *Store) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := e.do(ctx, "get", [][]byte{[]byte(key)})
	if err != nil {
		return nil, err
	}
	if b, ok := v.([]byte); ok {
		return b, nil
	}
	return []byte{}, nil
}

func (e *Store) Set(ctx context.Context, key string, value []byte) error {
	_, err := e.do(ctx, "set", [][]byte{[]byte(key), value})
	return err
}

func (e *Store) Incr(ctx context.Context, key string) (int64, error) {
	return e.doInt(ctx, "incr", [][]byte{[]byte(key)})
}

func (e *Store) Del(ctx context.Context, keys []string) (int64, error) {
	args := make([][]byte, len(keys))
	for i, k := range keys {
		args[i] = []byte(k)
	}
	return e.doInt(ctx, "del", args)
}

func (e *Store) SAdd(ctx context.Context, key string, members []string) (int64, error) {
	return e.doInt(ctx, "sadd", strArgs(key, members))
}

func (e *Store) SRem(ctx context.Context, key string, members []string) (int64, error) {
	return e.doInt(ctx, "srem", strArgs(key, members))
}

func (e *Store) SMembers(ctx context.Context, key string) ([]string, error) {
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

func (e *Store) doInt(ctx context.Context, name string, args [][]byte) (int64, error) {
	v, err := e.do(ctx, name, args)
	if err != nil {
		return 0, err
	}
	n, _ := v.(int64)
	return n, nil
}

func (e *Store) Execute(ctx context.Context, command string, args []store.Param) ([]store.Result, error) {
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
