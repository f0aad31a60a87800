package publisher

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path"
	"sync"

	"wasmsite/ssg/disk"
)

// GzipMinSize is the smallest output that gets a .gz sibling: below it gzip's framing
// outweighs the saving.
const GzipMinSize = 512

// Gzippable reports whether the output at path p is text worth
// precompressing: with gzip (see New), it gets a .gz sibling when it has
// GzipMinSize bytes or more.
func Gzippable(p string) bool {
	switch path.Ext(p) {
	case ".html", ".xml", ".css", ".js", ".svg", ".txt", ".json", ".map":
		return true
	}
	return false
}

// gzPool holds gzip writers at best compression.
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
