// Package watch rebuilds and restarts an application when its files change, as
// `spin watch` does: a change to a file matching a component's `[component.build]
// watch` globs (relative to its workdir) rebuilds that component and restarts the
// application, a change to a component's Wasm source restarts it, and a change to the
// manifest rebuilds every component and restarts. Changes come from the file system's
// notifications (fsnotify), a burst of them handled once.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/fsnotify/fsnotify"

	"wasmsite/server/internal/build"
	"wasmsite/server/manifest"
)

// App is a running application, as Options.Start starts it.
type App interface {
	// Stop ends it and waits until it has ended.
	Stop() error
}

// Options configure Run.
type Options struct {
	// Manifest is the application's manifest file or directory.
	Manifest string
	// SkipBuild restarts without running build commands.
	SkipBuild bool
	// Debounce is how long the files must be quiet before a burst of changes is
	// handled (0: 100 ms).
	Debounce time.Duration
	// Start starts the application (`server up`).
	Start func() (App, error)
	// Out receives the build commands' output and what the watcher does.
	Out io.Writer
}

// Run builds and starts the application, then rebuilds and restarts it on changes
// until ctx ends, when it stops it. A failed build leaves the application stopped
// until the next change; a broken manifest is reported and waited out the same way.
func Run(ctx context.Context, o Options) error {
	if o.Debounce == 0 {
		o.Debounce = 100 * time.Millisecond
	}
	w := &watcher{o: o}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer fsw.Close()
	w.fsw = fsw
	defer w.stop()
	w.reload(ctx, nil)
	for {
		w.drain()
		changed, err := w.next(ctx)
		if err != nil {
			return err
		}
		w.reload(ctx, changed)
	}
}

// drain drops the notifications of what the last reload did itself (build outputs):
// those queued now, and those arriving within a short grace.
func (w *watcher) drain() {
	grace := time.After(50 * time.Millisecond)
	for {
		select {
		case <-w.fsw.Events:
		case <-grace:
			return
		}
	}
}

type watcher struct {
	o       Options
	fsw     *fsnotify.Watcher
	app     *manifest.App // nil while the manifest is broken
	running App
	watched map[string]bool
}

// reload handles changed paths (nil: the first start): rebuild what they call for,
// then restart.
func (w *watcher) reload(ctx context.Context, changed []string) {
	rebuild, restart := w.plan(changed)
	if !restart {
		return
	}
	w.stop()
	if rebuild != nil && !w.o.SkipBuild {
		if err := build.Components(ctx, w.app, rebuild, w.o.Out); err != nil {
			fmt.Fprintf(w.o.Out, "watch: %v; waiting for changes\n", err)
			return
		}
	}
	app, err := w.o.Start()
	if err != nil {
		fmt.Fprintf(w.o.Out, "watch: starting the application: %v; waiting for changes\n", err)
		return
	}
	w.running = app
}

// plan decides what changed paths call for: the components to rebuild (nil: none; an
// empty list: all) and whether to restart. It reloads the manifest when it changed.
func (w *watcher) plan(changed []string) (rebuild []string, restart bool) {
	manifestChanged := changed == nil || w.app == nil || slices.Contains(changed, w.app.Path)
	if manifestChanged {
		if !w.loadManifest() {
			return nil, false
		}
		return []string{}, true
	}
	for _, c := range w.app.Components {
		for _, p := range changed {
			switch {
			case c.Build != nil && matches(c.Build, p):
				rebuild = append(rebuild, c.ID)
				restart = true
			case p == c.Source:
				restart = true
			}
		}
	}
	return slices.Compact(rebuild), restart
}

// loadManifest reads the manifest and watches its directory and every component's
// workdir, reporting a broken manifest.
func (w *watcher) loadManifest() bool {
	app, err := manifest.Load(w.o.Manifest)
	if err != nil {
		fmt.Fprintf(w.o.Out, "watch: %v; waiting for changes\n", err)
		w.app = nil
		w.watchTree(filepath.Dir(absPath(w.o.Manifest)))
		return false
	}
	w.app = app
	w.watchTree(app.Dir)
	for _, c := range app.Components {
		if c.Build != nil {
			w.watchTree(c.Build.Workdir)
		}
		w.watchTree(filepath.Dir(c.Source))
	}
	return true
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
			return filepath.Join(abs, "spin.toml")
		}
		return abs
	}
	return p
}

// watchTree watches dir and the directories below it, leaving out hidden ones (.git,
// .spin) where nothing to build lives.
func (w *watcher) watchTree(dir string) {
	if w.watched == nil {
		w.watched = map[string]bool{}
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !w.watched[p] && w.fsw.Add(p) == nil {
			w.watched[p] = true
		}
		return nil
	})
}

// next waits for a burst of changes and returns the paths changed.
func (w *watcher) next(ctx context.Context) ([]string, error) {
	var changed []string
	var quiet <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case err := <-w.fsw.Errors:
			fmt.Fprintf(w.o.Out, "watch: %v\n", err)
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return nil, errors.New("watch: file notifications ended")
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
					w.watchTree(ev.Name)
				}
			}
			changed = append(changed, ev.Name)
			quiet = time.After(w.o.Debounce)
		case <-quiet:
			slices.Sort(changed)
			return slices.Compact(changed), nil
		}
	}
}

// matches reports whether path is one of the files b's watch globs name.
func matches(b *manifest.Build, path string) bool {
	rel, err := filepath.Rel(b.Workdir, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return false
	}
	for _, glob := range b.Watch {
		if ok, _ := doublestar.Match(filepath.ToSlash(glob), filepath.ToSlash(rel)); ok {
			return true
		}
	}
	return false
}

func (w *watcher) stop() {
	if w.running != nil {
		if err := w.running.Stop(); err != nil {
			fmt.Fprintf(w.o.Out, "watch: stopping the application: %v\n", err)
		}
		w.running = nil
	}
}
