package redis

import (
	"context"
	"errors"
	"net"
	"reflect"
	"testing"
	"time"

	"wasmsite/server/store"
	"wasmsite/server/store/redistest"
	"wasmsite/server/store/storetest"
)

// Shorthands of package storetest.
var (
	p                = storetest.Params
	B, I, S          = storetest.Binary, storetest.Int, storetest.Status
	rs               = storetest.Results
	subscribeCollect = storetest.Subscribe
	waitDelivery     = storetest.WaitDelivery
)

func TestRedisOutageAndRecovery(t *testing.T) {
	srv := redistest.Start(t)
	r, err := New(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	kv, err := NewKV(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := r.Set(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	start := time.Now()
	checks := map[string]error{}
	_, checks["Get"] = r.Get(ctx, "k")
	checks["Set"] = r.Set(ctx, "k", []byte("v"))
	_, checks["SAdd"] = r.SAdd(ctx, "s", []string{"a"})
	_, checks["Execute"] = r.Execute(ctx, "GET", p("k"))
	checks["Publish"] = r.Publish(ctx, "c", []byte("x"))
	checks["Subscribe"] = r.Subscribe(ctx, []string{"c"}, func(string, []byte) {})
	_, checks["store.KV.Get"] = kv.Get(ctx, "k")
	t.Logf("outage answers took %v", time.Since(start))
	for name, err := range checks {
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s during outage = %v; want store.ErrUnavailable", name, err)
		}
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("outage answers took %v", d)
	}
	srv.Start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := r.Set(ctx, "k", []byte("back"))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery after restart: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if v, err := r.Get(ctx, "k"); err != nil || string(v) != "back" {
		t.Fatalf("Get after recovery = %q, %v", v, err)
	}
	if got, err := r.Execute(ctx, "INCR", p("n")); err != nil || !reflect.DeepEqual(got, rs(I(1))) {
		t.Fatalf("Execute after recovery = %v, %v", got, err)
	}
	if err := kv.Set(ctx, "k", []byte("kv")); err != nil {
		t.Fatalf("store.KV after recovery: %v", err)
	}
}

func TestRedisSubscribeSurvivesRestart(t *testing.T) {
	srv := redistest.Start(t)
	r, err := New(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	msgs, cancel, done := subscribeCollect(t, r, "events")
	srv.Restart()
	waitDelivery(t, r, msgs, "events", "after-restart")
	srv.Restart()
	waitDelivery(t, r, msgs, "events", "after-second-restart")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Subscribe returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Subscribe did not return after cancel")
	}
}

func TestRedisBadURL(t *testing.T) {
	if _, err := New("http://localhost:6379"); err == nil {
		t.Fatal("New accepted an http URL")
	}
	if _, err := NewKV("not a url"); err == nil {
		t.Fatal("NewKV accepted a bad URL")
	}
}

func TestFlattenRESP(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want []store.Result
		err  string
	}{
		{"+OK\r\n", nil, ""},
		{"+QUEUED\r\n", rs(S("QUEUED")), ""},
		{":-3\r\n", rs(I(-3)), ""},
		{"$-1\r\n", nil, ""},
		{"$0\r\n\r\n", rs(B("")), ""},
		{"$4\r\na\r\nb\r\n", rs(B("a\r\nb")), ""},
		{"*-1\r\n", nil, ""},
		{"*3\r\n$1\r\na\r\n$-1\r\n*2\r\n:1\r\n+PONG\r\n", rs(B("a"), I(1), S("PONG")), ""},
		{"-ERR boom\r\n", nil, "ERR boom"},
		{"*2\r\n:1\r\n-ERR inner\r\n", nil, "ERR inner"},
	} {
		got, rest, err := flattenRESP([]byte(tc.raw), nil)
		if tc.err != "" {
			var se *store.ServerError
			if !errors.As(err, &se) || se.Msg != tc.err {
				t.Errorf("%q: err %v, want %q", tc.raw, err, tc.err)
			}
			continue
		}
		if err != nil || len(rest) != 0 || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %+v rest %q err %v; want %+v", tc.raw, got, rest, err, tc.want)
		}
	}
}

// TestRedisTimeoutIsUnavailable talks to a server that accepts connections and never
// answers: the read timeout must surface as ErrUnavailable.
func TestRedisTimeoutIsUnavailable(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for read timeouts")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 100)
	defer func() {
		l.Close()
		for {
			select {
			case c := <-accepted:
				c.Close()
			default:
				return
			}
		}
	}()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			select {
			case accepted <- c:
			default:
				c.Close()
			}
		}
	}()
	r, err := New("redis://" + l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	start := time.Now()
	_, err = r.Get(context.Background(), "k")
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Get from a silent server = %v; want store.ErrUnavailable", err)
	}
	t.Logf("answered %v after %v", err, time.Since(start))
}
