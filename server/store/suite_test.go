package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"wasmsite/server/store"
	"wasmsite/server/store/embedded"
	"wasmsite/server/store/redis"
	"wasmsite/server/store/redistest"
	"wasmsite/server/store/storetest"
)

// Shorthands of package storetest.
var (
	p                = storetest.Params
	B, I, S          = storetest.Binary, storetest.Int, storetest.Status
	none, rs         = storetest.None, storetest.Results
	subscribeCollect = storetest.Subscribe
	waitDelivery     = storetest.WaitDelivery
)

type backend struct {
	name string
	new  func(t testing.TB) store.Redis
}

var backends = []backend{
	{"embedded", func(t testing.TB) store.Redis {
		e, err := embedded.Open(filepath.Join(t.TempDir(), "store.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e
	}},
	{"redis", func(t testing.TB) store.Redis {
		srv := redistest.Start(t)
		r, err := redis.New(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}},
}

func forEachBackend(t *testing.T, fn func(t *testing.T, r store.Redis)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b.new(t)) })
	}
}

type step struct {
	cmd     string
	args    []any
	want    []store.Result
	wantErr string // prefix of the error message
}

var executeSteps = []step{
	{cmd: "SET", args: []any{"s", "v"}, want: none()},
	{cmd: "GET", args: []any{"s"}, want: rs(B("v"))},
	{cmd: "get", args: []any{"missing"}, want: none()},
	{cmd: "SET", args: []any{"n", 5}, want: none()},
	{cmd: "INCR", args: []any{"n"}, want: rs(I(6))},
	{cmd: "IncrBy", args: []any{"n", -10}, want: rs(I(-4))},
	{cmd: "GET", args: []any{"n"}, want: rs(B("-4"))},
	{cmd: "INCR", args: []any{"fresh"}, want: rs(I(1))},
	{cmd: "SET", args: []any{"s", "v2", "NX"}, want: none()},
	{cmd: "GET", args: []any{"s"}, want: rs(B("v"))},
	{cmd: "SET", args: []any{"s", "v3", "xx"}, want: none()},
	{cmd: "SET", args: []any{"nothere", "x", "XX"}, want: none()},
	{cmd: "GET", args: []any{"nothere"}, want: none()},
	{cmd: "SET", args: []any{"s", "v4", "GET"}, want: rs(B("v3"))},
	{cmd: "SET", args: []any{"s2", "x", "GET"}, want: none()},
	{cmd: "SADD", args: []any{"set", "a", "b", "a"}, want: rs(I(2))},
	{cmd: "SADD", args: []any{"set", "b", "c"}, want: rs(I(1))},
	{cmd: "SADD", args: []any{"set", "c"}, want: rs(I(0))},
	{cmd: "SCARD", args: []any{"set"}, want: rs(I(3))},
	{cmd: "SCARD", args: []any{"missing"}, want: rs(I(0))},
	{cmd: "SISMEMBER", args: []any{"set", "a"}, want: rs(I(1))},
	{cmd: "SISMEMBER", args: []any{"set", "z"}, want: rs(I(0))},
	{cmd: "SMISMEMBER", args: []any{"set", "a", "z", "c"}, want: rs(I(1), I(0), I(1))},
	{cmd: "SMEMBERS", args: []any{"missing"}, want: none()},
	{cmd: "SMEMBERS", args: []any{"s"}, wantErr: "WRONGTYPE Operation against a key holding the wrong kind of value"},
	{cmd: "GET", args: []any{"set"}, wantErr: "WRONGTYPE Operation against a key holding the wrong kind of value"},
	{cmd: "SADD", args: []any{"s", "x"}, wantErr: "WRONGTYPE Operation against a key holding the wrong kind of value"},
	{cmd: "INCR", args: []any{"set"}, wantErr: "WRONGTYPE Operation against a key holding the wrong kind of value"},
	{cmd: "SCARD", args: []any{"s"}, wantErr: "WRONGTYPE Operation against a key holding the wrong kind of value"},
	{cmd: "SREM", args: []any{"s", "x"}, wantErr: "WRONGTYPE Operation against a key holding the wrong kind of value"},
	{cmd: "SET", args: []any{"set", "x", "GET"}, wantErr: "WRONGTYPE Operation against a key holding the wrong kind of value"},
	{cmd: "INCR", args: []any{"s"}, wantErr: "ERR value is not an integer or out of range"},
	{cmd: "INCRBY", args: []any{"n", "x"}, wantErr: "ERR value is not an integer or out of range"},
	{cmd: "MGET", args: []any{"s", "set", "missing", "n"}, want: rs(B("v4"), B("-4"))},
	{cmd: "SREM", args: []any{"set", "a", "a", "z"}, want: rs(I(1))},
	{cmd: "SREM", args: []any{"set", "a"}, want: rs(I(0))},
	{cmd: "SREM", args: []any{"missing", "a"}, want: rs(I(0))},
	{cmd: "SREM", args: []any{"set", "b", "c"}, want: rs(I(2))},
	{cmd: "EXISTS", args: []any{"set"}, want: rs(I(0))},
	{cmd: "EXISTS", args: []any{"n", "n", "missing"}, want: rs(I(2))},
	{cmd: "DEL", args: []any{"s", "n", "missing", "s"}, want: rs(I(2))},
	{cmd: "EXISTS", args: []any{"s"}, want: rs(I(0))},
	{cmd: "SADD", args: []any{"z", "a"}, want: rs(I(1))},
	{cmd: "SET", args: []any{"z", "v"}, want: none()},
	{cmd: "GET", args: []any{"z"}, want: rs(B("v"))},
	{cmd: "TTL", args: []any{"z"}, want: rs(I(-1))},
	{cmd: "TTL", args: []any{"missing"}, want: rs(I(-2))},
	{cmd: "PTTL", args: []any{"missing"}, want: rs(I(-2))},
	{cmd: "EXPIRE", args: []any{"z", 100}, want: rs(I(1))},
	{cmd: "TTL", args: []any{"z"}, want: rs(I(100))},
	{cmd: "EXPIRE", args: []any{"missing", 100}, want: rs(I(0))},
	{cmd: "PEXPIRE", args: []any{"missing", 100}, want: rs(I(0))},
	{cmd: "SET", args: []any{"z", "v2"}, want: none()},
	{cmd: "TTL", args: []any{"z"}, want: rs(I(-1))},
	{cmd: "SET", args: []any{"c", "1", "EX", 100}, want: none()},
	{cmd: "INCR", args: []any{"c"}, want: rs(I(2))},
	{cmd: "TTL", args: []any{"c"}, want: rs(I(100))},
	{cmd: "SET", args: []any{"c", "3", "KEEPTTL"}, want: none()},
	{cmd: "TTL", args: []any{"c"}, want: rs(I(100))},
	{cmd: "SADD", args: []any{"ts", "a"}, want: rs(I(1))},
	{cmd: "EXPIRE", args: []any{"ts", 50}, want: rs(I(1))},
	{cmd: "SADD", args: []any{"ts", "b"}, want: rs(I(1))},
	{cmd: "TTL", args: []any{"ts"}, want: rs(I(50))},
	{cmd: "EXPIRE", args: []any{"ts", 0}, want: rs(I(1))},
	{cmd: "EXISTS", args: []any{"ts"}, want: rs(I(0))},
	{cmd: "SET", args: []any{"k", "v", "EX", 0}, wantErr: "ERR invalid expire time in 'set' command"},
	{cmd: "SET", args: []any{"k", "v", "EX", "abc"}, wantErr: "ERR value is not an integer or out of range"},
	{cmd: "SET", args: []any{"k", "v", "BOGUS"}, wantErr: "ERR syntax error"},
	{cmd: "SET", args: []any{"k", "v", "NX", "XX"}, wantErr: "ERR syntax error"},
	{cmd: "GET", args: []any{}, wantErr: "ERR wrong number of arguments for 'get' command"},
	{cmd: "SET", args: []any{"k"}, wantErr: "ERR wrong number of arguments for 'set' command"},
	{cmd: "SADD", args: []any{"k"}, wantErr: "ERR wrong number of arguments for 'sadd' command"},
	{cmd: "DEL", args: []any{}, wantErr: "ERR wrong number of arguments for 'del' command"},
	{cmd: "PING", args: []any{}, want: rs(S("PONG"))},
	{cmd: "PUBLISH", args: []any{"nobody", "hi"}, want: rs(I(0))},
	{cmd: "SET", args: []any{"", "empty key"}, want: none()},
	{cmd: "GET", args: []any{""}, want: rs(B("empty key"))},
	{cmd: "SADD", args: []any{"es", ""}, want: rs(I(1))},
	{cmd: "SISMEMBER", args: []any{"es", ""}, want: rs(I(1))},
	{cmd: "SET", args: []any{"bin", "\x00\xff\r\n"}, want: none()},
	{cmd: "GET", args: []any{"bin"}, want: rs(B("\x00\xff\r\n"))},
	{cmd: "SET", args: []any{"emptyval", ""}, want: none()},
	{cmd: "GET", args: []any{"emptyval"}, want: rs(B(""))},
}

func normalize(r []store.Result) []store.Result {
	if r == nil {
		return []store.Result{}
	}
	return r
}

func TestExecuteTable(t *testing.T) {
	results := map[string][]string{}
	forEachBackend(t, func(t *testing.T, r store.Redis) {
		ctx := context.Background()
		var log []string
		for i, st := range executeSteps {
			got, err := r.Execute(ctx, st.cmd, p(st.args...))
			desc := fmt.Sprintf("#%d %s %v", i, st.cmd, st.args)
			if st.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), st.wantErr) {
					t.Errorf("%s: got %v, %v; want error %q", desc, got, err, st.wantErr)
				}
				var se *store.ServerError
				if err != nil && !errors.As(err, &se) {
					t.Errorf("%s: error %v (%T) is not a *store.ServerError", desc, err, err)
				}
				log = append(log, fmt.Sprintf("%s -> err %v", desc, err))
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", desc, err)
				continue
			}
			if !reflect.DeepEqual(normalize(got), st.want) {
				t.Errorf("%s: got %+v, want %+v", desc, got, st.want)
			}
			log = append(log, fmt.Sprintf("%s -> %+v", desc, normalize(got)))
		}
		results[t.Name()] = log
	})
	if len(results) == 2 {
		var logs [][]string
		for _, l := range results {
			logs = append(logs, l)
		}
		if !slices.Equal(logs[0], logs[1]) {
			t.Errorf("backends disagree")
		}
	}
}

func TestSMembersAndTyped(t *testing.T) {
	forEachBackend(t, func(t *testing.T, r store.Redis) {
		ctx := context.Background()
		v, err := r.Get(ctx, "missing")
		if err != nil || v == nil || len(v) != 0 {
			t.Fatalf("Get missing = %q, %v; want empty, nil", v, err)
		}
		if err := r.Set(ctx, "k", []byte("v")); err != nil {
			t.Fatal(err)
		}
		if v, err := r.Get(ctx, "k"); err != nil || string(v) != "v" {
			t.Fatalf("Get = %q, %v", v, err)
		}
		for want := int64(1); want <= 3; want++ {
			if n, err := r.Incr(ctx, "ctr"); err != nil || n != want {
				t.Fatalf("Incr = %d, %v; want %d", n, err, want)
			}
		}
		if _, err := r.Incr(ctx, "k"); err == nil || !strings.HasPrefix(err.Error(), "ERR value is not an integer") {
			t.Fatalf("Incr non-integer: %v", err)
		}
		if n, err := r.SAdd(ctx, "set", []string{"c", "a", "b", "a"}); err != nil || n != 3 {
			t.Fatalf("SAdd = %d, %v", n, err)
		}
		if n, err := r.SAdd(ctx, "set", []string{"a", "b"}); err != nil || n != 0 {
			t.Fatalf("SAdd again = %d, %v", n, err)
		}
		m, err := r.SMembers(ctx, "set")
		slices.Sort(m)
		if err != nil || !slices.Equal(m, []string{"a", "b", "c"}) {
			t.Fatalf("SMembers = %v, %v", m, err)
		}
		if m, err := r.SMembers(ctx, "missing"); err != nil || len(m) != 0 {
			t.Fatalf("SMembers missing = %v, %v", m, err)
		}
		if n, err := r.SRem(ctx, "set", []string{"a", "zz"}); err != nil || n != 1 {
			t.Fatalf("SRem = %d, %v", n, err)
		}
		if n, err := r.SRem(ctx, "set", []string{"a"}); err != nil || n != 0 {
			t.Fatalf("SRem again = %d, %v", n, err)
		}
		if _, err := r.Get(ctx, "set"); !store.IsWrongType(err) {
			t.Fatalf("Get on a set: %v; want WRONGTYPE", err)
		}
		if _, err := r.SAdd(ctx, "k", []string{"x"}); !store.IsWrongType(err) {
			t.Fatalf("SAdd on a string: %v; want WRONGTYPE", err)
		}
		if _, err := r.SMembers(ctx, "k"); !store.IsWrongType(err) {
			t.Fatalf("SMembers on a string: %v; want WRONGTYPE", err)
		}
		if n, err := r.Del(ctx, []string{"k", "set", "missing", "k"}); err != nil || n != 2 {
			t.Fatalf("Del = %d, %v", n, err)
		}
		if n, err := r.Del(ctx, []string{"k"}); err != nil || n != 0 {
			t.Fatalf("Del again = %d, %v", n, err)
		}
		if err := r.Set(ctx, "t", []byte("v")); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Execute(ctx, "EXPIRE", p("t", 100)); err != nil {
			t.Fatal(err)
		}
		if err := r.Set(ctx, "t", []byte("v2")); err != nil {
			t.Fatal(err)
		}
		if got, _ := r.Execute(ctx, "TTL", p("t")); !reflect.DeepEqual(got, rs(I(-1))) {
			t.Fatalf("TTL after plain Set = %v; want -1 (Set clears the TTL)", got)
		}
	})
}

func TestTTLExpiry(t *testing.T) {
	forEachBackend(t, func(t *testing.T, r store.Redis) {
		ctx := context.Background()
		must := func(cmd string, args ...any) []store.Result {
			t.Helper()
			got, err := r.Execute(ctx, cmd, p(args...))
			if err != nil {
				t.Fatalf("%s %v: %v", cmd, args, err)
			}
			return got
		}
		must("SET", "a", "1")
		must("PEXPIRE", "a", 100)
		must("SET", "b", "1", "PX", 100)
		must("SADD", "c", "x", "y")
		must("PEXPIRE", "c", 100)
		must("SET", "keep", "1")
		pttl := must("PTTL", "a")
		if len(pttl) != 1 || pttl[0].Int64 <= 0 || pttl[0].Int64 > 100 {
			t.Fatalf("PTTL = %v", pttl)
		}
		time.Sleep(250 * time.Millisecond)
		for _, k := range []string{"a", "b", "c"} {
			if got := must("EXISTS", k); !reflect.DeepEqual(got, rs(I(0))) {
				t.Errorf("EXISTS %s after expiry = %v", k, got)
			}
			if got := must("TTL", k); !reflect.DeepEqual(got, rs(I(-2))) {
				t.Errorf("TTL %s after expiry = %v", k, got)
			}
		}
		if v, err := r.Get(ctx, "a"); err != nil || len(v) != 0 {
			t.Errorf("Get expired = %q, %v", v, err)
		}
		if m, err := r.SMembers(ctx, "c"); err != nil || len(m) != 0 {
			t.Errorf("SMembers expired = %v, %v", m, err)
		}
		if got := must("SCARD", "c"); !reflect.DeepEqual(got, rs(I(0))) {
			t.Errorf("SCARD expired = %v", got)
		}
		// An expired set is gone: the key can become a string, and a new set starts empty.
		if got := must("SADD", "c", "z"); !reflect.DeepEqual(got, rs(I(1))) {
			t.Errorf("SADD on expired set = %v", got)
		}
		if got := must("INCR", "a"); !reflect.DeepEqual(got, rs(I(1))) {
			t.Errorf("INCR on expired key = %v", got)
		}
		if n, err := r.Del(ctx, []string{"b", "keep"}); err != nil || n != 1 {
			t.Errorf("Del expired+live = %d, %v", n, err)
		}
	})
}

func TestConcurrentSAdd(t *testing.T) {
	forEachBackend(t, func(t *testing.T, r store.Redis) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for g := 0; g < 20; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 100; i++ {
					n, err := r.SAdd(ctx, "big", []string{fmt.Sprintf("m-%d-%d", g, i)})
					if err != nil || n != 1 {
						errs <- fmt.Errorf("SAdd = %d, %v", n, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		got, err := r.Execute(ctx, "SCARD", p("big"))
		if err != nil || !reflect.DeepEqual(got, rs(I(2000))) {
			t.Fatalf("SCARD = %v, %v; want 2000", got, err)
		}
		m, err := r.SMembers(ctx, "big")
		if err != nil || len(m) != 2000 {
			t.Fatalf("SMembers: %d, %v", len(m), err)
		}
	})
}

func TestPubSub(t *testing.T) {
	forEachBackend(t, func(t *testing.T, r store.Redis) {
		ctx := context.Background()
		msgs, cancel, done := subscribeCollect(t, r, "c1", "c2")
		for i := 0; i < 10; i++ {
			ch := []string{"c1", "c2"}[i%2]
			if err := r.Publish(ctx, ch, []byte(fmt.Sprint(i))); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Publish(ctx, "other", []byte("x")); err != nil {
			t.Fatal(err)
		}
		got, err := r.Execute(ctx, "PUBLISH", p("c1", "counted"))
		if err != nil || !reflect.DeepEqual(got, rs(I(1))) {
			t.Fatalf("PUBLISH to one subscriber = %v, %v", got, err)
		}
		for i := 0; i < 10; i++ {
			want := fmt.Sprintf("%s:%d", []string{"c1", "c2"}[i%2], i)
			select {
			case m := <-msgs:
				if m != want {
					t.Fatalf("message %d = %q, want %q", i, m, want)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("message %d not delivered", i)
			}
		}
		select {
		case m := <-msgs:
			if m != "c1:counted" {
				t.Fatalf("unexpected %q", m)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("PUBLISH via Execute not delivered")
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Subscribe returned %v after cancel", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Subscribe did not return after cancel")
		}
	})
}
