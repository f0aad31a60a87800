package mountfs

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"wasmsite/server/manifest"
)

// Watcher reports changes to the host files behind mounts.
type Watcher struct {
	w        *fsnotify.Watcher
	onChange func()
	debounce time.Duration
	log      *slog.Logger
	roots    map[string]bool // mounted directories, watched recursively
	names    map[string]bool // mounted paths (directories and files), watched in their parents

	mu      sync.Mutex
	pending *time.Timer
	done    chan struct{}
}

// Watch calls onChange, debounce after the last of a burst of changes (so at most once
// per burst), when a file or directory under a mounted directory changes, or a mounted
// path itself is replaced (as the generator's atomic swap of public/ does). It uses
// the OS's file notifications (inotify on Linux); where its watch limit is reached it
// keeps watching the mounted paths themselves and logs that changes deeper down are not
// seen. Close stops it.
func Watch(mounts []manifest.FileMount, debounce time.Duration, log *slog.Logger, onChange func()) (*Watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	wt := &Watcher{w: fw, onChange: onChange, debounce: debounce, log: log,
		roots: map[string]bool{}, names: map[string]bool{}, done: make(chan struct{})}
	for _, m := range mounts {
		wt.names[filepath.Clean(m.Source)] = true
		if err := fw.Add(filepath.Dir(m.Source)); err != nil {
			fw.Close()
			return nil, err
		}
		if m.Dir {
			wt.roots[filepath.Clean(m.Source)] = true
			wt.addTree(m.Source)
		}
	}
	go wt.run()
	return wt, nil
}

// addTree watches dir and every directory under it.
func (wt *Watcher) addTree(dir string) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if err := wt.w.Add(p); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				wt.log.Warn("file watch limit reached: changes below this directory are not seen (raise fs.inotify.max_user_watches)", "dir", p)
				return filepath.SkipAll
			}
			return nil // gone meanwhile
		}
		return nil
	})
}

func (wt *Watcher) run() {
	for {
		select {
		case ev, ok := <-wt.w.Events:
			if !ok {
				return
			}
			wt.event(ev)
		case _, ok := <-wt.w.Errors:
			if !ok {
				return
			}
		case <-wt.done:
			return
		}
	}
}

// event handles one notification: the parents of mounted paths report every entry,
// only the mounted ones matter; anything inside a mounted directory does.
func (wt *Watcher) event(ev fsnotify.Event) {
	name := filepath.Clean(ev.Name)
	parentEvent := !wt.inside(name)
	if parentEvent && !wt.names[name] {
		return
	}
	if ev.Has(fsnotify.Create) {
		if fi, err := os.Stat(name); err == nil && fi.IsDir() {
			wt.addTree(name) // a new directory, or a mounted one replaced
		}
	}
	wt.mu.Lock()
	defer wt.mu.Unlock()
	if wt.pending != nil {
		wt.pending.Stop()
	}
	wt.pending = time.AfterFunc(wt.debounce, wt.onChange)
}

// inside reports whether path is under a mounted directory.
func (wt *Watcher) inside(path string) bool {
	for root := range wt.roots {
		if rel, err := filepath.Rel(root, path); err == nil && rel != "." && filepath.IsLocal(rel) {
			return true
		}
	}
	return false
}

// Close stops watching.
func (wt *Watcher) Close() error {
	close(wt.done)
	wt.mu.Lock()
	if wt.pending != nil {
		wt.pending.Stop()
	}
	wt.mu.Unlock()
	return wt.w.Close()
}
