package trigger

import (
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

const insufficient = "Exactly one of 'location' or 'content-type' must be specified"

func TestParseCGI(t *testing.T) {
	for _, tc := range []struct {
		name    string
		out     string
		status  uint16
		headers [][2]string
		body    string
	}{
		{"content-type", "Content-Type: text/plain\n\nhello", 200, [][2]string{{"content-type", "text/plain"}}, "hello"},
		{"crlf", "Content-Type: text/html\r\nX-A:  b \r\n\r\nbody\r\n\r\nmore", 200,
			[][2]string{{"content-type", "text/html"}, {"X-A", "b"}}, "body\r\n\r\nmore"},
		{"lower-case name", "content-type: a/b\n\n", 200, [][2]string{{"content-type", "a/b"}}, ""},
		{"status with reason", "Status: 404 Not Found\nContent-Type: text/plain\n\nnope", 404, [][2]string{{"content-type", "text/plain"}}, "nope"},
		{"status alone is sufficient", "Status: 204\n\n", 204, nil, ""},
		{"status up to 999", "Status: 999\n\n", 999, nil, ""},
		{"location gives 302", "Location: /x\n\n", 302, [][2]string{{"location", "/x"}}, ""},
		{"status before location wins", "Status: 301\nLocation: /x\n\n", 301, [][2]string{{"location", "/x"}}, ""},
		{"status after location wins", "Location: /x\nStatus: 307 Temporary\n\n", 307, [][2]string{{"location", "/x"}}, ""},
		{"unparsable status is 502, rest kept", "Status: abc\nContent-Type: text/plain\nX-Y: z\n\nbody", 502,
			[][2]string{{"content-type", "text/plain"}, {"X-Y", "z"}}, "body"},
		{"status 1000 is 502", "Status: 1000\n\n", 502, nil, ""},
		{"status 099 is 502", "Status: 099\n\n", 502, nil, ""},
		{"status +20 is 502", "Status: +20\n\n", 502, nil, ""},
		{"status with tab is 502", "Status: 200\tOK\nContent-Type: a\n\n", 502, [][2]string{{"content-type", "a"}}, ""},
		{"502 status stays with location", "Status: x\nLocation: /y\n\n", 502, [][2]string{{"location", "/y"}}, ""},
		{"value keeps colons", "Content-Type: a\nX-Url: http://h:1/p\n\n", 200,
			[][2]string{{"content-type", "a"}, {"X-Url", "http://h:1/p"}}, ""},
		{"malformed lines and invalid names skipped", "garbage\nContent-Type: a\nBad Name: x\n: empty\nX-Ok: 1\n\n", 200,
			[][2]string{{"content-type", "a"}, {"X-Ok", "1"}}, ""},
		{"repeated name: last wins in place", "X-A: 1\nContent-Type: a\nx-a: 2\nContent-Type: b\n\n", 200,
			[][2]string{{"x-a", "2"}, {"content-type", "b"}}, ""},
		{"CRs anywhere in the header block are ignored", "Content-Type: a\n\r\r\nbody", 200, [][2]string{{"content-type", "a"}}, "body"},
		{"body may contain CRs and blank lines", "Content-Type: a\r\n\r\n\r\n\n\rx", 200, [][2]string{{"content-type", "a"}}, "\r\n\n\rx"},
		{"leading blank line: no headers", "\n\nContent-Type: a\n\n", 500, nil, insufficient},
		{"no content-type, status or location", "X-Only: 1\n\nbody", 500, nil, insufficient},
		{"no blank line: all body, no headers", "Content-Type: text/plain\n", 500, nil, insufficient},
		{"no newline at all", "Content-Type: text/plain", 500, nil, insufficient},
		{"single newline at start", "\nContent-Type: a\n\nb", 200, [][2]string{{"content-type", "a"}}, "b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := ParseCGI([]byte(tc.out))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tc.status {
				t.Errorf("status = %d, want %d", resp.Status, tc.status)
			}
			if !reflect.DeepEqual(resp.Headers, tc.headers) {
				t.Errorf("headers = %q, want %q", resp.Headers, tc.headers)
			}
			if string(resp.Body) != tc.body {
				t.Errorf("body = %q, want %q", resp.Body, tc.body)
			}
		})
	}
}

func TestParseCGINonUTF8Headers(t *testing.T) {
	if resp, err := ParseCGI([]byte("Content-Type: \xff\n\nbody")); err == nil {
		t.Fatalf("ParseCGI accepted non-UTF-8 headers: %+v", resp)
	}
	// A non-UTF-8 body is fine.
	resp, err := ParseCGI([]byte("Content-Type: a\n\n\xff\xfe"))
	if err != nil || string(resp.Body) != "\xff\xfe" {
		t.Fatalf("ParseCGI = %+v, %v; want body \\xff\\xfe", resp, err)
	}
}

func TestWagiArgs(t *testing.T) {
	for _, tc := range []struct {
		tmpl, path, query string
		want              []string
	}{
		{"${SCRIPT_NAME} ${ARGS}", "/test", "abc=def", []string{"/test", "abc=def"}},
		{"${SCRIPT_NAME} ${ARGS}", "/test", "", []string{"/test", ""}},
		{"${SCRIPT_NAME} ${ARGS}", "/a/b", "x=1&y=2&z", []string{"/a/b", "x=1", "y=2", "z"}},
		{"${SCRIPT_NAME} ${ARGS}", "/a%20b", "q=a+b", []string{"/a%20b", "q=a+b"}},
		{"prog --flag ${ARGS} ${SCRIPT_NAME}", "/p", "a&b", []string{"prog", "--flag", "a", "b", "/p"}},
		{"fixed", "/p", "a", []string{"fixed"}},
		{"${ARGS}${ARGS}", "/p", "a&b", []string{"a", "ba", "b"}},
	} {
		if got := wagiArgs(tc.tmpl, tc.path, tc.query); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("wagiArgs(%q, %q, %q) = %q, want %q", tc.tmpl, tc.path, tc.query, got, tc.want)
		}
	}
}

func envMap(t *testing.T, env [][2]string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, kv := range env {
		if _, dup := m[kv[0]]; dup {
			t.Errorf("variable %s set twice", kv[0])
		}
		m[kv[0]] = kv[1]
	}
	return m
}

func TestWagiEnv(t *testing.T) {
	body := []byte("hello=1")
	r := httptest.NewRequest("POST", "http://example.com:8080/base/files/a%20b/c?x=1&y=2", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", "Bearer secret")
	r.Header.Set("Connection", "keep-alive")
	r.Header.Set("X-Custom-Thing", "v")
	r.Header.Set("Proxy", "http://evil.example:8080") // httpoxy: no HTTP_PROXY
	r.Header["X_custom_thing"] = []string{"forged"}   // would also be HTTP_X_CUSTOM_THING
	r.Header.Set("Spin-Client-Addr", "6.6.6.6:1")
	r.Header.Add("Accept", "a")
	r.Header.Add("Accept", "b")
	r.RemoteAddr = "192.0.2.7:5555"
	route := NewRoute("/base", "/files/...", "files")
	req := &Request{Request: r, Route: route, FullURL: "http://example.com:8080/base/files/a%20b/c?x=1&y=2",
		Path: r.URL.EscapedPath(), Client: r.RemoteAddr, HostName: r.Host}
	got := envMap(t, wagiEnv(req, int64(len(body))))
	want := map[string]string{
		"AUTH_TYPE":             "",
		"CONTENT_LENGTH":        "7",
		"CONTENT_TYPE":          "application/x-www-form-urlencoded",
		"GATEWAY_INTERFACE":     "CGI/1.1",
		"QUERY_STRING":          "x=1&y=2",
		"REMOTE_ADDR":           "192.0.2.7",
		"REMOTE_HOST":           "192.0.2.7",
		"REMOTE_USER":           "",
		"REQUEST_METHOD":        "POST",
		"SCRIPT_NAME":           "/base/files",
		"X_RAW_PATH_INFO":       "/a%20b/c",
		"PATH_INFO":             "/a%20b/c",
		"PATH_TRANSLATED":       "/a b/c",
		"SERVER_NAME":           "example.com",
		"SERVER_PORT":           "8080",
		"SERVER_PROTOCOL":       "HTTP/1.1",
		"SERVER_SOFTWARE":       "WAGI/1",
		"HTTP_CONTENT_TYPE":     "application/x-www-form-urlencoded",
		"HTTP_X_CUSTOM_THING":   "v",
		"HTTP_ACCEPT":           "a, b",
		"HTTP_HOST":             "example.com:8080",
		"X_FULL_URL":            "http://example.com:8080/base/files/a%20b/c?x=1&y=2",
		"X_MATCHED_ROUTE":       "/base/files/...",
		"X_BASE_PATH":           "/base",
		"X_RAW_COMPONENT_ROUTE": "/files/...",
		"X_COMPONENT_ROUTE":     "/files",
		"X_CLIENT_ADDR":         "192.0.2.7:5555",
	}
	if !reflect.DeepEqual(got, want) {
		for k, v := range want {
			if g, ok := got[k]; !ok || g != v {
				t.Errorf("%s = %q (set %v), want %q", k, g, ok, v)
			}
		}
		for k, v := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected %s = %q", k, v)
			}
		}
	}
}

func TestWagiEnvDefaults(t *testing.T) {
	// No port in Host: SERVER_PORT 80; exact route: empty PATH_INFO, SCRIPT_NAME is the path.
	r := httptest.NewRequest("GET", "/hello", nil)
	r.Host = "h.test"
	r.RemoteAddr = "[2001:db8::1]:40000"
	req := &Request{Request: r, Route: NewRoute("/", "/hello", "c"), FullURL: "http://h.test/hello", Path: "/hello", Client: r.RemoteAddr, HostName: "h.test"}
	got := envMap(t, wagiEnv(req, 0))
	for k, v := range map[string]string{
		"SERVER_NAME": "h.test", "SERVER_PORT": "80", "CONTENT_LENGTH": "0", "CONTENT_TYPE": "",
		"SCRIPT_NAME": "/hello", "PATH_INFO": "", "X_RAW_PATH_INFO": "", "PATH_TRANSLATED": "",
		"QUERY_STRING": "", "REMOTE_ADDR": "2001:db8::1", "X_COMPONENT_ROUTE": "/hello", "X_MATCHED_ROUTE": "/hello",
		"REQUEST_METHOD": "GET", "HTTP_HOST": "h.test",
	} {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}
