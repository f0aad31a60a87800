package store_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"wasmsite/server/store"
	"wasmsite/server/store/embedded"
	"wasmsite/server/store/redis"
	"wasmsite/server/store/redistest"
)

// TestDifferential runs the same random command stream against the embedded store and a
// real redis-server and requires identical Execute answers (results and error texts).
func TestDifferential(t *testing.T) {
	e, err := embedded.Open(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	srv := redistest.Start(t)
	r, err := redis.New(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	rng := rand.New(rand.NewPCG(1, 2))
	keys := []string{"a", "b", "c", "d", "e", ""}
	members := []string{"x", "y", "z", "w", ""}
	key := func() any { return keys[rng.IntN(len(keys))] }
	member := func() any { return members[rng.IntN(len(members))] }
	value := func() any {
		switch rng.IntN(4) {
		case 0:
			return rng.IntN(100) - 50
		case 1:
			return fmt.Sprint(rng.IntN(10))
		case 2:
			return "text"
		}
		return ""
	}
	gen := func() (string, []any) {
		switch rng.IntN(20) {
		case 0, 1:
			args := []any{key(), value()}
			for _, opt := range rng.Perm(6)[:rng.IntN(3)] {
				switch opt {
				case 0:
					args = append(args, "EX", 100+rng.IntN(100))
				case 1:
					args = append(args, "NX")
				case 2:
					args = append(args, "XX")
				case 3:
					args = append(args, "GET")
				case 4:
					args = append(args, "KEEPTTL")
				case 5:
					args = append(args, "PX", 100000+rng.IntN(1000))
				}
			}
			return "SET", args
		case 2:
			return "GET", []any{key()}
		case 3:
			return "INCR", []any{key()}
		case 4:
			return "INCRBY", []any{key(), rng.IntN(20) - 10}
		case 5:
			return "DEL", []any{key(), key()}
		case 6:
			return "EXISTS", []any{key(), key()}
		case 7, 8, 9:
			return "SADD", []any{key(), member(), member()}
		case 10, 11:
			return "SREM", []any{key(), member()}
		case 12:
			return "SCARD", []any{key()}
		case 13:
			return "SISMEMBER", []any{key(), member()}
		case 14:
			return "SMISMEMBER", []any{key(), member(), member()}
		case 15:
			return "MGET", []any{key(), key(), key()}
		case 16:
			return "TTL", []any{key()}
		case 17:
			return "EXPIRE", []any{key(), 100 + rng.IntN(100)}
		case 18:
			return "PERSIST", []any{key()}
		}
		return "SMEMBERS", []any{key()}
	}
	ctx := context.Background()
	answer := func(s store.Redis, cmd string, args []any) string {
		got, err := s.Execute(ctx, cmd, p(args...))
		if err != nil {
			return "error: " + err.Error()
		}
		if cmd == "SMEMBERS" {
			sort.Slice(got, func(i, j int) bool { return bytes.Compare(got[i].Binary, got[j].Binary) < 0 })
		}
		return fmt.Sprintf("%+v", normalize(got))
	}
	errs := map[string]int{}
	defer func() { t.Logf("error answers seen: %v", errs) }()
	for i := 0; i < 3000; i++ {
		cmd, args := gen()
		want := answer(r, cmd, args)
		if len(want) > 6 && want[:6] == "error:" {
			errs[want[7:17]]++
		}
		got := answer(e, cmd, args)
		if got != want {
			t.Fatalf("op %d: %s %q:\n embedded: %s\n redis:    %s", i, cmd, args, got, want)
		}
	}
	for _, k := range keys {
		for _, cmd := range []string{"GET", "SMEMBERS", "TTL"} {
			if got, want := answer(e, cmd, []any{k}), answer(r, cmd, []any{k}); !reflect.DeepEqual(got, want) {
				t.Errorf("final %s %q: embedded %s, redis %s", cmd, k, got, want)
			}
		}
	}
}
