// Package trigger implements Spin's HTTP and Redis triggers: routing requests to
// components, the Spin (handle-http-request) and WAGI executors, and Redis
// subscriptions delivered to handle-redis-message.
package trigger

import (
	"fmt"
	"sort"
	"strings"
)

// Route is one HTTP route, with the pattern semantics of Spin 1.x
// (crates/http/src/routes.rs): the base and route each lose one trailing "/" and are
// joined; a pattern ending in "/..." is a wildcard matching its prefix and everything
// below it, anything else matches exactly (with or without one trailing "/").
type Route struct {
	Component string
	Base      string // trigger base as written, e.g. "/"
	Raw       string // route as written, e.g. "/static/..."
	Pattern   string // base-joined, e.g. "/static/..."
	Wildcard  bool
	Prefix    string // wildcard prefix (Pattern without "/..."), or the exact path
}

func sanitize(s string) string { return strings.TrimSuffix(s, "/") }

// NewRoute builds the route of component for raw under base.
func NewRoute(base, raw, component string) *Route {
	r := &Route{Component: component, Base: base, Raw: raw, Pattern: sanitize(base) + sanitize(raw)}
	if p, ok := strings.CutSuffix(r.Pattern, "/..."); ok {
		r.Wildcard, r.Prefix = true, p
	} else if r.Pattern == "..." || r.Pattern == "/..." {
		r.Wildcard, r.Prefix = true, ""
	} else {
		r.Prefix = r.Pattern
	}
	return r
}

// Matches reports whether the request path (no query) hits the route.
func (r *Route) Matches(path string) bool {
	p := sanitize(path)
	if !r.Wildcard {
		return p == r.Prefix
	}
	return p == r.Prefix || strings.HasPrefix(p, r.Prefix+"/")
}

// PathInfo is the part of path below the route (Spin's spin-path-info / PATH_INFO): the
// request path with the route's exact path or wildcard prefix removed, as Spin's
// RoutePattern::relative does. An exact hit gives "", or "/" when the request had the
// one trailing slash routing tolerates (and for the root route "/", whose path is "").
func (r *Route) PathInfo(path string) string {
	rest, ok := strings.CutPrefix(path, r.Prefix)
	if !ok {
		return ""
	}
	return rest
}

// ComponentRoute is the route without its "/..." suffix (spin-component-route).
func (r *Route) ComponentRoute() string {
	s, _ := strings.CutSuffix(r.Raw, "/...")
	if r.Raw == "/..." {
		return ""
	}
	return s
}

// Router picks the route for a path: an exact match wins; otherwise the wildcard with
// the longest prefix.
type Router struct {
	routes []*Route // in manifest order, duplicates removed
	exact  map[string]*Route
	wild   []*Route // longest prefix first
}

// NewRouter builds a router. A later route with the same pattern as an earlier one
// replaces it (keeping its position), as in Spin; the returned warnings name them.
func NewRouter(routes []*Route) (*Router, []string) {
	rt := &Router{exact: map[string]*Route{}}
	index := map[string]int{}
	var warnings []string
	for _, r := range routes {
		if i, dup := index[r.Pattern]; dup {
			warnings = append(warnings, fmt.Sprintf("%s: %s (duplicate of %s)", rt.routes[i].Component, rt.routes[i].Pattern, r.Component))
			rt.routes[i] = r
			continue
		}
		index[r.Pattern] = len(rt.routes)
		rt.routes = append(rt.routes, r)
	}
	for _, r := range rt.routes {
		if r.Wildcard {
			rt.wild = append(rt.wild, r)
		} else {
			rt.exact[r.Prefix] = r
		}
	}
	sort.SliceStable(rt.wild, func(i, j int) bool { return len(rt.wild[i].Prefix) > len(rt.wild[j].Prefix) })
	return rt, warnings
}

// Routes returns the effective routes in manifest order.
func (rt *Router) Routes() []*Route { return rt.routes }

// Route returns the route for a request path, or nil.
func (rt *Router) Route(path string) *Route {
	if r, ok := rt.exact[sanitize(path)]; ok {
		return r
	}
	for _, r := range rt.wild {
		if r.Matches(path) {
			return r
		}
	}
	return nil
}
