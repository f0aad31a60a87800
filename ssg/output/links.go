package output

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"wasmsite/ssg/page"
)

// BrokenLinks returns warnings, sorted, about the internal links of the
// rendered pages of site that match none of files: site-absolute
// ones (/blog/x/) and relative ones (photo.jpg, ../x/), resolved against the
// linking page's URL. Links with a scheme or a host, and fragment- or
// query-only links, are not checked.
func BrokenLinks(site *page.Site, files []File) []string {
	known := make(map[string]bool, len(files)*2)
	for _, o := range files {
		known["/"+o.Path] = true
		if o.Path == "index.html" {
			known["/"] = true
		} else if strings.HasSuffix(o.Path, "/index.html") {
			known["/"+strings.TrimSuffix(o.Path, "index.html")] = true
		}
	}
	var warns []string
	for _, p := range site.Rendered() {
		base := &url.URL{Path: p.URL}
		for _, l := range p.Links {
			if l == "" || l[0] == '#' || l[0] == '?' || strings.HasPrefix(l, "//") {
				continue
			}
			u, err := url.Parse(l)
			if err != nil {
				warns = append(warns, fmt.Sprintf("%s: warning: malformed link %q", p.File, l))
				continue
			}
			if u.Scheme != "" || u.Host != "" || u.Opaque != "" {
				continue
			}
			pth := u.Path
			if !strings.HasPrefix(l, "/") {
				pth = base.ResolveReference(u).Path
			}
			if known[pth] || (!strings.HasSuffix(pth, "/") && known[pth+"/"]) {
				continue
			}
			if pth != u.Path {
				warns = append(warns, fmt.Sprintf("%s: warning: broken internal link %s (%s)", p.File, l, pth))
			} else {
				warns = append(warns, fmt.Sprintf("%s: warning: broken internal link %s", p.File, l))
			}
		}
	}
	sort.Strings(warns)
	return warns
}
