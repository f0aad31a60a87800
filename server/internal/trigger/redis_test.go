package trigger

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"wasmsite/server/internal/abi"
	"wasmsite/server/store"
)

// result writes expected<unit, error> (2 bytes: is_err, error) at 512 and returns 512.
func result(g *abi.Guest, isErr, code byte) int64 {
	g.Mem.Write(512, []byte{isErr, code})
	return 512
}

func TestRedisDeliver(t *testing.T) {
	noHTTP := handlerFunc(func(*abi.HTTPRequest) *abi.HTTPResponse { return nil })
	c := spinComponent(t, "sub", &noHTTP)
	tr := &Redis{Log: quietLog()}
	ctx := context.Background()
	var got []string
	for _, tc := range []struct {
		name    string
		handler func(g *abi.Guest, p []byte) int64
		wantErr string
	}{
		{"ok", func(g *abi.Guest, p []byte) int64 { got = append(got, string(p)); return result(g, 0, 0) }, ""},
		{"error result", func(g *abi.Guest, p []byte) int64 { return result(g, 1, 1) }, "returned error 1"},
		{"trap", func(g *abi.Guest, p []byte) int64 { return -1 }, "guest trap"},
		{"result out of bounds", func(g *abi.Guest, p []byte) int64 { return 4*65536 - 1 }, "outside memory"},
		{"ok after failures", func(g *abi.Guest, p []byte) int64 { got = append(got, string(p)); return result(g, 0, 0) }, ""},
	} {
		redisHandler = tc.handler
		err := tr.deliver(ctx, c, []byte("payload "+tc.name))
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.wantErr)
		}
	}
	if want := []string{"payload ok", "payload ok after failures"}; !slices.Equal(got, want) {
		t.Errorf("payloads %q, want %q", got, want)
	}
	// An empty payload arrives as an empty list.
	redisHandler = func(g *abi.Guest, p []byte) int64 {
		if p == nil || len(p) != 0 {
			return -1
		}
		return result(g, 0, 0)
	}
	if err := tr.deliver(ctx, c, nil); err != nil {
		t.Errorf("empty payload: %v", err)
	}
}

// subRedis is a store.Redis whose Subscribe fails a number of times, then delivers the
// queued messages and blocks until ctx ends.
type subRedis struct {
	store.Redis
	mu       sync.Mutex
	fails    int
	attempts int
	channels []string
	msgs     [][2]string
}

func (s *subRedis) Subscribe(ctx context.Context, channels []string, fn func(string, []byte)) error {
	s.mu.Lock()
	s.attempts++
	if s.fails > 0 {
		s.fails--
		s.mu.Unlock()
		return errors.New("connection refused")
	}
	s.channels = channels
	msgs := s.msgs
	s.mu.Unlock()
	for _, m := range msgs {
		fn(m[0], []byte(m[1]))
	}
	<-ctx.Done()
	return nil
}

func TestRedisRun(t *testing.T) {
	noHTTP := handlerFunc(func(*abi.HTTPRequest) *abi.HTTPResponse { return nil })
	a := spinComponent(t, "a", &noHTTP)
	b := &Component{ID: "b", Module: a.Module}
	var mu sync.Mutex
	var seen []string
	done := make(chan struct{})
	redisHandler = func(g *abi.Guest, p []byte) int64 {
		mu.Lock()
		seen = append(seen, string(p))
		if len(seen) == 5 {
			close(done)
		}
		mu.Unlock()
		return result(g, 0, 0)
	}
	backend := &subRedis{fails: 1, msgs: [][2]string{{"news", "n1"}, {"other", "ignored"}, {"alerts", "a1"}, {"news", "n2"}}}
	tr := &Redis{
		Backend: backend,
		Subs:    []RedisSubscription{{Channel: "news", Component: a}, {Channel: "alerts", Component: a}, {Channel: "news", Component: b}},
		Log:     quietLog(),
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- tr.Run(ctx) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("messages not delivered; seen %q", seen)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	// Each channel's subscribers, in subscription order; the failed first attempt retried.
	if want := []string{"n1", "n1", "a1", "n2", "n2"}; !slices.Equal(seen, want) {
		t.Errorf("deliveries %q, want %q", seen, want)
	}
	if !slices.Equal(backend.channels, []string{"news", "alerts"}) || backend.attempts != 2 {
		t.Errorf("subscribed to %q in %d attempts", backend.channels, backend.attempts)
	}
}
