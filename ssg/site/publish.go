package site

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"
)

// publish writes outs into a staging directory next to the output and
// swaps it in. Files whose key matches the staging directory's previous
// content (the spare generation kept in watch mode) are not rewritten.
func (b *Builder) publish(outs []output) (int, error) {
	out := filepath.Clean(b.opts.OutDir)
	parent, base := filepath.Dir(out), filepath.Base(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return 0, err
	}
	target, have := b.spare, b.spareKeys
	reuse := target != ""
	if reuse {
		if st, err := os.Stat(target); err != nil || !st.IsDir() {
			reuse = false
		}
	}
	if !reuse {
		b.spare, b.spareKeys = "", nil
		t, err := os.MkdirTemp(parent, base+".tmp-")
		if err != nil {
			return 0, err
		}
		if err := os.Chmod(t, 0o755); err != nil {
			return 0, err
		}
		target, have = t, nil
	}
	fail := func(err error) (int, error) {
		_ = os.RemoveAll(target)
		b.spare, b.spareKeys = "", nil
		return 0, err
	}

	var dirs sync.Map
	mkdir := func(d string) error {
		if d == "." {
			return nil
		}
		if _, ok := dirs.Load(d); ok {
			return nil
		}
		if err := os.MkdirAll(filepath.Join(target, filepath.FromSlash(d)), 0o755); err != nil {
			return err
		}
		dirs.Store(d, true)
		return nil
	}
	var todo []int
	for i, o := range outs {
		if have != nil && have[o.path] == o.key {
			continue
		}
		todo = append(todo, i)
	}
	err := parallel(len(todo), b.opts.Workers, func(j int) error {
		o := outs[todo[j]]
		buf := bufPool.Get().(*bytes.Buffer)
		buf.Reset()
		defer bufPool.Put(buf)
		if err := o.gen(buf); err != nil {
			return fmt.Errorf("%s: %w", o.origin, err)
		}
		if err := mkdir(path.Dir(o.path)); err != nil {
			return err
		}
		dst := filepath.Join(target, filepath.FromSlash(o.path))
		if !reuse {
			return os.WriteFile(dst, buf.Bytes(), 0o644)
		}
		// The spare may still be read by a slow reader of the previous
		// generation: replace files rather than overwrite them.
		tmp := dst + ".ssg-tmp"
		if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
			return err
		}
		if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
			// dst may be a directory left by an older layout.
			if err := os.RemoveAll(dst); err != nil {
				return err
			}
		}
		return os.Rename(tmp, dst)
	})
	if err != nil {
		return fail(err)
	}
	newKeys := make(map[string]uint64, len(outs))
	for _, o := range outs {
		newKeys[o.path] = o.key
	}
	// Remove what the reused generation had and this one does not.
	for p := range have {
		if _, ok := newKeys[p]; ok {
			continue
		}
		_ = os.Remove(filepath.Join(target, filepath.FromSlash(p)))
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if os.Remove(filepath.Join(target, filepath.FromSlash(d))) != nil {
				break
			}
		}
	}

	// Swap.
	old := ""
	if _, err := os.Lstat(out); err == nil {
		if err := exchange(target, out); err == nil {
			old = target
		} else {
			old = target + ".old"
			_ = os.RemoveAll(old)
			if err := os.Rename(out, old); err != nil {
				return fail(err)
			}
			if err := os.Rename(target, out); err != nil {
				_ = os.Rename(old, out)
				return fail(err)
			}
		}
	} else if err := os.Rename(target, out); err != nil {
		return fail(err)
	}
	prevKeys := b.outKeys
	b.outKeys = newKeys
	b.spare, b.spareKeys = "", nil
	if old != "" {
		if b.opts.KeepSpare && prevKeys != nil {
			b.spare, b.spareKeys = old, prevKeys
		} else {
			_ = os.RemoveAll(old)
		}
	}
	if b.opts.KeepSpare && b.spare == "" {
		b.cloneSpare(out, parent, base)
	}
	return len(todo), nil
}

// cloneSpare prepares the next incremental build: a hard-linked copy of
// the live output. Builds never write into a file of the spare in place
// (they replace it), so the live files are never modified through it.
func (b *Builder) cloneSpare(out, parent, base string) {
	t, err := os.MkdirTemp(parent, base+".tmp-")
	if err != nil {
		return
	}
	keys := make(map[string]uint64, len(b.outKeys))
	err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		dst := filepath.Join(t, rel)
		if d.IsDir() {
			if rel == "." {
				return os.Chmod(t, 0o755)
			}
			return os.Mkdir(dst, 0o755)
		}
		if k, ok := b.outKeys[filepath.ToSlash(rel)]; ok {
			keys[filepath.ToSlash(rel)] = k
		}
		return os.Link(p, dst)
	})
	if err != nil {
		_ = os.RemoveAll(t)
		return
	}
	b.spare, b.spareKeys = t, keys
}
