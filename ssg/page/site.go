package page

import "wasmsite/ssg/config"

// Site is .Site in templates.
type Site struct {
	// The settings of site.toml, as .Site.Title and so on. They are copies of
	// Config's fields rather than an embedded Config: text/template looks a
	// field up by name at every use, and a name promoted from an embedded
	// struct costs reflect a search that allocates (2% of a build).
	Title, Author, BaseURL, Description, Language string
	Paginate, FeedLimit                           int
	Extra                                         map[string]any

	Config config.Config
	Posts  []*Page // newest first
	Pages  []*Page // standalone pages, by slug
	Tags   []*Tag  // by slug
}

// NewSite returns the site of cfg with its posts, pages and tags.
func NewSite(cfg config.Config, posts, pages []*Page, tags []*Tag) *Site {
	return &Site{
		Title: cfg.Title, Author: cfg.Author, BaseURL: cfg.BaseURL, Description: cfg.Description,
		Language: cfg.Language, Paginate: cfg.Paginate, FeedLimit: cfg.FeedLimit, Extra: cfg.Extra,
		Config: cfg, Posts: posts, Pages: pages, Tags: tags,
	}
}

// Rendered returns the posts, then the standalone pages.
func (s *Site) Rendered() []*Page {
	return append(append(make([]*Page, 0, len(s.Posts)+len(s.Pages)), s.Posts...), s.Pages...)
}
