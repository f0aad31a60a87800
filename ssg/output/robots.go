package output

import (
	"bytes"
	"fmt"
)

// writeRobots writes a robots.txt that allows everything and names the
// sitemap of the site at baseURL.
func writeRobots(w *bytes.Buffer, baseURL string) error {
	fmt.Fprintf(w, "User-agent: *\nAllow: /\n\nSitemap: %s/sitemap.xml\n", baseURL)
	return nil
}

// robots plans robots.txt.
func (pl *planner) robots() {
	baseURL := pl.Site.Config.BaseURL
	k := pl.Keys.New().Number(pl.SiteKey).Text("robots").Key()
	pl.add(file("robots.txt", "robots.txt", k, func(w *bytes.Buffer) error { return writeRobots(w, baseURL) }))
}
