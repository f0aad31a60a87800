package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"wasmsite/functions/sdk/spinhttp"
)

var files = fstest.MapFS{
	"index.html":            {Data: []byte("<h1>home</h1>" + strings.Repeat(" ", 300))},
	"404.html":              {Data: []byte("<h1>missing</h1>")},
	"blog/x/index.html":     {Data: []byte("<h1>post x</h1>")},
	"blog/empty/readme.txt": {Data: []byte("no index here")},
	"css/site.css":          {Data: []byte("body{color:red}")},
	"img/a.png":             {Data: []byte("\x89PNG....")},
	"sitemap.xml":           {Data: []byte("<urlset/>")},
	"fonts/f.woff2":         {Data: []byte("wOF2")},
}

type resp struct {
	status int
	h      http.Header
	body   string
}

func do(t *testing.T, s *Server, method, pathInfo string, hdr ...string) resp {
	t.Helper()
	headers := []spinhttp.Pair{
		{Name: spinhttp.HeaderPathInfo, Value: pathInfo},
		{Name: spinhttp.HeaderMatchedRoute, Value: "/..."},
		{Name: spinhttp.HeaderFullURL, Value: "http://127.0.0.1:3000" + pathInfo},
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		headers = append(headers, spinhttp.Pair{Name: hdr[i], Value: hdr[i+1]})
	}
	uri := pathInfo
	if _, err := url.ParseRequestURI(uri); err != nil {
		uri = "/"
	}
	r := spinhttp.ServeRequest(s.Serve, method, uri, headers, nil)
	h := http.Header{}
	for _, p := range r.Headers {
		h.Add(p.Name, p.Value)
	}
	return resp{r.Status, h, string(r.Body)}
}

func srv(env map[string]string) *Server {
	return NewServer(files, func(k string) string { return env[k] })
}

func TestServeBasics(t *testing.T) {
	s := srv(nil)
	for _, tc := range []struct {
		path, want, ct string
	}{
		{"", "<h1>home</h1>", "text/html; charset=utf-8"},
		{"/", "<h1>home</h1>", "text/html; charset=utf-8"},
		{"/index.html", "<h1>home</h1>", "text/html; charset=utf-8"},
		{"/blog/x/", "<h1>post x</h1>", "text/html; charset=utf-8"},
		{"/blog/x/index.html", "<h1>post x</h1>", "text/html; charset=utf-8"},
		{"/css/site.css", "body{color:red}", "text/css; charset=utf-8"},
		{"/img/a.png", "\x89PNG....", "image/png"},
		{"/sitemap.xml", "<urlset/>", "application/xml; charset=utf-8"},
		{"/fonts/f.woff2", "wOF2", "font/woff2"},
		{"/css/%73ite.css", "body{color:red}", "text/css; charset=utf-8"},
	} {
		r := do(t, s, "GET", tc.path)
		if r.status != 200 || !strings.HasPrefix(r.body, tc.want) || r.h.Get("Content-Type") != tc.ct {
			t.Errorf("GET %q: %d %q %q", tc.path, r.status, r.h.Get("Content-Type"), r.body)
		}
		if r.h.Get("X-Content-Type-Options") != "nosniff" || r.h.Get("Cache-Control") != DefaultCacheControl {
			t.Errorf("GET %q headers %v", tc.path, r.h)
		}
		if et := r.h.Get("ETag"); !strings.HasPrefix(et, `"`) || !strings.HasSuffix(et, `"`) || len(et) < 10 {
			t.Errorf("GET %q etag %q", tc.path, et)
		}
	}
}

func TestRedirectAndDirs(t *testing.T) {
	s := srv(nil)
	r := do(t, s, "GET", "/blog/x")
	if r.status != 301 || r.h.Get("Location") != "/blog/x/" {
		t.Errorf("dir redirect: %d %q", r.status, r.h.Get("Location"))
	}
	// directory without index.html → 404
	if r := do(t, s, "GET", "/blog/empty/"); r.status != 404 || r.body != "<h1>missing</h1>" {
		t.Errorf("dir without index: %d %q", r.status, r.body)
	}
	// a file with a trailing slash is not the file
	if r := do(t, s, "GET", "/css/site.css/"); r.status != 404 {
		t.Errorf("file/: %d", r.status)
	}
}

func TestTraversal(t *testing.T) {
	s := srv(nil)
	for _, p := range []string{
		"/../etc/passwd", "/..%2f..%2fetc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/blog/../../x",
		"/a\\..\\b", "/%5c..%5cetc", "/index.html%00", "/\x00", "/%zz", "/blog/..%2F..%2Findex.html",
		"..", "/%252e%252e/index.html",
	} {
		r := do(t, s, "GET", p)
		if r.status != 404 || r.body != "<h1>missing</h1>" {
			t.Errorf("GET %q: %d %q", p, r.status, r.body)
		}
	}
	for _, p := range []string{"/..%2f..%2fetc/passwd", "a/../b", "/x/%2e%2e"} {
		if _, _, err := CleanPath(p); err == nil {
			t.Errorf("CleanPath(%q) accepted", p)
		}
	}
	if n, d, err := CleanPath("/blog//x/./"); err != nil || n != "blog/x" || !d {
		t.Errorf("CleanPath clean: %q %v %v", n, d, err)
	}
}

func TestNotFoundVariants(t *testing.T) {
	if r := do(t, srv(nil), "GET", "/nope"); r.status != 404 || r.body != "<h1>missing</h1>" || r.h.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("custom 404: %d %q", r.status, r.body)
	}
	if r := do(t, srv(map[string]string{"CUSTOM_404_PATH": "/none.html"}), "GET", "/nope"); r.status != 404 || r.body != "Not Found\n" {
		t.Errorf("plain 404: %d %q", r.status, r.body)
	}
	if r := do(t, srv(map[string]string{"FALLBACK_PATH": "/index.html"}), "GET", "/app/route"); r.status != 200 || !strings.HasPrefix(r.body, "<h1>home") {
		t.Errorf("fallback: %d %q", r.status, r.body)
	}
	if r := do(t, srv(map[string]string{"CACHE_CONTROL": "no-cache"}), "GET", "/"); r.h.Get("Cache-Control") != "no-cache" {
		t.Errorf("cache-control: %v", r.h)
	}
}

func TestMethods(t *testing.T) {
	s := srv(nil)
	r := do(t, s, "POST", "/")
	if r.status != 405 || r.h.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %v", r.status, r.h)
	}
	r = do(t, s, "HEAD", "/css/site.css")
	if r.status != 200 || r.body != "" || r.h.Get("Content-Length") != "15" {
		t.Errorf("HEAD: %d %q %v", r.status, r.body, r.h)
	}
}

func TestETagAndGzip(t *testing.T) {
	s := srv(nil)
	r := do(t, s, "GET", "/")
	tag := r.h.Get("ETag")
	if r2 := do(t, s, "GET", "/", "If-None-Match", tag); r2.status != 304 || r2.body != "" || r2.h.Get("ETag") != tag {
		t.Errorf("304: %d %q %v", r2.status, r2.body, r2.h)
	}
	if r2 := do(t, s, "GET", "/", "If-None-Match", `"other", W/`+tag); r2.status != 304 {
		t.Errorf("weak list 304: %d", r2.status)
	}
	if r2 := do(t, s, "GET", "/", "If-None-Match", `"other"`); r2.status != 200 {
		t.Errorf("mismatch: %d", r2.status)
	}
	g := do(t, s, "GET", "/", "Accept-Encoding", "br, gzip;q=0.8")
	if g.h.Get("Content-Encoding") != "gzip" || g.h.Get("Vary") != "Accept-Encoding" || g.h.Get("ETag") == tag {
		t.Fatalf("gzip headers: %v", g.h)
	}
	zr, err := gzip.NewReader(bytes.NewReader([]byte(g.body)))
	if err != nil {
		t.Fatal(err)
	}
	plainBody, _ := io.ReadAll(zr)
	if string(plainBody) != r.body {
		t.Errorf("gzip body mismatch")
	}
	if g2 := do(t, s, "GET", "/", "Accept-Encoding", "gzip;q=0"); g2.h.Get("Content-Encoding") != "" {
		t.Errorf("q=0 still gzipped")
	}
	if g2 := do(t, s, "GET", "/img/a.png", "Accept-Encoding", "gzip"); g2.h.Get("Content-Encoding") != "" || g2.h.Get("Vary") != "" {
		t.Errorf("png gzipped: %v", g2.h)
	}
	if g2 := do(t, s, "GET", "/", "Accept-Encoding", "gzip", "If-None-Match", g.h.Get("ETag")); g2.status != 304 {
		t.Errorf("gzip etag 304: %d", g2.status)
	}
}

func TestContentTypeTable(t *testing.T) {
	for name, want := range map[string]string{
		"a.js": "text/javascript; charset=utf-8", "a.json": "application/json", "a.svg": "image/svg+xml",
		"a.txt": "text/plain; charset=utf-8", "a.jpg": "image/jpeg", "a.webp": "image/webp",
		"a.ico": "image/x-icon", "a.wasm": "application/wasm", "a.unknownext": "application/octet-stream",
		"A.HTML": "text/html; charset=utf-8",
	} {
		if got := ContentType(name); got != want {
			t.Errorf("ContentType(%s) = %q, want %q", name, got, want)
		}
	}
}

func TestExactRoute(t *testing.T) {
	s := srv(nil)
	resp := spinhttp.ServeRequest(s.Serve, "GET", "/css/site.css", []spinhttp.Pair{
		{Name: spinhttp.HeaderPathInfo, Value: ""},
		{Name: spinhttp.HeaderMatchedRoute, Value: "/css/site.css"},
	}, nil)
	if resp.Status != 200 || string(resp.Body) != "body{color:red}" {
		t.Errorf("exact route: %d %q", resp.Status, resp.Body)
	}
}

// TestPrecompressedSibling: a stored name.gz is served as the gzip variant instead of
// compressing per request; without Accept-Encoding the plain file is served.
func TestPrecompressedSibling(t *testing.T) {
	gz := bytes.NewBuffer(gzipped(t, []byte("<h1>from the stored sibling</h1>")))
	fsys := fstest.MapFS{
		"page.html":    {Data: []byte("<h1>plain</h1>")},
		"page.html.gz": {Data: gz.Bytes()},
	}
	s := NewServer(fsys, func(string) string { return "" })
	g := do(t, s, "GET", "/page.html", "Accept-Encoding", "gzip")
	if g.status != 200 || g.h.Get("Content-Encoding") != "gzip" || g.body != gz.String() {
		t.Fatalf("gzip variant: %d %v, body from sibling: %v", g.status, g.h, g.body == gz.String())
	}
	if g.h.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q, want the source's", g.h.Get("Content-Type"))
	}
	if p := do(t, s, "GET", "/page.html"); p.body != "<h1>plain</h1>" || p.h.Get("Content-Encoding") != "" {
		t.Errorf("identity variant: %v %q", p.h, p.body)
	}
	if r := do(t, s, "GET", "/page.html", "Accept-Encoding", "gzip", "If-None-Match", g.h.Get("ETag")); r.status != 304 {
		t.Errorf("If-None-Match with the gzip ETag: %d", r.status)
	}
}

// countingFS counts opens (tried) and reads, to check what a response costs in WASI
// calls, and the files open now.
type countingFS struct {
	fstest.MapFS
	opens, reads map[string]int
	open         int
}

func (c *countingFS) Open(name string) (fs.File, error) {
	c.opens[name]++
	f, err := c.MapFS.Open(name)
	if err != nil {
		return nil, err
	}
	c.open++
	return &countingFile{File: f, name: name, c: c}, nil
}

type countingFile struct {
	fs.File
	name string
	c    *countingFS
}

func (f *countingFile) Read(b []byte) (int, error) {
	f.c.reads[f.name]++
	return f.File.Read(b)
}

func (f *countingFile) Close() error {
	f.c.open--
	return f.File.Close()
}

// Tags come from size and modification time: the same bytes written again later get a
// new tag; a file system without times falls back to hashing the contents. HEAD, 304 and
// the gzip sibling read nothing they do not send, and a path is opened once.
func TestETagFromStatAndReads(t *testing.T) {
	t0 := time.Unix(1700000000, 123)
	c := &countingFS{MapFS: fstest.MapFS{
		"a.html":    {Data: []byte("<p>a</p>"), ModTime: t0},
		"a.html.gz": {Data: []byte("gzipped"), ModTime: t0},
		"b.txt":     {Data: []byte("no time")},
	}, opens: map[string]int{}, reads: map[string]int{}}
	s := NewServer(c, func(string) string { return "" })
	r := do(t, s, "GET", "/a.html")
	tag := r.h.Get("ETag")
	if want := `"8-` + strconv.FormatInt(t0.UnixNano(), 36) + `"`; tag != want {
		t.Errorf("ETag %s, want %s (size and mtime, base 36)", tag, want)
	}
	if c.opens["a.html"] != 1 || c.reads["a.html"] == 0 {
		t.Errorf("GET opened a.html %d times, read it %d times; want one open", c.opens["a.html"], c.reads["a.html"])
	}
	c.MapFS["a.html"].ModTime = t0.Add(time.Second)
	if r2 := do(t, s, "GET", "/a.html"); r2.h.Get("ETag") == tag {
		t.Error("ETag unchanged after the file was rewritten")
	}
	clear(c.reads)
	if r := do(t, s, "HEAD", "/a.html"); r.status != 200 || c.reads["a.html"] != 0 {
		t.Errorf("HEAD: %d, %d reads", r.status, c.reads["a.html"])
	}
	etag := do(t, s, "GET", "/a.html").h.Get("ETag")
	clear(c.reads)
	if r := do(t, s, "GET", "/a.html", "If-None-Match", etag); r.status != 304 {
		t.Errorf("conditional GET: %d", r.status)
	}
	clear(c.reads)
	if g := do(t, s, "GET", "/a.html", "Accept-Encoding", "gzip"); g.body != "gzipped" || c.reads["a.html"] != 0 {
		t.Errorf("gzip variant %q read the identity file %d times", g.body, c.reads["a.html"])
	}
	notime := do(t, s, "GET", "/b.txt").h.Get("ETag")
	if len(notime) != 34 { // quoted 32 hex digits
		t.Errorf("ETag without a modification time %q, want a content hash", notime)
	}
}

// gzipped returns data gzip-compressed, as ssg -gzip stores siblings.
func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return gz.Bytes()
}
