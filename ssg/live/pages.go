package live

import (
	"path"
	"strings"
)

// Reload is what browsers showing the site reload after a build.
type Reload struct {
	Pages []string `json:"pages"` // site paths of changed pages: /, /blog/x/, /404.html
	All   bool     `json:"all"`   // every page: a stylesheet, script or image changed
}

// reloadOf returns what to reload after a build changed the output files
// at changed (slash paths relative to the output directory). An HTML file
// reloads its page; a file pages load (style, script, image, font) reloads
// every page; feeds, sitemaps and .gz siblings reload nothing, and the
// search index reloads the search page.
func reloadOf(changed []string) Reload {
	r := Reload{Pages: []string{}}
	for _, p := range changed {
		switch ext := path.Ext(p); {
		case ext == ".html":
			r.Pages = append(r.Pages, pageURL(p))
		case strings.HasPrefix(p, "search/") && ext == ".json":
			r.Pages = append(r.Pages, "/search/")
		case loadedByPages[ext]:
			r.All = true
		}
	}
	return r
}

// loadedByPages are the extensions of files a page may load.
var loadedByPages = map[string]bool{
	".css": true, ".js": true, ".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true,
	".avif": true, ".svg": true, ".ico": true, ".woff": true, ".woff2": true,
}

// pageURL returns the site path of the HTML output at p: its directory's
// for an index.html.
func pageURL(p string) string {
	if p == "index.html" {
		return "/"
	}
	if d, ok := strings.CutSuffix(p, "/index.html"); ok {
		return "/" + d + "/"
	}
	return "/" + p
}
