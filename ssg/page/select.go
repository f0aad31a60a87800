package page

import (
	"errors"

	"wasmsite/ssg/source"
)

// reserved are the slugs of generated pages, which standalone pages cannot
// take.
var reserved = map[string]bool{"blog": true, "tags": true, "page": true, "assets": true}

// Select returns the pages of all to render (drafts only when drafts is
// set), posts and standalone pages apart, each in the order of all. A post
// needs a date and a slug no earlier post has; a standalone page needs a slug
// that is neither reserved nor taken by an earlier page. Errors are the
// *source.Error of every page rejected, joined.
func Select(all []*Page, drafts bool) (posts, pages []*Page, err error) {
	bySlug := map[string]*Page{}
	byURL := map[string]*Page{}
	var errs []error
	for _, p := range all {
		if p.Draft && !drafts {
			continue
		}
		if p.Kind == "post" {
			if q := bySlug[p.Slug]; q != nil {
				errs = append(errs, p.errorAt("slug", "duplicate slug %q (already used by %s)", p.Slug, q.File))
				continue
			}
			bySlug[p.Slug] = p
			if p.Date.IsZero() {
				errs = append(errs, source.ErrorAt(p.File, p.fm.FirstLine(), 1, "missing date: set created_date (or date)"))
				continue
			}
			posts = append(posts, p)
		} else {
			if reserved[p.Slug] {
				errs = append(errs, p.errorAt("slug", "slug %q is reserved for generated pages", p.Slug))
				continue
			}
			if q := byURL[p.URL]; q != nil {
				errs = append(errs, p.errorAt("slug", "duplicate slug %q (already used by %s)", p.Slug, q.File))
				continue
			}
			byURL[p.URL] = p
			pages = append(pages, p)
		}
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	return posts, pages, nil
}
