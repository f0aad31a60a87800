package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
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
	if name == "" {
		name = "."
	}
	fi, err := fs.Stat(s.FS, name)
	switch {
	case err == nil && fi.IsDir():
		if !dirSlash {
			loc := routePrefix(r) + (&url.URL{Path: "/" + name + "/"}).EscapedPath()
			if r.URL.RawQuery != "" {
				loc += "?" + r.URL.RawQuery
			}
			h.Set("Location", loc)
			plain(w, http.StatusMovedPermanently, "Moved Permanently\n")
			return
		}
		name = path.Join(name, "index.html")
	case err == nil && dirSlash:
		// "file.html/" is not a URL of file.html: one URL per resource.
		s.notFound(w, r)
		return
	}
	if s.serveFile(w, r, name, http.StatusOK) {
		return
	}
	if fb := s.env("FALLBACK_PATH", ""); fb != "" {
		if n, _, err := CleanPath(fb); err == nil && n != "" && s.serveFile(w, r, n, http.StatusOK) {
			return
		}
	}
	s.notFound(w, r)
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

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if n, _, err := CleanPath(s.env("CUSTOM_404_PATH", "/404.html")); err == nil && n != "" {
		if s.serveFile(w, r, n, http.StatusNotFound) {
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

// serveFile writes the regular file name with status; false if it is not a regular file.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, name string, status int) bool {
	fi, err := fs.Stat(s.FS, name)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	data, err := fs.ReadFile(s.FS, name)
	if err != nil {
		return false
	}
	h := w.Header()
	ct := ContentType(name)
	h.Set("Content-Type", ct)
	sum := sha256.Sum256(data)
	tag := `"` + hex.EncodeToString(sum[:16]) + `"`
	gzTag := tag[:len(tag)-1] + `-gz"`
	body := data
	if status == http.StatusOK {
		h.Set("Cache-Control", s.env("CACHE_CONTROL", "max-age=60"))
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	etag := tag
	if compressible(ct) {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header) && len(data) > 0 {
			// A precompressed sibling (name.gz, as `ssg -gzip` writes) saves compressing
			// per request, which dominates the cost of serving a page from a fresh instance.
			if gz, err := fs.ReadFile(s.FS, name+".gz"); err == nil {
				body = gz
			} else {
				var buf bytes.Buffer
				zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
				zw.Write(data)
				zw.Close()
				body = buf.Bytes()
			}
			etag = gzTag
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	if status == http.StatusOK {
		if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, tag, gzTag) {
			h.Del("Content-Type")
			h.Del("Content-Encoding")
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
	return true
}
