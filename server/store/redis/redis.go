// Package redis is the store back end on a real Redis server, through go-redis: the
// outbound-redis operations (New) and key-value stores (NewKV). Failures of the server
// or the connection wrap store.ErrUnavailable; error replies are *store.ServerError.
package redis

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"time"

	"wasmsite/server/store"

	goredis "github.com/redis/go-redis/v9"
)

// Timeouts and pool size of the go-redis clients made by New and NewKV.
const (
	redisDialTimeout  = 2 * time.Second
	redisIOTimeout    = 2 * time.Second
	redisPoolTimeout  = 3 * time.Second
	redisMinPoolSize  = 32
	redisPoolPerCPU   = 10
	redisMinIdleConns = 2
)

func redisOptions(addr string) (*goredis.Options, error) {
	opt, err := goredis.ParseURL(addr)
	if err != nil {
		return nil, fmt.Errorf("invalid redis address %q: %w", addr, err)
	}
	opt.DialTimeout = redisDialTimeout
	opt.ReadTimeout = redisIOTimeout
	opt.WriteTimeout = redisIOTimeout
	opt.PoolTimeout = redisPoolTimeout
	opt.PoolSize = max(redisMinPoolSize, redisPoolPerCPU*runtime.GOMAXPROCS(0))
	opt.MinIdleConns = redisMinIdleConns
	// One retry covers a pooled connection that died with a server restart; more would
	// only delay the "unavailable" answer during an outage.
	opt.MaxRetries = 1
	// One dial attempt per try (go-redis defaults to 5 with 100 ms pauses), so an
	// outage is reported quickly instead of stalling requests.
	opt.DialerRetries = 1
	// RESP2, like Spin 1.x's redis-rs client: Execute's result shapes depend on it.
	opt.Protocol = 2
	opt.DisableIdentity = true
	return opt, nil
}

// New returns the Redis operations on a real Redis server at addr, a redis:// or
// rediss:// URL. It does not connect yet: connection failures surface from each call as
// errors wrapping ErrUnavailable.
func New(addr string) (store.Redis, error) {
	opt, err := redisOptions(addr)
	if err != nil {
		return nil, err
	}
	return &backend{c: goredis.NewClient(opt)}, nil
}

type backend struct {
	c *goredis.Client
}

func (r *backend) Publish(ctx context.Context, channel string, payload []byte) error {
	return mapRedisErr(ctx, r.c.Publish(ctx, channel, payload).Err())
}

func (r *backend) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := r.c.Get(ctx, key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return []byte{}, nil
	}
	if err != nil {
		return nil, mapRedisErr(ctx, err)
	}
	return v, nil
}

func (r *backend) Set(ctx context.Context, key string, value []byte) error {
	return mapRedisErr(ctx, r.c.Set(ctx, key, value, 0).Err())
}

func (r *backend) Incr(ctx context.Context, key string) (int64, error) {
	v, err := r.c.Incr(ctx, key).Result()
	return v, mapRedisErr(ctx, err)
}

func (r *backend) Del(ctx context.Context, keys []string) (int64, error) {
	v, err := r.c.Del(ctx, keys...).Result()
	return v, mapRedisErr(ctx, err)
}

func (r *backend) SAdd(ctx context.Context, key string, members []string) (int64, error) {
	v, err := r.c.SAdd(ctx, key, stringsToAny(members)...).Result()
	return v, mapRedisErr(ctx, err)
}

func (r *backend) SMembers(ctx context.Context, key string) ([]string, error) {
	v, err := r.c.SMembers(ctx, key).Result()
	return v, mapRedisErr(ctx, err)
}

func (r *backend) SRem(ctx context.Context, key string, members []string) (int64, error) {
	v, err := r.c.SRem(ctx, key, stringsToAny(members)...).Result()
	return v, mapRedisErr(ctx, err)
}

func (r *backend) Execute(ctx context.Context, command string, args []store.Param) ([]store.Result, error) {
	cmdArgs := make([]any, 0, len(args)+1)
	cmdArgs = append(cmdArgs, command)
	for _, a := range args {
		if a.IsInt {
			cmdArgs = append(cmdArgs, a.Int64)
		} else {
			cmdArgs = append(cmdArgs, a.Binary)
		}
	}
	raw, err := r.c.DoRaw(ctx, cmdArgs...).Result()
	if err != nil {
		return nil, mapRedisErr(ctx, err)
	}
	out, rest, err := flattenRESP(raw, nil)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, store.Unavailable(fmt.Errorf("redis: %d trailing bytes after reply", len(rest)))
	}
	return out, nil
}

// flattenRESP parses one RESP2 reply from b and appends it to out the way Spin 1.x's
// outbound-redis host flattens a redis-rs Value: nil replies and the "OK" status are
// dropped, other statuses become ResultStatus, integers ResultInt64, bulk strings
// ResultBinary, and arrays are flattened recursively. An error reply anywhere fails the
// whole command with a *ServerError.
func flattenRESP(b []byte, out []store.Result) ([]store.Result, []byte, error) {
	line, rest, err := respLine(b)
	if err != nil {
		return out, nil, err
	}
	if len(line) == 0 {
		return out, nil, store.Unavailable(errors.New("redis: empty reply line"))
	}
	body := string(line[1:])
	switch line[0] {
	case '+':
		if body != "OK" {
			out = append(out, store.Result{Kind: store.ResultStatus, Status: body})
		}
		return out, rest, nil
	case '-':
		return out, nil, &store.ServerError{Msg: body}
	case ':':
		n, err := strconv.ParseInt(body, 10, 64)
		if err != nil {
			return out, nil, store.Unavailable(fmt.Errorf("redis: bad integer reply %q", body))
		}
		return append(out, store.Result{Kind: store.ResultInt64, Int64: n}), rest, nil
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil {
			return out, nil, store.Unavailable(fmt.Errorf("redis: bad bulk length %q", body))
		}
		if n < 0 {
			return out, rest, nil
		}
		if len(rest) < n+2 {
			return out, nil, store.Unavailable(errors.New("redis: short bulk reply"))
		}
		v := make([]byte, n)
		copy(v, rest[:n])
		return append(out, store.Result{Kind: store.ResultBinary, Binary: v}), rest[n+2:], nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil {
			return out, nil, store.Unavailable(fmt.Errorf("redis: bad array length %q", body))
		}
		for i := 0; i < n; i++ {
			out, rest, err = flattenRESP(rest, out)
			if err != nil {
				return out, nil, err
			}
		}
		return out, rest, nil
	default:
		return out, nil, store.Unavailable(fmt.Errorf("redis: unexpected reply type %q", line[0]))
	}
}

func respLine(b []byte) (line, rest []byte, err error) {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '\r' && b[i+1] == '\n' {
			return b[:i], b[i+2:], nil
		}
	}
	return nil, nil, store.Unavailable(errors.New("redis: truncated reply"))
}

// Subscribe subscribes to the channels and calls fn for each message until ctx ends,
// then returns nil. If the first subscription fails it returns an error wrapping
// ErrUnavailable; once subscribed, go-redis re-dials and re-subscribes after outages
// (messages published while disconnected are lost, as with any Redis pub/sub client).
// fn is called from one goroutine, in order.
func (r *backend) Subscribe(ctx context.Context, channels []string, fn func(channel string, payload []byte)) error {
	ps := r.c.Subscribe(ctx)
	defer ps.Close()
	if err := ps.Subscribe(ctx, channels...); err != nil {
		return mapRedisErr(ctx, err)
	}
	// Wait for the subscription confirmations so that publishes after Subscribe
	// has started delivering are not missed.
	for range channels {
		msg, err := ps.Receive(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return mapRedisErr(ctx, err)
		}
		if m, ok := msg.(*goredis.Message); ok {
			fn(m.Channel, []byte(m.Payload))
		}
	}
	ch := ps.Channel(goredis.WithChannelHealthCheckInterval(time.Second))
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-ch:
			if !ok {
				return nil
			}
			fn(m.Channel, []byte(m.Payload))
		}
	}
}

func (r *backend) Close() error { return r.c.Close() }

func stringsToAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
