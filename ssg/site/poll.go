package site

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// poller learns of changes by listing every input every interval and
// comparing their names, sizes and modification times: the fallback where
// file-system notifications are unavailable. It cannot tell what changed,
// so each rebuild scans everything.
type poller struct {
	b        *Builder
	interval time.Duration
	// inputs and templates are the signatures of the content directory
	// and settings file, and of the templates directory tdir, when last
	// seen.
	inputs, templates uint64
	tdir              string
}

func newPoller(b *Builder, interval time.Duration) *poller {
	return &poller{b: b, interval: interval, inputs: b.inputsSignature(), tdir: b.tdir, templates: b.treeSignature(b.tdir)}
}

// next polls until the signature of the inputs changes.
func (p *poller) next(ctx context.Context, wake <-chan time.Time) ([]string, bool, error) {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-wake:
			return nil, false, nil
		case <-t.C:
			in, tpl := p.b.inputsSignature(), p.b.treeSignature(p.tdir)
			if in != p.inputs || tpl != p.templates {
				p.inputs, p.templates = in, tpl
				return nil, true, nil
			}
		}
	}
}

// refresh takes in a templates directory the settings name anew.
func (p *poller) refresh() {
	if p.b.tdir != p.tdir {
		p.tdir, p.templates = p.b.tdir, p.b.treeSignature(p.b.tdir)
	}
}

func (p *poller) close() {}

// inputsSignature summarises the names, sizes and modification times of
// the content directory's files and the settings file's.
func (b *Builder) inputsSignature() uint64 {
	h := b.keys.New().Number(b.treeSignature(b.opts.ContentDir))
	if st, err := os.Stat(b.opts.ConfigFile); err == nil {
		h.Number(uint64(st.ModTime().UnixNano())).Number(uint64(st.Size()))
	}
	return h.Key()
}

// treeSignature summarises the names, sizes and modification times of
// the files under root ("": none).
func (b *Builder) treeSignature(root string) uint64 {
	h := b.keys.New()
	if root == "" {
		return h.Key()
	}
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		info, err := os.Stat(p) // a link's target, which is what is read
		if err != nil {
			return nil
		}
		h.Text(p).Number(uint64(info.ModTime().UnixNano())).Number(uint64(info.Size()))
		return nil
	})
	return h.Key()
}
