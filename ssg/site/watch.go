package site

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// signature summarises the names, sizes and modification times of every
// input: the content directory, the settings file and the templates
// directory of the last build.
func (b *Builder) signature() uint64 {
	h := b.keys.New()
	walk := func(root string) {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			h.Text(p).Number(uint64(info.ModTime().UnixNano())).Number(uint64(info.Size()))
			return nil
		})
	}
	walk(b.opts.ContentDir)
	if st, err := os.Stat(b.opts.ConfigFile); err == nil {
		h.Number(uint64(st.ModTime().UnixNano())).Number(uint64(st.Size()))
	}
	if b.tdir != "" {
		walk(b.tdir)
	}
	return h.Key()
}

// Watch builds, then polls the inputs every interval and rebuilds
// incrementally when something changed, until ctx is done. report is
// called after every build attempt.
func (b *Builder) Watch(ctx context.Context, interval time.Duration, report func(*Result, error, time.Duration)) {
	build := func() {
		start := time.Now()
		res, err := b.Build()
		report(res, err, time.Since(start))
	}
	last := b.signature()
	build()
	// The previous generation (<out>.prev) has unknown content after the
	// first build of a process; a second build brings it up to date so that
	// the first edit is already an incremental rebuild.
	if !b.publisher.PrevKnown() && b.publisher.Keys() != nil {
		build()
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if s := b.signature(); s != last {
				last = s
				build()
			}
		}
	}
}
