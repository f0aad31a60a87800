package engine

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// ErrOverloaded is returned by Acquire when the module has MaxInstances instances in
// use and MaxQueue requests already waiting: the caller should answer 503 with
// Retry-After.
var ErrOverloaded = errors.New("every instance is busy and the queue is full")

// pool bounds a module's instances and the requests waiting for one. Idle instances
// (reset, ready) are handed out last-in first-out, so the most recently used memory is
// reused; waiters are served first-in first-out.
type pool struct {
	m        *Module
	max      int
	maxQueue int

	mu   sync.Mutex
	idle []*Instance
	live int // instances in use, idle or being created
	// waiters receive an instance, or nil: "an instance was closed, create one" (the
	// live count is then already theirs).
	waiters []chan *Instance
	closed  bool

	created, reused, rejected atomic.Uint64
	waits, waitNanos          atomic.Uint64
	resets, resetPages        atomic.Uint64
}

// PoolStats describe a module's instances.
type PoolStats struct {
	Live, Idle, Waiting, Max int
	// Created counts instances made, Reused requests served by a reset instance,
	// Rejected requests refused with ErrOverloaded.
	Created, Reused, Rejected uint64
	// Waits counts requests that waited for an instance, WaitTime their total wait.
	Waits    uint64
	WaitTime time.Duration
	// Resets counts memory resets and ResetPages the 4 KiB pages they copied back.
	Resets, ResetPages uint64
}

func newPool(m *Module, s Settings) (*pool, error) {
	p := &pool{m: m, max: s.MaxInstances, maxQueue: s.MaxQueue}
	if p.max <= 0 {
		p.max = DefaultMaxInstances()
	}
	switch {
	case p.maxQueue == 0:
		p.maxQueue = 8 * p.max
	case p.maxQueue < 0:
		p.maxQueue = 0
	}
	prewarm := s.Prewarm
	if prewarm == 0 {
		prewarm = runtime.GOMAXPROCS(0)
	}
	if !m.reuse {
		prewarm = 0
	}
	m.pool = p // instances count their resets in it
	for range min(prewarm, p.max) {
		inst, err := p.create(context.Background())
		if err != nil {
			return nil, err
		}
		p.put(inst)
	}
	return p, nil
}

// Acquire returns an instance whose state equals a fresh instance's: an idle one, a
// new one while fewer than MaxInstances exist, or else the next one released, waiting
// at most until ctx is done. It returns ErrOverloaded when MaxQueue requests already
// wait, ctx's error when it ends first, or why a new instance could not be made.
// The instance is armed with ctx: when ctx ends, the guest is stopped (see
// Instance.arm) and the instance is not reused.
func (m *Module) Acquire(ctx context.Context) (*Instance, error) {
	inst, err := m.pool.acquire(ctx)
	if err != nil {
		return nil, err
	}
	inst.arm(ctx)
	return inst, nil
}

// Stats reports the pool's state.
func (m *Module) Stats() PoolStats {
	p := m.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{Live: p.live, Idle: len(p.idle), Waiting: len(p.waiters), Max: p.max,
		Created: p.created.Load(), Reused: p.reused.Load(), Rejected: p.rejected.Load(),
		Waits: p.waits.Load(), WaitTime: time.Duration(p.waitNanos.Load()),
		Resets: p.resets.Load(), ResetPages: p.resetPages.Load()}
}

func (p *pool) acquire(ctx context.Context) (*Instance, error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		inst := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		p.reused.Add(1)
		return inst, nil
	}
	if p.live < p.max {
		p.live++
		p.mu.Unlock()
		return p.create(ctx)
	}
	if len(p.waiters) >= p.maxQueue {
		p.mu.Unlock()
		p.rejected.Add(1)
		return nil, ErrOverloaded
	}
	ch := make(chan *Instance, 1)
	p.waiters = append(p.waiters, ch)
	p.mu.Unlock()
	p.waits.Add(1)
	defer func(start time.Time) { p.waitNanos.Add(uint64(time.Since(start))) }(time.Now())
	select {
	case inst := <-ch:
		return p.received(ctx, inst)
	case <-ctx.Done():
	}
	p.mu.Lock()
	if p.removeWaiter(ch) {
		p.mu.Unlock()
		return nil, ctx.Err()
	}
	p.mu.Unlock()
	// Handed something while giving up: pass it on.
	if inst := <-ch; inst != nil {
		p.put(inst)
	} else {
		p.drop()
	}
	return nil, ctx.Err()
}

// received turns what a waiter was handed into an instance.
func (p *pool) received(ctx context.Context, inst *Instance) (*Instance, error) {
	if inst == nil {
		return p.create(ctx)
	}
	p.reused.Add(1)
	return inst, nil
}

// create makes an instance for a live count already taken; on failure it gives the
// count back.
func (p *pool) create(ctx context.Context) (*Instance, error) {
	inst, err := p.m.newServingInstance(ctx)
	if err != nil {
		p.drop()
		return nil, err
	}
	p.created.Add(1)
	return inst, nil
}

func (p *pool) removeWaiter(ch chan *Instance) bool {
	for k, w := range p.waiters {
		if w == ch {
			p.waiters = append(p.waiters[:k], p.waiters[k+1:]...)
			return true
		}
	}
	return false
}

// put makes a reset instance available: to the longest waiter, else idle. After
// close, it closes the instance instead.
func (p *pool) put(inst *Instance) {
	p.mu.Lock()
	if p.closed {
		p.live--
		p.mu.Unlock()
		inst.close()
		return
	}
	if len(p.waiters) > 0 {
		ch := p.waiters[0]
		p.waiters = p.waiters[1:]
		p.mu.Unlock()
		ch <- inst
		return
	}
	p.idle = append(p.idle, inst)
	p.mu.Unlock()
}

// drop accounts for an instance that was closed or never made: the longest waiter may
// create one in its place.
func (p *pool) drop() {
	p.mu.Lock()
	if len(p.waiters) > 0 && !p.closed {
		ch := p.waiters[0]
		p.waiters = p.waiters[1:]
		p.mu.Unlock()
		ch <- nil
		return
	}
	p.live--
	p.mu.Unlock()
}

func (p *pool) closing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// close closes idle instances; instances in use are closed when released.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.live -= len(idle)
	p.mu.Unlock()
	for _, inst := range idle {
		inst.close()
	}
}

// newServingInstance makes an instance ready for a request: for a reused module, one
// at the image (instantiating runs no guest code: the rewrite took the start function
// out); else a fresh instance that ran its start function and `_initialize`.
func (m *Module) newServingInstance(ctx context.Context) (*Instance, error) {
	if m.reuse {
		ctx = context.WithoutCancel(ctx)
	}
	inst, err := m.instantiate(ctx)
	if err != nil {
		return nil, err
	}
	if m.reuse {
		err = inst.bindGlobals()
		if err == nil && !m.stripped && inst.slot != nil {
			// Instantiating wrote the data segments over the image: restore it.
			_, err = inst.slot.reset()
		}
		if err == nil {
			err = inst.reset()
		}
	} else {
		inst.arm(ctx)
		err = inst.initialize(ctx)
		if !inst.disarm() {
			err = errors.Join(err, ctx.Err())
		}
		inst.disarm = nil
	}
	if err != nil {
		inst.close()
		return nil, err
	}
	return inst, nil
}
