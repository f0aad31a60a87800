package engine

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A module holds at most MaxInstances instances; MaxQueue more requests wait (first in,
// first served), the next is refused with ErrOverloaded; a waiter whose context ends
// gives up its place; a closed instance lets a waiter create a new one.
func TestPoolAdmission(t *testing.T) {
	e := newEngine(t, Options{})
	m := compileWith(t, e, statefulModule(), Settings{MaxInstances: 2, MaxQueue: 2, Prewarm: -1})
	ctx := context.Background()
	a, b := acquire(t, m), acquire(t, m)
	if s := m.Stats(); s.Live != 2 || s.Idle != 0 || s.Max != 2 {
		t.Fatalf("stats %+v", s)
	}
	got := make(chan *Instance, 2)
	waiter := func() {
		inst, err := m.Acquire(ctx)
		if err != nil {
			t.Error(err)
		}
		got <- inst
	}
	go waiter()
	waitFor(t, func() bool { return m.Stats().Waiting == 1 })
	cctx, cancel := context.WithCancel(ctx)
	gaveUp := make(chan error, 1)
	go func() { _, err := m.Acquire(cctx); gaveUp <- err }()
	waitFor(t, func() bool { return m.Stats().Waiting == 2 })
	if _, err := m.Acquire(ctx); !errors.Is(err, ErrOverloaded) {
		t.Fatalf("third waiter: %v, want ErrOverloaded", err)
	}
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled waiter: %v", err)
	}
	a.Release(true) // reset and handed to the first waiter
	first := <-got
	if first != a {
		t.Error("the released instance did not go to the waiter")
	}
	go waiter()
	waitFor(t, func() bool { return m.Stats().Waiting == 1 })
	b.Release(false) // closed: the waiter creates a new one
	second := <-got
	if second == nil || second == b || second.IsClosed() {
		t.Fatal("the waiter did not get a new instance after a close")
	}
	first.Release(true)
	second.Release(true)
	if s := m.Stats(); s.Live != 2 || s.Idle != 2 || s.Rejected != 1 {
		t.Errorf("final stats %+v", s)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}
