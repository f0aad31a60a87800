package site

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"

	"wasmsite/ssg/disk"
	"wasmsite/ssg/output"
	"wasmsite/ssg/pool"
)

// PrevDir returns where the previous output generation is kept:
// <parent of out>/.cache/ssg/<name of out>.prev (e.g. .cache/ssg/public.prev,
// on the same file system as out and ignored by git). The next build claims
// it as its staging directory and rewrites only what differs, in place: on
// file systems where creating and deleting inodes is slow this is what
// makes rebuilds fast. Nothing serves it; deleting it is always safe.
func PrevDir(out string) string {
	out = filepath.Clean(out)
	return filepath.Join(filepath.Dir(out), ".cache", "ssg", filepath.Base(out)+".prev")
}

// claimStaging returns a staging directory next to out: the previous
// generation renamed to <out>.tmp-XXXX when there is one, else a new empty
// directory. have maps the files already in it to their keys; sums are its
// sums when they were kept and it is still the same directory.
func (b *Builder) claimStaging(out string) (target string, have map[string]uint64, sums *genSums, err error) {
	parent, base := filepath.Dir(out), filepath.Base(out)
	target, err = os.MkdirTemp(parent, base+".tmp-")
	if err != nil {
		return "", nil, nil, err
	}
	if err := os.Chmod(target, 0o755); err != nil {
		return "", nil, nil, err
	}
	prev, prevSums := PrevDir(out), sumsFile(out, true)
	if st, err := os.Lstat(prev); err != nil || !st.IsDir() {
		b.spareKeys = nil
		_ = os.Remove(prevSums)
		return target, nil, nil, nil
	}
	// rename(2) replaces the empty directory atomically; if another build
	// claimed prev first we simply start empty.
	if err := renameOverEmpty(prev, target); err != nil {
		b.spareKeys = nil
		return target, nil, nil, nil
	}
	// The claimed generation is about to change: its sums go now.
	sums = readSums(prevSums)
	_ = os.Remove(prevSums)
	if _, ino, err := disk.Stat(target); sums != nil && (err != nil || sums.dir != ino) {
		sums = nil
	}
	if b.spareKeys != nil {
		have, b.spareKeys = b.spareKeys, nil
		return target, have, sums, nil
	}
	have, err = listFiles(target)
	return target, have, sums, err
}

// listFiles maps the files under root (relative, slash-separated paths) to
// output.UnknownKey. It reads up to 32 directories at a time: a generation has a
// directory per page, and when they are not cached, reading them one after
// the other waited for the disk 13,908 times (1.4 s for 10,000 posts).
func listFiles(root string) (map[string]uint64, error) {
	var (
		mu    sync.Mutex
		files = map[string]uint64{}
		errs  []error
		wg    sync.WaitGroup
		sem   = make(chan struct{}, 32)
	)
	var visit func(rel string)
	visit = func(rel string) {
		defer wg.Done()
		sem <- struct{}{}
		entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(rel)))
		<-sem
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
			return
		}
		for _, e := range entries {
			p := path.Join(rel, e.Name())
			if e.IsDir() {
				wg.Add(1)
				go visit(p)
			} else {
				files[p] = output.UnknownKey
			}
		}
	}
	wg.Add(1)
	visit(".")
	wg.Wait()
	return files, errors.Join(errs...)
}

// claim is claimStaging run in the background from the start of a build:
// when a reused generation's directories are not in the cache, listing them
// waits for the disk (0.6 s for 10,000 posts here), and parsing, which comes
// first, leaves the disk idle. A build that ends before publishing releases
// its claim.
type claim struct {
	out    string
	done   chan struct{}
	target string
	have   map[string]uint64
	sums   *genSums
	err    error
}

func (b *Builder) startClaim() *claim {
	c := &claim{out: filepath.Clean(b.opts.OutDir), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		if c.err = os.MkdirAll(filepath.Dir(c.out), 0o755); c.err == nil {
			c.target, c.have, c.sums, c.err = b.claimStaging(c.out)
		}
	}()
	return c
}

// release gives back a claim that publish did not take: the reused
// generation, unchanged, returns to PrevDir with its keys and sums.
func (b *Builder) release(c *claim) {
	<-c.done
	if c.target == "" {
		return
	}
	if c.have != nil && b.keepPrev(c.target, c.out) {
		b.spareKeys = c.have
		if c.sums != nil {
			_ = c.sums.write(sumsFile(c.out, true))
		}
		return
	}
	_ = os.RemoveAll(c.target)
}

// publishCounts counts a publish's file operations.
type publishCounts struct {
	written  int // files written
	readBack int // files of the reused generation read back to compare
}

// publish writes outs into the staging directory of c and swaps it in for
// the output atomically. A file whose key shows it is already up to date in
// the staging directory is not rewritten.
func (b *Builder) publish(outs []output.File, c *claim) (publishCounts, error) {
	out := c.out
	<-c.done
	target, have, sums, err := c.target, c.have, c.sums, c.err
	if err != nil {
		if target != "" {
			_ = os.RemoveAll(target)
		}
		return publishCounts{}, err
	}
	fail := func(err error) (publishCounts, error) {
		if have != nil {
			// Keep the partly updated generation for the next build;
			// its keys are unknown now, so everything will be rewritten.
			if b.keepPrev(target, out) {
				return publishCounts{}, err
			}
		}
		_ = os.RemoveAll(target)
		return publishCounts{}, err
	}

	newKeys := make(map[string]uint64, len(outs))
	for _, o := range outs {
		newKeys[o.Path] = o.Key
		if b.opts.Gzip && gzippable(o.Path) {
			// The sibling's key is the source's: both change together. It may be
			// absent when the source is under GzipMinSize; a stale one is then removed
			// by the write below.
			newKeys[o.Path+".gz"] = o.Key
		}
	}
	// Remove what the reused generation has and this one does not first:
	// a stale file may stand where a directory is needed now.
	var stale []string
	for p := range have {
		if _, ok := newKeys[p]; !ok {
			stale = append(stale, p)
		}
	}
	for _, p := range stale {
		_ = os.Remove(filepath.Join(target, filepath.FromSlash(p)))
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if os.Remove(filepath.Join(target, filepath.FromSlash(d))) != nil {
				break
			}
		}
	}

	var dirs sync.Map
	mkdir := func(d string) error {
		if d == "." {
			return nil
		}
		if _, ok := dirs.Load(d); ok {
			return nil
		}
		if err := disk.MkdirAll(filepath.Join(target, filepath.FromSlash(d))); err != nil {
			return err
		}
		dirs.Store(d, true)
		return nil
	}
	var todo []int
	for i, o := range outs {
		if k, ok := have[o.Path]; ok && k != output.UnknownKey && k == o.Key {
			if !b.opts.Gzip || !gzippable(o.Path) || have[o.Path+".gz"] == o.Key {
				continue
			}
		}
		todo = append(todo, i)
	}
	// The files of the reused generation that have no sums entry are read
	// back to compare: have the kernel read them ahead, in the order they are
	// needed.
	var reread []string
	for _, i := range todo {
		if _, ok := have[outs[i].Path]; ok {
			if _, ok := sums.lookup(outs[i].Path); !ok {
				reread = append(reread, filepath.Join(target, filepath.FromSlash(outs[i].Path)))
			}
		}
	}
	disk.Prefetch(reread)
	// The new generation's sums: kept entries for the files not redone,
	// new ones for the rest.
	entries := make([]fileSum, len(outs))
	known := make([]bool, len(outs))
	for i, o := range outs {
		entries[i], known[i] = sums.lookup(o.Path)
	}
	// File creation is dominated by file-system latency, not CPU: more
	// goroutines than cores keep the disk busy.
	var unchanged, readBack atomic.Int64
	err = pool.Run(len(todo), max(8, 4*b.opts.Workers), func(j int) error {
		i := todo[j]
		o := outs[i]
		known[i] = false
		buf := bufPool.Get().(*bytes.Buffer)
		buf.Reset()
		defer bufPool.Put(buf)
		if err := o.Generate(buf); err != nil {
			return fmt.Errorf("%s: %w", o.Origin, err)
		}
		dst := filepath.Join(target, filepath.FromSlash(o.Path))
		zip := b.opts.Gzip && gzippable(o.Path)
		sum := xxhash.Sum64(buf.Bytes())
		if _, ok := have[o.Path]; ok {
			// The reused generation has this file, with content unknown to this
			// process or changed inputs. Checking it is far cheaper than
			// rewriting it: truncating and refilling a file makes the file
			// system free and allocate its blocks again.
			_, hasGz := have[o.Path+".gz"]
			if !zip || hasGz == (buf.Len() >= GzipMinSize) {
				e, same, read := sums.unchanged(dst, o.Path, buf.Bytes(), sum)
				if read {
					readBack.Add(1)
				}
				if same {
					entries[i], known[i] = e, true
					unchanged.Add(1)
					return nil
				}
			}
		} else if err := mkdir(path.Dir(o.Path)); err != nil {
			return err
		}
		// The .gz sibling first: a file whose content is current then always
		// has a current sibling, even after a build that failed between the two.
		if zip {
			if err := writeGzip(dst+".gz", buf.Bytes()); err != nil {
				return err
			}
		}
		// In place: the staging directory is not served, and truncating an
		// existing file is far cheaper than creating a new inode.
		st, err := disk.WriteFile(dst, buf.Bytes())
		if err != nil {
			return err
		}
		entries[i], known[i] = fileSum{st, sum}, true
		return nil
	})
	if err != nil {
		return fail(err)
	}

	// Swap: the new generation appears all at once.
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
	// The sums of the replaced generation go with it to PrevDir, or away.
	outSums, prevSums := sumsFile(out, false), sumsFile(out, true)
	if old != "" && b.keepPrev(old, out) {
		if prevKeys != nil {
			b.spareKeys = prevKeys
		}
		if os.Rename(outSums, prevSums) != nil {
			_ = os.Remove(prevSums)
		}
	} else {
		if old != "" {
			_ = os.RemoveAll(old)
		}
		_ = os.Remove(outSums)
	}
	if _, ino, err := disk.Stat(out); err == nil {
		g := &genSums{dir: ino, files: make(map[string]fileSum, len(outs))}
		for i, o := range outs {
			if known[i] {
				g.files[o.Path] = entries[i]
			}
		}
		_ = g.write(outSums) // without sums the next build reads files back
	}
	return publishCounts{written: len(todo) - int(unchanged.Load()), readBack: int(readBack.Load())}, nil
}

// sameContent reports whether the file at path holds exactly data.
func sameContent(path string, data []byte) bool {
	got, err := disk.ReadFile(path, int64(len(data)))
	return err == nil && bytes.Equal(got, data)
}

// keepPrev moves dir to PrevDir(out) for the next build to reuse.
func (b *Builder) keepPrev(dir, out string) bool {
	prev := PrevDir(out)
	if err := os.MkdirAll(filepath.Dir(prev), 0o755); err != nil {
		return false
	}
	_ = os.RemoveAll(prev) // normally absent: it was claimed
	return os.Rename(dir, prev) == nil
}

// bufPool holds the buffers outputs are generated into.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// GzipMinSize is the smallest output that gets a .gz sibling: below it gzip's framing
// outweighs the saving.
const GzipMinSize = 512

// gzippable reports whether an output is text worth precompressing.
func gzippable(p string) bool {
	switch path.Ext(p) {
	case ".html", ".xml", ".css", ".js", ".svg", ".txt", ".json", ".map":
		return true
	}
	return false
}

var gzPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestCompression)
	return zw
}}

// writeGzip writes data compressed to dst, or removes dst when data is too small to
// be worth it. The gzip header carries no name and a zero mtime: output is reproducible.
func writeGzip(dst string, data []byte) error {
	if len(data) < GzipMinSize {
		if err := os.Remove(dst); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	zw := gzPool.Get().(*gzip.Writer)
	defer gzPool.Put(zw)
	zw.Reset(buf)
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	_, err := disk.WriteFile(dst, buf.Bytes())
	return err
}
