// Package storetest holds what the tests of the store back ends share: builders of
// Execute parameters and expected results, and a subscriber that waits until its
// subscription is live.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"wasmsite/server/store"
)

// Params builds Execute parameters: int64 → Int64, string → Binary.
func Params(args ...any) []store.Param {
	out := make([]store.Param, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case int:
			out[i] = store.Param{IsInt: true, Int64: int64(a)}
		case string:
			out[i] = store.Param{Binary: []byte(a)}
		default:
			panic(fmt.Sprintf("bad param %T", a))
		}
	}
	return out
}

// Binary, Int and Status are expected results of those kinds.
func Binary(s string) store.Result { return store.Result{Kind: store.ResultBinary, Binary: []byte(s)} }
func Int(n int64) store.Result     { return store.Result{Kind: store.ResultInt64, Int64: n} }
func Status(s string) store.Result { return store.Result{Kind: store.ResultStatus, Status: s} }

// None is an empty result list; Results lists r.
func None() []store.Result                     { return []store.Result{} }
func Results(r ...store.Result) []store.Result { return r }

// Subscribe runs r.Subscribe in the background and returns the received messages'
// channel. It publishes a probe until the subscription is live.
func Subscribe(t *testing.T, r store.Redis, channels ...string) (<-chan string, context.CancelFunc, <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	msgs := make(chan string, 1000)
	done := make(chan error, 1)
	go func() {
		done <- r.Subscribe(ctx, channels, func(ch string, payload []byte) {
			msgs <- ch + ":" + string(payload)
		})
	}()
	t.Cleanup(cancel)
	WaitDelivery(t, r, msgs, channels[0], "probe")
	return msgs, cancel, done
}

// WaitDelivery publishes payload on channel until it arrives on msgs (10 s at most),
// then drains duplicates.
func WaitDelivery(t *testing.T, r store.Redis, msgs <-chan string, channel, payload string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	want := channel + ":" + payload
	for time.Now().Before(deadline) {
		_ = r.Publish(context.Background(), channel, []byte(payload))
		select {
		case m := <-msgs:
			if m == want {
				for {
					select {
					case m := <-msgs:
						if m != want {
							t.Fatalf("unexpected message %q", m)
						}
					case <-time.After(50 * time.Millisecond):
						return
					}
				}
			}
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("no delivery of %q within 10s", want)
}
