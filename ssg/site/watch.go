package site

import (
	"context"
	"io"
	"time"
)

// WatchOptions configure Watch.
type WatchOptions struct {
	// Poll, when positive, makes Watch poll the inputs every Poll instead of
	// using the operating system's file-system notifications, for file
	// systems that send none (some network and container mounts). Watch
	// also polls, every DefaultPoll, when notifications cannot be set up.
	Poll time.Duration
	// Settle is how long the inputs must stay unchanged after a change
	// before the rebuild starts (an editor's save can be several writes and
	// renames); DefaultSettle when zero.
	Settle time.Duration
	// Report is called after every build; Watch returns when it returns
	// false.
	Report func(Outcome) bool
	// Log gets messages about watching itself (a fallback to polling).
	Log io.Writer
}

// The defaults of WatchOptions.
const (
	DefaultPoll   = 300 * time.Millisecond
	DefaultSettle = 10 * time.Millisecond
)

// Outcome is one build of a watching Builder.
type Outcome struct {
	Result *Result // nil on error
	Err    error
	Took   time.Duration
	First  bool // the first build of Watch
}

// Watch builds the site, then rebuilds it after every change of its inputs
// (the content directory, the templates directory and the settings file),
// and when a post left out for its future date becomes due, until ctx is
// done or o.Report returns false. Rebuilds are incremental: with
// notifications only the changed paths are scanned again (BuildChanged),
// polling rescans everything. Watching starts before the first build, so
// no change is missed. Errors are those of setting up a watch at all.
func (b *Builder) Watch(ctx context.Context, o WatchOptions) error {
	if o.Settle <= 0 {
		o.Settle = DefaultSettle
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	src, err := b.changeSource(o)
	if err != nil {
		return err
	}
	defer src.close()
	out := b.timedBuild(nil, true)
	out.First = true
	if out.Err != nil {
		// The last good site stays up: in development mode, with the script
		// that shows the errors.
		if err := b.decorate(); err != nil {
			io.WriteString(o.Log, "ssg: adding the live-reload script to the last good site: "+err.Error()+"\n")
		}
	}
	if !o.Report(out) {
		return nil
	}
	src.refresh()
	// The previous generation has unknown content after the first build of
	// a process; a second build brings it up to date so that the first edit
	// is already an incremental rebuild.
	if out.Err == nil && !b.publisher.PrevKnown() && b.publisher.Keys() != nil {
		if out := b.timedBuild(nil, false); out.Err != nil && !o.Report(out) {
			return nil
		}
	}
	due := newDueTimer(out.Result)
	defer due.Stop()
	for {
		changed, all, err := src.next(ctx, due.C)
		if err != nil {
			return nil // ctx is done
		}
		out := b.timedBuild(changed, all)
		if !o.Report(out) {
			return nil
		}
		src.refresh()
		due.Stop()
		due = newDueTimer(out.Result)
	}
}

// timedBuild builds after a scan of changed, or of everything (full), and
// times it.
func (b *Builder) timedBuild(changed []string, full bool) Outcome {
	start := time.Now()
	res, err := b.build(changed, full)
	return Outcome{Result: res, Err: err, Took: time.Since(start)}
}

// newDueTimer returns a timer that fires when the earliest post res left
// out for its future date becomes due; one that never fires if none.
func newDueTimer(res *Result) *time.Timer {
	if res == nil || res.NextDue.IsZero() {
		t := time.NewTimer(time.Hour)
		t.Stop()
		return t
	}
	return time.NewTimer(max(time.Until(res.NextDue), 0) + time.Second)
}

// changeSource tells a watching Builder what changed.
type changeSource interface {
	// next waits for changes and returns them once the inputs have been
	// quiet for a moment: the changed paths, or all when they are unknown
	// (everything must be scanned). It returns with no changes when wake
	// fires first, and ctx's error when ctx is done.
	next(ctx context.Context, wake <-chan time.Time) (paths []string, all bool, err error)
	// refresh follows the Builder's directories after a build: the
	// settings may name another templates directory.
	refresh()
	close()
}

// changeSource returns the notifier, or a poller when o asks for one or
// notifications are unavailable.
func (b *Builder) changeSource(o WatchOptions) (changeSource, error) {
	if o.Poll > 0 {
		return newPoller(b, o.Poll), nil
	}
	n, err := newNotifier(b, o.Settle)
	if err != nil {
		io.WriteString(o.Log, "ssg: file-system notifications unavailable ("+err.Error()+"): polling every "+DefaultPoll.String()+"\n")
		return newPoller(b, DefaultPoll), nil
	}
	return n, nil
}
