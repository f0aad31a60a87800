package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/url"
	"path"
	"strconv"
	"strings"

	"wasmsite/functions/sdk/spin"
	"wasmsite/functions/sdk/spinhttp/wire"
)

// Server serves the files of FS (rooted at the component's guest "/").
type Server struct {
	FS fs.FS
	// CacheControl is sent with files served with 200.
	CacheControl string
	// Fallback names the file served with 200 when a request matches nothing ("":
	// none; single-page applications set their index).
	Fallback string
	// NotFound names the file served with 404 ("": a plain 404).
	NotFound string
}

// DefaultCacheControl is the Cache-Control of files served with 200 unless the
// component's CACHE_CONTROL says otherwise.
const DefaultCacheControl = "public, max-age=0, s-maxage=60"

// NewServer reads the settings from the component's environment (see the package doc).
func NewServer(fsys fs.FS, getenv func(string) string) *Server {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	return &Server{FS: fsys, CacheControl: env("CACHE_CONTROL", DefaultCacheControl),
		Fallback: env("FALLBACK_PATH", ""), NotFound: env("CUSTOM_404_PATH", "/404.html")}
}

// Methods and statuses (RFC 9110) the server uses, spelled out here because it does
// not import net/http (see the package doc).
const (
	methodGet  = "GET"
	methodHead = "HEAD"

	statusOK                  = 200
	statusMovedPermanently    = 301
	statusNotModified         = 304
	statusNotFound            = 404
	statusMethodNotAllowed    = 405
	statusInternalServerError = 500
)

// reply is a response being built.
type reply struct {
	wire.Response
}

func (r *reply) plain(status int, msg string) wire.Response {
	r.Set("Content-Type", "text/plain; charset=utf-8")
	r.Set("Content-Length", strconv.Itoa(len(msg)))
	r.Status, r.Body = status, []byte(msg)
	return r.Response
}

// Serve answers one request (a wire.Handler).
func (s *Server) Serve(r *wire.Request) wire.Response {
	out := &reply{wire.Response{Headers: responseHeaders()}}
	out.Set("X-Content-Type-Options", "nosniff")
	if r.Method != methodGet && r.Method != methodHead {
		out.Set("Allow", "GET, HEAD")
		return out.plain(statusMethodNotAllowed, "Method Not Allowed\n")
	}
	uriPath, query := splitURI(r.URI)
	raw, present := r.Lookup(spin.HeaderPathInfo)
	if !present || (raw == "" && exactRoute(r)) {
		// Without Spin's header, or on an exact route (route = "/favicon.ico"), the
		// request path names the file itself.
		raw = uriPath
	}
	name, dirSlash, err := CleanPath(raw)
	if err != nil {
		return s.notFound(r, out)
	}
	f, found, isDir := s.lookup(name, dirSlash)
	switch {
	case isDir:
		loc := routePrefix(r) + (&url.URL{Path: "/" + name + "/"}).EscapedPath()
		if query != "" {
			loc += "?" + query
		}
		out.Set("Location", loc)
		return out.plain(statusMovedPermanently, "Moved Permanently\n")
	case found:
		return s.serve(r, out, f, statusOK)
	}
	if n, _, err := CleanPath(s.Fallback); s.Fallback != "" && err == nil && n != "" {
		if f, ok := s.openRegular(n); ok {
			return s.serve(r, out, f, statusOK)
		}
	}
	return s.notFound(r, out)
}

// exactRoute reports whether the component was matched by an exact (non-wildcard) route.
func exactRoute(r *wire.Request) bool {
	m := r.Header(spin.HeaderMatchedRoute)
	return m != "" && m != "/" && !strings.HasSuffix(m, "/...")
}

// routePrefix is the public path prefix of the component's route (spin-matched-route
// without its "/..." wildcard), so redirects work under any route.
func routePrefix(r *wire.Request) string {
	m := strings.TrimSuffix(r.Header(spin.HeaderMatchedRoute), "/...")
	if m == "/" || !strings.HasPrefix(m, "/") || strings.HasPrefix(m, "//") {
		return ""
	}
	return strings.TrimSuffix(m, "/")
}

func (s *Server) notFound(r *wire.Request, out *reply) wire.Response {
	if n, _, err := CleanPath(s.NotFound); s.NotFound != "" && err == nil && n != "" {
		if f, ok := s.openRegular(n); ok {
			return s.serve(r, out, f, statusNotFound)
		}
	}
	return out.plain(statusNotFound, "Not Found\n")
}

// openFile is a regular file opened for one response, with what its stat said.
type openFile struct {
	name string // fs.FS name, for the content type
	f    fs.File
	info fs.FileInfo
}

// lookup opens the regular file a cleaned request path names: "dir/" (and "") names
// dir/index.html, anything else the file itself. isDir reports a directory named
// without its slash (to redirect). Nothing found is neither found nor isDir. One open
// serves the response: no separate stat.
func (s *Server) lookup(name string, dirSlash bool) (f openFile, found, isDir bool) {
	if name == "" || dirSlash {
		f, found = s.openRegular(path.Join(name, "index.html"))
		return f, found, false
	}
	of, err := s.FS.Open(name)
	if err != nil {
		return openFile{}, false, false
	}
	info, err := of.Stat()
	switch {
	case err != nil || !(info.IsDir() || info.Mode().IsRegular()):
		of.Close()
		return openFile{}, false, false
	case info.IsDir():
		of.Close()
		return openFile{}, false, true
	}
	return openFile{name: name, f: of, info: info}, true, false
}

// openRegular opens name if it is a regular file; ok is false otherwise.
func (s *Server) openRegular(name string) (f openFile, ok bool) {
	of, err := s.FS.Open(name)
	if err != nil {
		return openFile{}, false
	}
	info, err := of.Stat()
	if err != nil || !info.Mode().IsRegular() {
		of.Close()
		return openFile{}, false
	}
	return openFile{name: name, f: of, info: info}, true
}

// serve answers with the open file f and status, and closes it. Text types go gzipped
// to clients that accept it: the stored name.gz sibling when there is one (ssg -gzip
// writes them; it must be kept in step with the file), else compressed here.
func (s *Server) serve(r *wire.Request, out *reply, f openFile, status int) wire.Response {
	ct := ContentType(f.name)
	out.Set("Content-Type", ct)
	if status == statusOK {
		out.Set("Cache-Control", s.CacheControl)
	} else {
		out.Set("Cache-Control", "no-cache")
	}
	if !compressible(ct) {
		return s.send(r, out, f, status, nil, "")
	}
	out.Set("Vary", "Accept-Encoding")
	if !acceptsGzip(r) || f.info.Size() == 0 {
		return s.send(r, out, f, status, nil, "")
	}
	out.Set("Content-Encoding", "gzip")
	if gz, ok := s.openRegular(f.name + ".gz"); ok {
		f.f.Close()
		return s.send(r, out, gz, status, nil, "-gz")
	}
	return s.send(r, out, f, status, compress, "-gz")
}

// send finishes a response from f and closes it: ETag (from its size and modification
// time, or its contents when the file system gives no time), 304 for a matching
// If-None-Match on a 200, Content-Length, body (not read for HEAD). encode turns the
// file's bytes into the body (nil: as they are); suffix marks the variant's ETag.
func (s *Server) send(r *wire.Request, out *reply, f openFile, status int, encode func([]byte) []byte, suffix string) wire.Response {
	defer f.f.Close()
	var data []byte
	tag, ok := statTag(f.info, suffix)
	if !ok || encode != nil || r.Method != methodHead {
		var err error
		if data, err = readAll(f.f, f.info.Size()); err != nil {
			out.Del("Content-Encoding")
			return out.plain(statusInternalServerError, "Internal Server Error\n")
		}
		if !ok {
			tag = contentTag(data, suffix)
		}
	}
	out.Set("ETag", tag)
	if inm := r.Header("if-none-match"); status == statusOK && inm != "" && etagMatch(inm, tag) {
		out.Del("Content-Type")
		out.Del("Content-Encoding")
		out.Status = statusNotModified
		return out.Response
	}
	size := f.info.Size()
	if encode != nil {
		data = encode(data)
		size = int64(len(data))
	}
	out.Set("Content-Length", strconv.FormatInt(size, 10))
	out.Status, out.Body = status, data
	return out.Response
}

// readAll reads a file of a known size in one read where it can.
func readAll(f fs.File, size int64) ([]byte, error) {
	buf := bodyBuffer(size)
	n, err := io.ReadFull(f, buf)
	if err == io.ErrUnexpectedEOF { // it shrank since the stat
		return buf[:n], nil
	}
	return buf, err
}

// compress gzips data (for a text file without a stored .gz sibling).
func compress(data []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}
