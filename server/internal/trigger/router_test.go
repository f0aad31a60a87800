package trigger

import (
	"reflect"
	"testing"
)

func TestNewRoute(t *testing.T) {
	for _, tc := range []struct {
		base, raw       string
		pattern, prefix string
		wildcard        bool
		componentRoute  string
	}{
		{"/", "/", "", "", false, "/"},
		{"/", "/...", "/...", "", true, ""},
		{"/", "/foo", "/foo", "/foo", false, "/foo"},
		{"/", "/foo/", "/foo", "/foo", false, "/foo/"},
		{"/", "/foo/...", "/foo/...", "/foo", true, "/foo"},
		{"/base", "/foo/...", "/base/foo/...", "/base/foo", true, "/foo"},
		{"/base/", "/foo", "/base/foo", "/base/foo", false, "/foo"},
		{"/base/", "/foo/", "/base/foo", "/base/foo", false, "/foo/"},
		{"/base", "/...", "/base/...", "/base", true, ""},
		{"/base", "/", "/base", "/base", false, "/"},
		// Only one trailing slash is stripped.
		{"/", "/foo//", "/foo/", "/foo/", false, "/foo//"},
		// "..." without a slash is not a wildcard.
		{"/", "/foo...", "/foo...", "/foo...", false, "/foo..."},
	} {
		r := NewRoute(tc.base, tc.raw, "c")
		if r.Pattern != tc.pattern || r.Prefix != tc.prefix || r.Wildcard != tc.wildcard {
			t.Errorf("NewRoute(%q, %q) = pattern %q prefix %q wildcard %v; want %q %q %v",
				tc.base, tc.raw, r.Pattern, r.Prefix, r.Wildcard, tc.pattern, tc.prefix, tc.wildcard)
		}
		if got := r.ComponentRoute(); got != tc.componentRoute {
			t.Errorf("NewRoute(%q, %q).ComponentRoute() = %q, want %q", tc.base, tc.raw, got, tc.componentRoute)
		}
		if r.Base != tc.base || r.Raw != tc.raw || r.Component != "c" {
			t.Errorf("NewRoute(%q, %q) = %+v: base/raw/component not kept", tc.base, tc.raw, r)
		}
	}
}

// Cases from Spin's crates/http/src/routes.rs tests (test_exact_route, test_pattern_route).
func TestRouteMatches(t *testing.T) {
	for _, tc := range []struct {
		base, raw string
		yes, no   []string
	}{
		{"/", "/foo/bar", []string{"/foo/bar", "/foo/bar/"}, []string{"/foo", "/foo/bar/thisshouldbefalse", "/abc", "/foo/bar//", "/foo/barx"}},
		{"/base", "/foo", []string{"/base/foo", "/base/foo/"}, []string{"/base/foo/bar", "/thishouldbefalse", "/foo", "/base"}},
		{"/base/", "/foo", []string{"/base/foo", "/base/foo/"}, []string{"/base/foo/bar"}},
		{"/base/", "/foo/", []string{"/base/foo", "/base/foo/"}, []string{"/base/foo/bar"}},
		{"/", "/", []string{"/", ""}, []string{"/foo", "//"}},
		{"/", "/...", []string{"/foo/bar/", "/foo", "/foo/bar/baz", "/this/should/really/match/everything/", "/", ""}, nil},
		{"/", "/foo/...", []string{"/foo/bar/", "/foo", "/foo/", "/foo/bar/baz"}, []string{"/this/should/really/not/match/everything/", "/", "/foobar", "/fo"}},
		{"/base", "/...", []string{"/base/foo/bar/", "/base/foo", "/base/foo/bar/baz", "/base", "/base/"}, []string{"/", "/basement", "/other"}},
		{"/users/", "/...", []string{"/users", "/users/1"}, []string{"/usersX"}},
	} {
		r := NewRoute(tc.base, tc.raw, "c")
		for _, p := range tc.yes {
			if !r.Matches(p) {
				t.Errorf("route %q under %q should match %q", tc.raw, tc.base, p)
			}
		}
		for _, p := range tc.no {
			if r.Matches(p) {
				t.Errorf("route %q under %q should not match %q", tc.raw, tc.base, p)
			}
		}
	}
}

// Cases from Spin's test_relative plus the trailing-slash cases of RoutePattern::relative
// (the request path with the route's path or prefix stripped).
func TestPathInfo(t *testing.T) {
	for _, tc := range []struct{ base, raw, path, want string }{
		{"/", "/static/...", "/static/images/abc.png", "/images/abc.png"},
		{"/base", "/static/...", "/base/static/images/abc.png", "/images/abc.png"},
		{"/base", "/foo/...", "/base/foo/bar", "/bar"},
		{"/", "/foo/...", "/foo", ""},
		{"/", "/foo/...", "/foo/", "/"},
		{"/", "/...", "/", "/"},
		{"/", "/...", "/a/b", "/a/b"},
		{"/base", "/...", "/base", ""},
		{"/", "/foo", "/foo", ""},
		{"/base", "/foo", "/base/foo", ""},
		// An exact route hit with its one allowed trailing slash keeps the slash, as
		// Spin's relative() strips only the route's path.
		{"/", "/foo", "/foo/", "/"},
		{"/", "/", "/", "/"},
		// Escaped paths are not decoded.
		{"/", "/files/...", "/files/a%20b", "/a%20b"},
	} {
		r := NewRoute(tc.base, tc.raw, "c")
		if !r.Matches(tc.path) {
			t.Fatalf("route %q under %q does not match %q", tc.raw, tc.base, tc.path)
		}
		if got := r.PathInfo(tc.path); got != tc.want {
			t.Errorf("route %q under %q: PathInfo(%q) = %q, want %q", tc.raw, tc.base, tc.path, got, tc.want)
		}
	}
}

func routeIDs(rs []*Route) []string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.Component)
	}
	return ids
}

func TestRouterPrecedence(t *testing.T) {
	rt, warns := NewRouter([]*Route{
		NewRoute("/", "/...", "all"),
		NewRoute("/", "/one/...", "one_wildcard"),
		NewRoute("/", "/one/two/three/...", "onetwothree_wildcard"),
		NewRoute("/", "/one/two/...", "onetwo_wildcard"),
		NewRoute("/", "/one", "one_exact"),
		NewRoute("/", "/one/two/three/four", "four_exact"),
		NewRoute("/", "/", "root"),
	})
	if len(warns) != 0 {
		t.Fatalf("warnings: %q", warns)
	}
	for path, want := range map[string]string{
		"/":                        "root",
		"":                         "root",
		"/x":                       "all",
		"/one":                     "one_exact",
		"/one/":                    "one_exact",
		"/one/x":                   "one_wildcard",
		"/one/two":                 "onetwo_wildcard",
		"/one/two/":                "onetwo_wildcard",
		"/one/twox":                "one_wildcard",
		"/one/two/three":           "onetwothree_wildcard",
		"/one/two/three/four":      "four_exact",
		"/one/two/three/four/":     "four_exact",
		"/one/two/three/four/five": "onetwothree_wildcard",
		"/onex":                    "all",
	} {
		r := rt.Route(path)
		if r == nil || r.Component != want {
			t.Errorf("Route(%q) = %v, want %s", path, r, want)
		}
	}
	if got, want := routeIDs(rt.Routes()), []string{"all", "one_wildcard", "onetwothree_wildcard", "onetwo_wildcard", "one_exact", "four_exact", "root"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Routes() = %q, want manifest order %q", got, want)
	}
}

func TestRouterNoMatch(t *testing.T) {
	rt, _ := NewRouter([]*Route{
		NewRoute("/base", "/foo", "foo"),
		NewRoute("/base", "/static/...", "static"),
	})
	for _, p := range []string{"/", "/foo", "/static/x", "/base", "/base/foo/bar", "/base/staticx", "/based/static"} {
		if r := rt.Route(p); r != nil {
			t.Errorf("Route(%q) = %s, want no route (outside base or unmatched)", p, r.Component)
		}
	}
	for p, want := range map[string]string{"/base/foo": "foo", "/base/static": "static", "/base/static/a/b": "static"} {
		if r := rt.Route(p); r == nil || r.Component != want {
			t.Errorf("Route(%q) = %v, want %s", p, r, want)
		}
	}
	empty, _ := NewRouter(nil)
	if r := empty.Route("/"); r != nil {
		t.Errorf("empty router routed / to %s", r.Component)
	}
}

// Per Spin's Router::build: a later component with the same base-joined pattern
// replaces the earlier one in its position; each replacement is reported.
func TestRouterDuplicates(t *testing.T) {
	rt, warns := NewRouter([]*Route{
		NewRoute("/", "/", "root"),
		NewRoute("/", "/foo", "first"),
		NewRoute("/", "/whee/...", "whee"),
		NewRoute("/", "/foo/", "second"), // same pattern /foo after sanitising
		NewRoute("/", "/whee/...", "whee2"),
		NewRoute("/", "/foo", "third"),
		NewRoute("/", "/foo/...", "foowild"), // a wildcard on the same path is not a duplicate
	})
	wantWarns := []string{
		"first: /foo (duplicate of second)",
		"whee: /whee/... (duplicate of whee2)",
		"second: /foo (duplicate of third)",
	}
	if !reflect.DeepEqual(warns, wantWarns) {
		t.Errorf("warnings = %q, want %q", warns, wantWarns)
	}
	if got, want := routeIDs(rt.Routes()), []string{"root", "third", "whee2", "foowild"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Routes() = %q, want %q", got, want)
	}
	for p, want := range map[string]string{"/foo": "third", "/foo/x": "foowild", "/whee/1": "whee2", "/": "root"} {
		if r := rt.Route(p); r == nil || r.Component != want {
			t.Errorf("Route(%q) = %v, want %s", p, r, want)
		}
	}
}

// Routes under different bases with the same joined pattern are duplicates too.
func TestRouterDuplicatesAcrossBases(t *testing.T) {
	_, warns := NewRouter([]*Route{NewRoute("/a", "/b", "x"), NewRoute("/a/", "/b/", "y"), NewRoute("/", "/a/b", "z")})
	want := []string{"x: /a/b (duplicate of y)", "y: /a/b (duplicate of z)"}
	if !reflect.DeepEqual(warns, want) {
		t.Errorf("warnings = %q, want %q", warns, want)
	}
}
