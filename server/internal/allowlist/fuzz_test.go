package allowlist

import (
	"net"
	"net/netip"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fuzzOrigin is the listener "self" stands for in FuzzParse.
var fuzzOrigin = &url.URL{Scheme: "http", Host: "127.0.0.1:3000"}

// FuzzParse: entries (one per line) parse the same way every time; a list allows a URL
// exactly when one of its entries alone does; a URL it allows is its own origin under
// "self" or has a scheme an entry names ("*" names any; v1 names http and https, or
// any with insecure:allow-all); a v1 entry FromV1 converts parses as v2 and reaches the
// same named hosts and ports over http(s).
func FuzzParse(f *testing.F) {
	for _, s := range []struct {
		entries string
		v2      bool
		url     string
	}{
		{"example.com\nlocalhost:3000", false, "http://example.com/x"},
		{"https://api.test:8443\nself", false, "https://api.test:8443"},
		{"insecure:allow-all", false, "ftp://x"},
		{"http://example.com:443", false, "https://example.com"},
		{"[::1]:8080\n127.0.0.1", false, "http://[::1]:8080"},
		{"http://example.com:8080\nredis://cache\npostgres://db", true, "redis://cache:6379"},
		{"*://*.example.com:*", true, "redis://a.b.example.com:1"},
		{"http://localhost:3000..3002\ntcp://10.0.0.0/8:*", true, "tcp://10.1.2.3:80"},
		{"https://[::1]:8443\nhttp://192.168.1.1", true, "http://[::ffff:192.168.1.1]"},
		{"http://self\n*://127.0.0.1:6379", true, "unix://127.0.0.1:6379/tmp/s"},
		{"https://*", true, "https://x.test"},
		{"{{ site_url }}", true, "http://127.0.0.1:3000"},
	} {
		f.Add(s.entries, s.v2, s.url)
	}
	f.Fuzz(func(t *testing.T, entries string, v2 bool, rawURL string) {
		list := strings.Split(entries, "\n")
		version := 1
		if v2 {
			version = 2
		}
		a := parseTwice(t, list, version)
		if u, err := url.Parse(rawURL); err == nil && a != nil {
			allowed := a.Allows(u, fuzzOrigin)
			checkUnion(t, list, version, u, allowed)
			if allowed && !(a.self && sameOrigin(u, fuzzOrigin)) && !schemeNamed(list, version, u.Scheme) {
				t.Fatalf("v%d %q allows %q, whose scheme no entry names", version, list, rawURL)
			}
		}
		for _, e := range list {
			checkFromV1(t, e, rawURL)
		}
	})
}

// parseTwice parses entries twice and fails unless both agree; it returns the list
// (nil when the entries are refused).
func parseTwice(t *testing.T, entries []string, version int) *List {
	a, errA := Parse(entries, version)
	b, errB := Parse(entries, version)
	if (errA == nil) != (errB == nil) || errA != nil && errA.Error() != errB.Error() || !reflect.DeepEqual(a, b) {
		t.Fatalf("v%d %q parsed twice: %v, then %v", version, entries, errA, errB)
	}
	if errA != nil && errA.Error() == "" {
		t.Fatalf("v%d %q: an error without a message", version, entries)
	}
	return a
}

// checkUnion: a list allows u exactly when one of its entries, alone, does (with v1's
// insecure:allow-all allowing everything).
func checkUnion(t *testing.T, entries []string, version int, u *url.URL, allowed bool) {
	if version == 1 && slices.Contains(entries, AllowAll) {
		if !allowed {
			t.Fatalf("insecure:allow-all does not allow %q", u)
		}
		return
	}
	some := false
	for _, e := range entries {
		one, err := Parse([]string{e}, version)
		if err != nil {
			t.Fatalf("v%d: %q is refused alone (%v) but accepted in %q", version, e, err, entries)
		}
		some = some || one.Allows(u, fuzzOrigin)
	}
	if some != allowed {
		t.Fatalf("v%d %q: Allows(%q) = %v, but its entries one by one: %v", version, entries, u, allowed, some)
	}
}

// schemeNamed reports whether an entry grants scheme: for v2 by naming it or "*", for v1
// when it is http or https or an entry is insecure:allow-all.
func schemeNamed(entries []string, version int, scheme string) bool {
	scheme = strings.ToLower(scheme)
	if version == 1 {
		return scheme == "http" || scheme == "https" || slices.Contains(entries, AllowAll)
	}
	for _, e := range entries {
		s, _, _ := strings.Cut(e, "://")
		if s == "*" || strings.EqualFold(s, scheme) {
			return true
		}
	}
	return false
}

// checkFromV1: a v1 entry that converts gives v2 entries that parse, and the two
// lists reach the same host and port over http(s), for the named hosts of rawURL (IP
// literals are compared as addresses by v2 and as text by v1).
func checkFromV1(t *testing.T, entry, rawURL string) {
	conv, err := FromV1(entry)
	if err != nil {
		return
	}
	v2, err := Parse(conv, 2)
	if err != nil {
		t.Fatalf("v1 entry %q converts to %q, which v2 refuses: %v", entry, conv, err)
	}
	v1, err := Parse([]string{entry}, 1)
	if err != nil {
		t.Fatalf("v1 entry %q converts to %q but does not parse as v1: %v", entry, conv, err)
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || isIP(u.Hostname()) {
		return
	}
	port := effectivePort(u)
	if v1.Allows(u, fuzzOrigin) && !reaches(v2, u.Hostname(), port) {
		t.Fatalf("v1 %q allows %q, its conversion %q reaches no http(s) URL to that host and port", entry, rawURL, conv)
	}
	if v2.Allows(u, fuzzOrigin) && !reaches(v1, u.Hostname(), port) {
		t.Fatalf("%q, converted from v1 %q, allows %q: v1 reaches no http(s) URL to that host and port", conv, entry, rawURL)
	}
}

// reaches reports whether l allows an http or https URL to host and port, with the
// port explicit or (when it is the scheme's default) implied.
func reaches(l *List, host string, port int) bool {
	if port < 0 {
		return false
	}
	for _, scheme := range []string{"http", "https"} {
		u := &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, strconv.Itoa(port))}
		implied := &url.URL{Scheme: scheme, Host: host}
		if l.Allows(u, fuzzOrigin) || port == defaultPorts[scheme] && l.Allows(implied, fuzzOrigin) {
			return true
		}
	}
	return false
}

func isIP(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil || strings.Contains(host, ":")
}
