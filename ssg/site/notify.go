package site

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// notifier learns of changes from the operating system (inotify, kqueue,
// …, through fsnotify). Notifications are per directory: it watches every
// directory of the content and templates directories (but hidden ones),
// adds those created later, and watches the parents of the templates
// directory and of the settings file for their creation and replacement.
type notifier struct {
	b       *Builder
	w       *fsnotify.Watcher
	settle  time.Duration
	content string // cleaned
	config  string // cleaned
	tdir    string // the templates directory watched, cleaned; "" before the first build
}

// newNotifier starts watching b's content directory and settings file.
func newNotifier(b *Builder, settle time.Duration) (*notifier, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	n := &notifier{b: b, w: w, settle: settle, content: filepath.Clean(b.opts.ContentDir), config: filepath.Clean(b.opts.ConfigFile)}
	if err := n.addTree(n.content); err != nil {
		w.Close()
		return nil, err
	}
	if !inside(n.config, n.content) {
		if err := w.Add(filepath.Dir(n.config)); err != nil {
			w.Close()
			return nil, err
		}
	}
	return n, nil
}

// inside reports whether p is dir or a path below it.
func inside(p, dir string) bool {
	return dir != "" && (p == dir || strings.HasPrefix(p, dir+string(filepath.Separator)))
}

// addTree watches root and every directory below it but hidden ones. A
// root that does not exist (yet) is no error.
func (n *notifier) addTree(root string) error {
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed meanwhile: its removal is reported
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		return n.w.Add(p)
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// refresh watches the templates directory of the last build, and its
// parent for its creation or replacement.
func (n *notifier) refresh() {
	tdir := filepath.Clean(n.b.tdir)
	if n.b.tdir == "" || tdir == n.tdir {
		return
	}
	if n.tdir != "" && !inside(n.tdir, n.content) {
		_ = n.w.Remove(n.tdir)
	}
	n.tdir = tdir
	_ = n.w.Add(filepath.Dir(tdir))
	_ = n.addTree(tdir)
}

// relevant reports whether a change at p can change the site.
func (n *notifier) relevant(p string) bool {
	return inside(p, n.content) || inside(p, n.tdir) || p == n.config
}

// next waits for relevant events and returns their paths once none has
// come for the settling time. An overflow of the event queue (events lost)
// asks for a full scan.
func (n *notifier) next(ctx context.Context, wake <-chan time.Time) ([]string, bool, error) {
	var paths []string
	all := false
	quiet := time.NewTimer(time.Hour)
	quiet.Stop()
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-wake:
			if len(paths) == 0 && !all {
				return nil, false, nil
			}
		case ev, ok := <-n.w.Events:
			if !ok {
				return nil, false, errors.New("file-system watcher closed")
			}
			p := filepath.Clean(ev.Name)
			if !n.relevant(p) {
				continue
			}
			paths = append(paths, p)
			n.follow(p, ev.Op)
			quiet.Reset(n.settle)
		case err, ok := <-n.w.Errors:
			if !ok {
				return nil, false, errors.New("file-system watcher closed")
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				all = true
				quiet.Reset(n.settle)
			}
		case <-quiet.C:
			return paths, all, nil
		}
	}
}

// follow keeps the watches in step with a change at p: a directory created
// (or moved in) is watched with everything below it, one removed or moved
// away is no longer, nor anything below it. (A watch follows its
// directory, not its path: one left on a directory moved elsewhere in the
// tree would report changes under the old path.)
func (n *notifier) follow(p string, op fsnotify.Op) {
	switch {
	case op.Has(fsnotify.Create):
		if st, err := os.Lstat(p); err == nil && st.IsDir() && !strings.HasPrefix(filepath.Base(p), ".") {
			_ = n.addTree(p)
		}
	case op.Has(fsnotify.Remove), op.Has(fsnotify.Rename):
		for _, w := range n.w.WatchList() {
			if inside(w, p) {
				_ = n.w.Remove(w)
			}
		}
	}
}

func (n *notifier) close() { n.w.Close() }
