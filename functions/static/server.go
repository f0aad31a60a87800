package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"wasmsite/functions/sdk/spinhttp"
)

// Server serves files from FS (rooted at the component's guest "/").
type Server struct {
	FS     fs.FS
	Getenv func(string) string
}

func (s *Server) env(key, def string) string {
	if s.Getenv != nil {
		if v := s.Getenv(key); v != "" {
			return v
		}
	}
	return def
}

// errBadPath marks request paths that must never reach the file system.
var errBadPath = errors.New("bad path")

// CleanPath turns a raw spin-path-info value into an fs.FS name ("" is the root) and
// reports whether the request named a directory (trailing slash or root). It decodes
// percent-escapes exactly once and rejects NUL bytes, backslashes and ".." segments
// both before and after decoding, so no request can escape the root.
func CleanPath(raw string) (name string, dirSlash bool, err error) {
	if strings.ContainsAny(raw, "\x00\\") {
		return "", false, errBadPath
	}
	dec, err := url.PathUnescape(raw)
	if err != nil {
		return "", false, errBadPath
	}
	if strings.ContainsAny(dec, "\x00\\") {
		return "", false, errBadPath
	}
	for _, seg := range strings.Split(raw, "/") {
		if seg == ".." {
			return "", false, errBadPath
		}
	}
	for _, seg := range strings.Split(dec, "/") {
		if seg == ".." {
			return "", false, errBadPath
		}
	}
	dirSlash = dec == "" || strings.HasSuffix(dec, "/")
	clean := path.Clean("/" + dec)
	name = strings.TrimPrefix(clean, "/")
	if name != "" && !fs.ValidPath(name) {
		return "", false, errBadPath
	}
	return name, dirSlash, nil
}

var typeTable = map[string]string{
	".html":        "text/html; charset=utf-8",
	".htm":         "text/html; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".svg":         "image/svg+xml",
	".xml":         "application/xml; charset=utf-8",
	".atom":        "application/atom+xml; charset=utf-8",
	".rss":         "application/rss+xml; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".txt":         "text/plain; charset=utf-8",
	".md":          "text/markdown; charset=utf-8",
	".woff2":       "font/woff2",
	".woff":        "font/woff",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/x-icon",
	".wasm":        "application/wasm",
	".pdf":         "application/pdf",
}

// ContentType returns the Content-Type for a file name.
func ContentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := typeTable[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		if strings.HasPrefix(t, "text/") && !strings.Contains(t, "charset") {
			t += "; charset=utf-8"
		}
		return t
	}
	return "application/octet-stream"
}

// compressible reports whether a content type is textual.
func compressible(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	return strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+xml") || strings.HasSuffix(mt, "+json") ||
		mt == "application/json" || mt == "application/xml" || mt == "application/javascript"
}

// acceptsGzip parses Accept-Encoding (with q-values) for gzip.
func acceptsGzip(h http.Header) bool {
	gz, star := -1.0, -1.0
	for _, line := range h.Values("Accept-Encoding") {
		for _, item := range strings.Split(line, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(item), ";")
			q := 1.0
			if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil {
					f = 0
				}
				q = f
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gz = q
			case "*":
				star = q
			}
		}
	}
	if gz >= 0 {
		return gz > 0
	}
	return star > 0
}

// etagMatch implements If-None-Match (weak comparison, lists and "*").
func etagMatch(header string, tags ...string) bool {
	for _, item := range strings.Split(header, ",") {
		item = strings.TrimPrefix(strings.TrimSpace(item), "W/")
		if item == "*" {
			return true
		}
		for _, t := range tags {
			if item == t {
				return true
			}
		}
	}
	return false
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		plain(w, http.StatusMethodNotAllowed, "Method Not Allowed\n")
		return
	}
	raw := r.Header.Get(spinhttp.HeaderPathInfo)
	if _, ok := r.Header[http.CanonicalHeaderKey(spinhttp.HeaderPathInfo)]; !ok {
		raw = r.URL.EscapedPath()
	} else if raw == "" && exactRoute(r) {
		// An exact route (e.g. route = "/favicon.ico") names the file itself.
		raw = r.URL.EscapedPath()
	}
	name, dirSlash, err := CleanPath(raw)
	if err != nil {
		s.notFound(w, r)
		return
	}
	f, isDir := s.lookup(name, dirSlash)
	switch {
	case isDir:
		loc := routePrefix(r) + (&url.URL{Path: "/" + name + "/"}).EscapedPath()
		if r.URL.RawQuery != "" {
			loc += "?" + r.URL.RawQuery
		}
		h.Set("Location", loc)
		plain(w, http.StatusMovedPermanently, "Moved Permanently\n")
	case f != nil:
		s.serve(w, r, f, http.StatusOK)
	default:
		if fb := s.env("FALLBACK_PATH", ""); fb != "" {
			if n, _, err := CleanPath(fb); err == nil && n != "" {
				if f := s.openRegular(n); f != nil {
					s.serve(w, r, f, http.StatusOK)
					return
				}
			}
		}
		s.notFound(w, r)
	}
}

// exactRoute reports whether the component was matched by an exact (non-wildcard) route.
func exactRoute(r *http.Request) bool {
	m := r.Header.Get(spinhttp.HeaderMatchedRoute)
	return m != "" && m != "/" && !strings.HasSuffix(m, "/...")
}

// routePrefix is the public path prefix of the component's route (spin-matched-route
// without its "/..." wildcard), so redirects work under any route.
func routePrefix(r *http.Request) string {
	m := r.Header.Get(spinhttp.HeaderMatchedRoute)
	m = strings.TrimSuffix(m, "/...")
	if m == "/" || !strings.HasPrefix(m, "/") || strings.HasPrefix(m, "//") {
		return ""
	}
	return strings.TrimSuffix(m, "/")
}

// openFile is a regular file opened for one response, with what its stat said.
type openFile struct {
	name string // fs.FS name, for the content type
	f    fs.File
	info fs.FileInfo
}

// lookup opens the regular file a cleaned request path names: "dir/" (and "") names
// dir/index.html, anything else the file itself. isDir reports a directory named
// without its slash (to redirect). Nothing found is (nil, false). One open serves the
// response: no separate stat.
func (s *Server) lookup(name string, dirSlash bool) (f *openFile, isDir bool) {
	if name == "" || dirSlash {
		return s.openRegular(path.Join(name, "index.html")), false
	}
	of, err := s.FS.Open(name)
	if err != nil {
		return nil, false
	}
	info, err := of.Stat()
	switch {
	case err != nil || !(info.IsDir() || info.Mode().IsRegular()):
		of.Close()
		return nil, false
	case info.IsDir():
		of.Close()
		return nil, true
	}
	return &openFile{name: name, f: of, info: info}, false
}

// openRegular opens name if it is a regular file, else returns nil.
func (s *Server) openRegular(name string) *openFile {
	f, err := s.FS.Open(name)
	if err != nil {
		return nil
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil
	}
	return &openFile{name: name, f: f, info: info}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if n, _, err := CleanPath(s.env("CUSTOM_404_PATH", "/404.html")); err == nil && n != "" {
		if f := s.openRegular(n); f != nil {
			s.serve(w, r, f, http.StatusNotFound)
			return
		}
	}
	plain(w, http.StatusNotFound, "Not Found\n")
}

func plain(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(msg)))
	w.WriteHeader(status)
	w.Write([]byte(msg))
}

// serve writes the open file f with status, and closes it. Text types go gzipped to
// clients that accept it: the stored name.gz sibling when there is one (ssg -gzip writes
// them; it must be kept in step with the file), else compressed here. A 200 answers
// If-None-Match with 304. HEAD reads nothing.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, f *openFile, status int) {
	h := w.Header()
	ct := ContentType(f.name)
	h.Set("Content-Type", ct)
	if status == http.StatusOK {
		h.Set("Cache-Control", s.env("CACHE_CONTROL", "max-age=60"))
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if !compressible(ct) {
		s.send(w, r, f, status, nil, "")
		return
	}
	h.Add("Vary", "Accept-Encoding")
	if !acceptsGzip(r.Header) || f.info.Size() == 0 {
		s.send(w, r, f, status, nil, "")
		return
	}
	h.Set("Content-Encoding", "gzip")
	if gz := s.openRegular(f.name + ".gz"); gz != nil {
		f.f.Close()
		s.send(w, r, gz, status, nil, "-gz")
		return
	}
	s.send(w, r, f, status, compress, "-gz")
}

// send finishes a response from f: ETag (from its size and modification time, or its
// contents when the file system gives no time), 304, Content-Length, body. encode
// turns the file's bytes into the body (nil: as they are); suffix marks the variant's
// ETag.
func (s *Server) send(w http.ResponseWriter, r *http.Request, f *openFile, status int, encode func([]byte) []byte, suffix string) {
	defer f.f.Close()
	h := w.Header()
	var data []byte
	tag, ok := statTag(f.info, suffix)
	if !ok || encode != nil || r.Method != http.MethodHead {
		var err error
		if data, err = readAll(f.f, f.info.Size()); err != nil {
			h.Del("Content-Encoding")
			plain(w, http.StatusInternalServerError, "Internal Server Error\n")
			return
		}
		if !ok {
			tag = contentTag(data, suffix)
		}
	}
	h.Set("ETag", tag)
	if status == http.StatusOK {
		if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, tag) {
			h.Del("Content-Type")
			h.Del("Content-Encoding")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	size := f.info.Size()
	if encode != nil {
		data = encode(data)
		size = int64(len(data))
	}
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
}

// readAll reads a file of a known size in one read where it can.
func readAll(f fs.File, size int64) ([]byte, error) {
	buf := make([]byte, size)
	n, err := io.ReadFull(f, buf)
	if err == io.ErrUnexpectedEOF { // it shrank since the stat
		return buf[:n], nil
	}
	return buf, err
}

// statTag is a strong ETag from a file's size and modification time (as nginx makes
// them): ssg rewrites only files whose bytes changed, so an unchanged page keeps its
// tag across builds. ok is false without a modification time.
func statTag(info fs.FileInfo, suffix string) (string, bool) {
	mod := info.ModTime()
	if mod.IsZero() {
		return "", false
	}
	return `"` + strconv.FormatInt(info.Size(), 36) + "-" + strconv.FormatInt(mod.UnixNano(), 36) + suffix + `"`, true
}

// contentTag is an ETag from a file's bytes.
func contentTag(data []byte, suffix string) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:16]) + suffix + `"`
}

// compress gzips data (for a text file without a stored .gz sibling).
func compress(data []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}
