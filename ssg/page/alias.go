package page

import "strings"

// AliasURL returns the site path that alias, one of p.Aliases, redirects
// from: alias itself, with a final '/' added unless it names a directory or
// an .html or .htm file. An alias that is not a site path (starting with
// '/', without "..", '?' or '#') is an error at p's aliases.
func AliasURL(p *Page, alias string) (string, error) {
	u := alias
	if !strings.HasPrefix(u, "/") || strings.Contains(u, "..") || strings.ContainsAny(u, "?#") {
		return "", p.errorAt("aliases", "alias %q must be a site path starting with /", alias)
	}
	if !strings.HasSuffix(u, "/") && !strings.HasSuffix(u, ".html") && !strings.HasSuffix(u, ".htm") {
		u += "/"
	}
	return u, nil
}
