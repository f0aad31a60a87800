package images

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
)

// cacheVersion changes whenever the copies would differ for the same source
// (resampling, quality, widths), so that older cached copies are not used.
const cacheVersion = "v1"

// Table remembers the Info of image files by path and stamp, and makes the
// copies of raster images: once per source content, kept on disk in its
// cache directory so that later builds and processes find them. Safe for
// concurrent use.
type Table struct {
	dir     string        // cache directory
	slots   chan struct{} // resizes at a time: decoded photos are large
	mu      sync.Mutex
	infos   map[string]infoEntry   // by path read
	sources map[string]*sync.Mutex // by cache key: one resize per source
	resized atomic.Int64
}

// infoEntry is an image's Info, or the error probing it, at a stamp.
type infoEntry struct {
	mtime, size int64
	info        Info
	err         error
}

// NewTable returns a Table whose copies are cached in dir (created when
// needed).
func NewTable(dir string) *Table {
	return &Table{dir: dir, slots: make(chan struct{}, runtime.GOMAXPROCS(0)),
		infos: map[string]infoEntry{}, sources: map[string]*sync.Mutex{}}
}

// Info returns the Info of the image file at p, whose modification time
// (ns) and size are mtime and size: probed once per stamp. Errors are
// Probe's.
func (t *Table) Info(p string, mtime, size int64) (Info, error) {
	t.mu.Lock()
	e, ok := t.infos[p]
	t.mu.Unlock()
	if ok && e.mtime == mtime && e.size == size {
		return e.info, e.err
	}
	info, err := Probe(p)
	t.mu.Lock()
	t.infos[p] = infoEntry{mtime, size, info, err}
	t.mu.Unlock()
	return info, err
}

// Resized returns how many source images t has resized: those whose copies
// were not in the cache.
func (t *Table) Resized() int { return int(t.resized.Load()) }

// Variant returns a generator of the copy, w pixels wide, of the image at p
// whose Info is info. It reads the image; the copies of an image not seen
// before (by content) are all made at once and cached. Errors name p.
func (t *Table) Variant(p string, info Info, w int) func(*bytes.Buffer) error {
	return func(out *bytes.Buffer) error {
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		key := strconv.FormatUint(xxhash.Sum64(src), 16) + "-" + cacheVersion
		if data, err := os.ReadFile(t.cached(key, w, info)); err == nil {
			out.Write(data)
			return nil
		}
		data, err := t.resize(key, src, info, w)
		if err != nil {
			return fmt.Errorf("%s: resizing to %d px: %w", p, w, err)
		}
		out.Write(data)
		return nil
	}
}

// cached returns the cache file of the copy of source key w pixels wide.
func (t *Table) cached(key string, w int, info Info) string {
	ext := ".png"
	if info.Format == "jpeg" {
		ext = ".jpg"
	}
	return filepath.Join(t.dir, key+"-"+strconv.Itoa(w)+ext)
}

// resize makes and caches every copy of the source src (cache key key) and
// returns the one w pixels wide. Concurrent calls for one source resize it
// once.
func (t *Table) resize(key string, src []byte, info Info, w int) ([]byte, error) {
	t.mu.Lock()
	m := t.sources[key]
	if m == nil {
		m = &sync.Mutex{}
		t.sources[key] = m
	}
	t.mu.Unlock()
	m.Lock()
	defer m.Unlock()
	if data, err := os.ReadFile(t.cached(key, w, info)); err == nil {
		return data, nil // made while this call waited
	}
	t.slots <- struct{}{}
	copies, err := resizeAll(src, info, info.Widths())
	<-t.slots
	if err != nil {
		return nil, err
	}
	t.resized.Add(1)
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		return nil, err
	}
	for cw, data := range copies {
		if err := writeAtomic(t.cached(key, cw, info), data); err != nil {
			return nil, err
		}
	}
	data, ok := copies[w]
	if !ok {
		return nil, fmt.Errorf("no copy %d px wide of an image %d px wide", w, info.Width)
	}
	return data, nil
}

// writeAtomic writes data to p through a temporary file renamed over it.
func writeAtomic(p string, data []byte) error {
	tmp := p + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}
