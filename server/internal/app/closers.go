package app

import (
	"errors"
	"io"
	"sync"
)

// closeStack owns everything an App must close, closed in reverse order of opening
// (components before the engine, the engine before the stores it calls). Components
// load concurrently and Redis back ends open at run time, hence the lock.
type closeStack struct {
	mu      sync.Mutex
	closers []io.Closer
}

func (s *closeStack) push(c io.Closer) {
	s.mu.Lock()
	s.closers = append(s.closers, c)
	s.mu.Unlock()
}

// closeAll closes everything pushed so far, last first, and joins the errors.
func (s *closeStack) closeAll() error {
	s.mu.Lock()
	closers := s.closers
	s.closers = nil
	s.mu.Unlock()
	var err error
	for i := len(closers) - 1; i >= 0; i-- {
		err = errors.Join(err, closers[i].Close())
	}
	return err
}

// closerFunc adapts a function to io.Closer.
type closerFunc func() error

func (f closerFunc) Close() error { return f() }
