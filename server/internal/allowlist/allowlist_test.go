package allowlist

import (
	"net/url"
	"strings"
	"testing"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

type allowCase struct {
	url  string
	want bool
}

func checkAllow(t *testing.T, entries []string, version int, origin string, cases []allowCase) {
	t.Helper()
	a, err := Parse(entries, version)
	if err != nil {
		t.Fatalf("Parse(%q): %v", entries, err)
	}
	var o = mustURL(t, "http://127.0.0.1:3000")
	if origin != "" {
		o = mustURL(t, origin)
	}
	for _, c := range cases {
		if got := a.Allows(mustURL(t, c.url), o); got != c.want {
			t.Errorf("v%d %q: Allows(%q) = %v, want %v", version, entries, c.url, got, c.want)
		}
	}
}

func TestAllowListV1(t *testing.T) {
	checkAllow(t, nil, 1, "", []allowCase{{"http://example.com", false}, {"http://127.0.0.1:3000/x", false}})
	checkAllow(t, []string{"example.com"}, 1, "", []allowCase{
		{"http://example.com/path?q", true},
		{"https://example.com", true},
		{"https://EXAMPLE.com", true},
		{"http://example.com:80/", true},
		{"https://example.com:443/", true},
		{"http://example.com:8080", false},
		{"https://example.com:80", false},
		{"ftp://example.com", false},
		{"http://sub.example.com", false},
	})
	checkAllow(t, []string{"localhost:8081", "https://api.example.com", "http://other.org:9000/"}, 1, "", []allowCase{
		{"http://localhost:8081", true},
		{"https://localhost:8081", true},
		{"http://localhost", false},
		{"http://api.example.com", true},
		{"https://api.example.com:8443", false},
		{"http://other.org:9000", true},
		{"http://other.org", false},
	})
	// Explicit default ports are dropped, like the url crate does.
	checkAllow(t, []string{"example.com:80"}, 1, "", []allowCase{{"http://example.com", true}, {"https://example.com", true}})
	checkAllow(t, []string{"insecure:allow-all"}, 1, "", []allowCase{
		{"http://anything.test:1234", true}, {"https://x.y", true}, {"ftp://x.y", true},
	})
	checkAllow(t, []string{"self"}, 1, "http://127.0.0.1:3000", []allowCase{
		{"http://127.0.0.1:3000/api", true}, {"http://127.0.0.1:3001/api", false}, {"https://127.0.0.1:3000/", false}, {"http://example.com", false},
	})
	a, _ := Parse([]string{"self"}, 1)
	b, _ := Parse([]string{"example.com"}, 1)
	c, _ := Parse([]string{"insecure:allow-all", "bad://x/y"}, 1)
	if !a.AllowsRelative() || b.AllowsRelative() || !c.AllowsRelative() || !c.AllowsAll() || b.AllowsAll() {
		t.Fatal("AllowsRelative/AllowsAll")
	}
	var nilList *List
	if nilList.Allows(mustURL(t, "http://x"), nil) || nilList.AllowsRelative() {
		t.Fatal("nil list")
	}
	for entry, msg := range map[string]string{
		"ftp://example.com":     `allowed_http_hosts entry "ftp://example.com" isn't a valid host`,
		"https://example.com/a": "contains a path",
		"http://":               "doesn't contain a host name",
		"*.example.com":         "wildcards are not supported",
		"example.com:99999":     `allowed_http_hosts entry "example.com:99999"`,
		"{{ site_url }}":        "template not rendered",
	} {
		_, err := Parse([]string{entry}, 1)
		wantErr(t, err, msg)
	}
}

func TestAllowListV2(t *testing.T) {
	checkAllow(t, []string{"https://example.com"}, 2, "", []allowCase{
		{"https://example.com/x", true},
		{"https://example.com:443", true},
		{"http://example.com", false},
		{"https://example.com:8443", false},
		{"https://sub.example.com", false},
	})
	checkAllow(t, []string{"http://example.com:8080", "redis://cache", "postgres://db", "mysql://my", "mqtt://mq"}, 2, "", []allowCase{
		{"http://example.com:8080", true},
		{"http://example.com", false},
		{"redis://cache", true},
		{"redis://cache:6379", true},
		{"redis://cache:6380", false},
		{"postgres://db:5432", true},
		{"mysql://my", true},
		{"mqtt://mq:1883", true},
	})
	checkAllow(t, []string{"*://*.example.com:*"}, 2, "", []allowCase{
		{"https://a.example.com", true},
		{"redis://a.b.example.com:1", true},
		{"https://example.com", false},
		{"https://badexample.com", false},
	})
	checkAllow(t, []string{"*://*:*"}, 2, "", []allowCase{{"https://x.test:1", true}, {"tcp://1.2.3.4:9", true}})
	checkAllow(t, []string{"https://*"}, 2, "", []allowCase{{"https://x.test", true}, {"https://x.test:444", false}, {"http://x.test", false}})
	checkAllow(t, []string{"http://localhost:3000..3002", "tcp://10.0.0.0/8:*", "https://[::1]:8443", "http://192.168.1.1"}, 2, "", []allowCase{
		{"http://localhost:3000", true},
		{"http://localhost:3001", true},
		{"http://localhost:3002", false},
		{"tcp://10.1.2.3:80", true},
		{"tcp://11.0.0.1:80", false},
		{"tcp://example.com:80", false},
		{"https://[::1]:8443/x", true},
		{"http://192.168.1.1/", true},
		{"http://192.168.1.2/", false},
	})
	checkAllow(t, []string{"http://self", "https://example.com"}, 2, "http://localhost:3000", []allowCase{
		{"http://localhost:3000/api", true},
		{"http://self/api", false},
		{"https://example.com", true},
	})
	a, _ := Parse([]string{"*://self:*"}, 2)
	b, _ := Parse([]string{"https://example.com"}, 2)
	c, _ := Parse([]string{"https://*"}, 2)
	if !a.AllowsRelative() || b.AllowsRelative() || !c.AllowsRelative() {
		t.Fatal("AllowsRelative")
	}
	for entry, msg := range map[string]string{
		"example.com":              `allowed_outbound_hosts entry "example.com": does not contain a scheme (e.g., 'http://' or '*://'); did you mean "https://example.com" or "*://example.com"?`,
		"insecure:allow-all":       "use '*://*:*' instead",
		"tcp://example.com":        `scheme "tcp" has no well-known port`,
		"*://example.com":          `scheme "*" has no well-known port`,
		"*://self":                 `scheme "*" has no well-known port`,
		"https://example.com/path": "contains a path",
		"https://foo.*.com":        "wildcards are only allowed",
		"https://example.com:x":    `invalid port "x"`,
		"https://example.com:9..3": `invalid port range "9..3"`,
		"{http,https}://x.com":     "scheme lists are not supported",
		"ht-tp://x.com":            `invalid scheme "ht-tp"`,
		"https://":                 "missing host",
		"https://x.com:":           "empty port",
		"https://{{ host }}":       "template not rendered",
	} {
		_, err := Parse([]string{entry}, 2)
		wantErr(t, err, msg)
	}
	_, err := Parse(nil, 3)
	wantErr(t, err, "unsupported manifest version 3")
}

func TestFromV1(t *testing.T) {
	var got []string
	for _, e := range []string{"example.com", "localhost:3000", "https://api.test:8443", "self", "insecure:allow-all"} {
		conv, err := FromV1(e)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, conv...)
	}
	want := []string{"http://example.com", "https://example.com", "http://localhost:3000", "https://localhost:3000",
		"http://api.test:8443", "https://api.test:8443", "http://self", "http://*:*", "https://*:*", "http://self"}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%v", got)
		}
	}
	// Converted entries parse and keep v1 meaning.
	checkAllow(t, got[:6], 2, "", []allowCase{{"http://example.com", true}, {"https://example.com", true}, {"https://example.com:8080", false}, {"http://localhost:3000", true}})
}

func wantErr(t *testing.T, err error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected error containing %q, got nil", subs)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Fatalf("error %q does not contain %q", err.Error(), s)
		}
	}
}
