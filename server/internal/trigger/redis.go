package trigger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"wasmsite/functions/sdk/spin"
	"wasmsite/server/internal/abi"
	"wasmsite/server/internal/host"
	"wasmsite/server/store"
)

// RedisSubscription delivers messages on Channel to a component's
// handle-redis-message export (Spin 1.x spin-redis.wit), each message on an instance
// in a fresh state.
type RedisSubscription struct {
	Channel   string
	Component *Component
}

// Redis runs the Redis trigger for one address: it subscribes to every channel of its
// subscriptions and calls the components with each published message. Delivery keeps
// going across Redis restarts (the backend reconnects).
type Redis struct {
	Backend store.Redis
	Subs    []RedisSubscription
	Timeout time.Duration
	Log     *slog.Logger
}

// Run blocks until ctx is done.
func (t *Redis) Run(ctx context.Context) error {
	byChannel := map[string][]*Component{}
	var channels []string
	for _, s := range t.Subs {
		if _, ok := byChannel[s.Channel]; !ok {
			channels = append(channels, s.Channel)
		}
		byChannel[s.Channel] = append(byChannel[s.Channel], s.Component)
	}
	// Subscribe returns an error only when it cannot subscribe at all (Redis down at
	// start-up); once subscribed the backend itself re-subscribes after outages. Keep
	// trying, with backoff, rather than leaving the channels unserved.
	backoff := 250 * time.Millisecond
	for {
		err := t.Backend.Subscribe(ctx, channels, t.dispatch(ctx, byChannel))
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			err = errors.New("subscription ended")
		}
		t.Log.Warn("redis trigger: cannot subscribe; retrying", "channels", channels, "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (t *Redis) dispatch(ctx context.Context, byChannel map[string][]*Component) func(string, []byte) {
	return func(channel string, payload []byte) {
		for _, c := range byChannel[channel] {
			start := time.Now()
			err := t.deliver(ctx, c, payload)
			level := slog.LevelInfo
			if err != nil {
				level = slog.LevelError
			}
			t.Log.Log(ctx, level, "redis message", "channel", channel, "component", c.ID,
				"bytes", len(payload), "duration", time.Since(start).Round(time.Microsecond), "err", err)
		}
	}
}

func (t *Redis) deliver(ctx context.Context, c *Component, payload []byte) (err error) {
	if t.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.Timeout)
		defer cancel()
	}
	ctx = host.WithScope(ctx, &host.Scope{Caps: c.Caps})
	inst, err := c.Module.Acquire(ctx)
	if err != nil {
		return err
	}
	defer func() { inst.Release(err == nil) }()
	g, err := abi.NewGuest(inst)
	if err != nil {
		return err
	}
	host.BindGuest(ctx, g)
	fn := inst.Function(spin.ExportRedisHandler)
	if fn == nil {
		return errors.New("component does not export " + spin.ExportRedisHandler)
	}
	p, err := g.PutBytes(ctx, payload)
	if err != nil {
		return err
	}
	res, err := fn.Call(ctx, uint64(p), uint64(len(payload)))
	if err != nil {
		return err
	}
	if len(res) != 1 {
		return abi.Errorf("%s returned %d values, want 1", spin.ExportRedisHandler, len(res))
	}
	area := uint32(res[0])
	if err := g.Check(area, spin.RedisUnitSize, spin.RedisUnitAlign); err != nil {
		return err
	}
	if g.U8(area+spin.ResultIsErr) != 0 {
		return fmt.Errorf("%s returned error %d", spin.ExportRedisHandler, g.U8(area+spin.RedisUnitError))
	}
	return nil
}
