package redis

import (
	"context"
	"errors"

	"wasmsite/server/store"

	goredis "github.com/redis/go-redis/v9"
)

// NewKV returns a key-value store kept in the Redis server at addr (runtime config
// `[key_value_store.x] type = "redis"`), with Spin's commands: GET, SET, DEL, EXISTS and
// KEYS *. Like Spin, every label configured with the same URL shares the database.
func NewKV(addr string) (store.KV, error) {
	opt, err := redisOptions(addr)
	if err != nil {
		return nil, err
	}
	return &kv{c: goredis.NewClient(opt)}, nil
}

type kv struct {
	c *goredis.Client
}

func (s *kv) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.c.Get(ctx, key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, store.ErrNoSuchKey
	}
	if err != nil {
		return nil, mapRedisErr(ctx, err)
	}
	return v, nil
}

func (s *kv) Set(ctx context.Context, key string, value []byte) error {
	return mapRedisErr(ctx, s.c.Set(ctx, key, value, 0).Err())
}

func (s *kv) Delete(ctx context.Context, key string) error {
	return mapRedisErr(ctx, s.c.Del(ctx, key).Err())
}

func (s *kv) Exists(ctx context.Context, key string) (bool, error) {
	n, err := s.c.Exists(ctx, key).Result()
	return n > 0, mapRedisErr(ctx, err)
}

func (s *kv) Keys(ctx context.Context) ([]string, error) {
	v, err := s.c.Keys(ctx, "*").Result()
	return v, mapRedisErr(ctx, err)
}

// Close closes the client's connections. KV has no Close; callers holding the KV can
// type-assert io.Closer.
func (s *kv) Close() error { return s.c.Close() }
