package live

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"wasmsite/ssg/source"
)

func TestReloadOf(t *testing.T) {
	for _, c := range []struct {
		changed []string
		want    Reload
	}{
		{nil, Reload{Pages: []string{}}},
		{[]string{"index.html", "blog/x/index.html", "404.html", "old/x.html", "feed.xml", "sitemap.xml", "blog/x/index.html.gz"},
			Reload{Pages: []string{"/", "/blog/x/", "/404.html", "/old/x.html"}}},
		{[]string{"blog/x/index.html", "assets/style.css"}, Reload{Pages: []string{"/blog/x/"}, All: true}},
		{[]string{"blog/trip/photo.jpg"}, Reload{Pages: []string{}, All: true}},
		{[]string{"search/index.json"}, Reload{Pages: []string{"/search/"}}},
	} {
		if got := reloadOf(c.changed); !reflect.DeepEqual(got, c.want) {
			t.Errorf("reloadOf(%v) = %+v, want %+v", c.changed, got, c.want)
		}
	}
}

func TestProblems(t *testing.T) {
	err := errors.Join(
		source.ErrorAt("content/blog/a.md", 3, 16, "created_date: invalid date"),
		fmt.Errorf("wrapped: %w", source.ErrorAt("content/blog/b.md", 1, 1, "missing date")),
		errors.New("content/site.toml:2:9: unknown setting \"titel\""),
		errors.New("content/blog/trip/passwd.txt: symbolic link to /etc/passwd, outside content: not published"),
		errors.New("template post.html (/blog/x/): boom"),
	)
	want := []Problem{
		{"content/blog/a.md", 3, 16, "created_date: invalid date"},
		{"content/blog/b.md", 1, 1, "missing date"},
		{"content/site.toml", 2, 9, "unknown setting \"titel\""},
		{"content/blog/trip/passwd.txt", 0, 0, "symbolic link to /etc/passwd, outside content: not published"},
		{"", 0, 0, "template post.html (/blog/x/): boom"},
	}
	if got := Problems(err); !reflect.DeepEqual(got, want) {
		t.Errorf("Problems:\n got %+v\nwant %+v", got, want)
	}
	if Problems(nil) != nil {
		t.Error("Problems(nil) is not empty")
	}
}

// events reads server-sent events from a response body.
type events struct{ r *bufio.Reader }

// next returns the next event's name and data.
func (e events) next(t *testing.T) (string, string) {
	t.Helper()
	var name, data string
	for {
		line, err := e.r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading events: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && name != "":
			return name, data
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		}
	}
}

func TestServer(t *testing.T) {
	s, err := NewServer("http://127.0.0.1:3000")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close) // after the streams are closed: cleanups run last first
	get := func(origin, host string) *http.Response {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		t.Cleanup(cancel)
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/events", nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	for _, c := range []struct {
		origin, host string
		status       int
	}{
		{"https://evil.example", "", http.StatusForbidden},
		{"http://127.0.0.1:3001", "", http.StatusForbidden},
		{"", "evil.example:35729", http.StatusMisdirectedRequest}, // DNS rebinding
		{"http://localhost:3000", "localhost:35729", http.StatusOK},
	} {
		if resp := get(c.origin, c.host); resp.StatusCode != c.status {
			t.Errorf("Origin %q Host %q: %d, want %d", c.origin, c.host, resp.StatusCode, c.status)
		}
	}
	s.Failed(source.ErrorAt("content/blog/a.md", 3, 16, "bad date"))
	resp := get("http://127.0.0.1:3000", "")
	if resp.Header.Get("Access-Control-Allow-Origin") != "http://127.0.0.1:3000" || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("headers: %v", resp.Header)
	}
	ev := events{bufio.NewReader(resp.Body)}
	if name, data := ev.next(t); name != "hello" || !strings.Contains(data, `"problems":[{"file":"content/blog/a.md","line":3,"col":16,"message":"bad date"}]`) || !strings.Contains(data, `"build":1`) {
		t.Errorf("hello after a failed build: %s %s", name, data)
	}
	s.Built([]string{"blog/a/index.html", "feed.xml"})
	if name, data := ev.next(t); name != "built" || data != `{"all":false,"build":2,"pages":["/blog/a/"]}` {
		t.Errorf("after a build: %s %s", name, data)
	}
	s.Failed(errors.New("content/site.toml:1:1: nope"))
	if name, data := ev.next(t); name != "failed" || !strings.Contains(data, `"file":"content/site.toml"`) {
		t.Errorf("after a failed build: %s %s", name, data)
	}
}

func TestSnippet(t *testing.T) {
	got, err := Snippet("127.0.0.1:35729")
	if err != nil || got != `<script src="/assets/live.js" data-port="35729" defer></script>`+"\n" {
		t.Errorf("Snippet = %q, %v", got, err)
	}
	if _, err := Snippet("nonsense"); err == nil {
		t.Error("Snippet accepted an address without a port")
	}
}
