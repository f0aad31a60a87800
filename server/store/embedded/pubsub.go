package embedded

import (
	"context"
)

type subscriber struct {
	ch chan pubMsg
}

type pubMsg struct {
	channel string
	payload []byte
}

func (e *Store) publish(channel string, payload []byte) int64 {
	e.subMu.RLock()
	defer e.subMu.RUnlock()
	var n int64
	for s := range e.subs[channel] {
		p := append([]byte(nil), payload...)
		select {
		case s.ch <- pubMsg{channel, p}:
		default:
			// A subscriber this far behind loses messages (Redis would disconnect it).
		}
		n++
	}
	return n
}

// Subscribe delivers messages published on this store to fn until ctx ends or the store
// is closed, then returns nil. It is subscribed when it is called; fn runs on one
// goroutine, in order.
func (e *Store) Subscribe(ctx context.Context, channels []string, fn func(channel string, payload []byte)) error {
	s := &subscriber{ch: make(chan pubMsg, subBuffer)}
	e.subMu.Lock()
	for _, c := range channels {
		m := e.subs[c]
		if m == nil {
			m = map[*subscriber]struct{}{}
			e.subs[c] = m
		}
		m[s] = struct{}{}
	}
	e.subMu.Unlock()
	defer func() {
		e.subMu.Lock()
		for _, c := range channels {
			delete(e.subs[c], s)
			if len(e.subs[c]) == 0 {
				delete(e.subs, c)
			}
		}
		e.subMu.Unlock()
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-e.stop:
			return nil
		case m := <-s.ch:
			fn(m.channel, m.payload)
		}
	}
}
