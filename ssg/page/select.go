package page

import (
	"errors"
	"time"

	"wasmsite/ssg/source"
)

// reserved are the slugs of generated pages, which standalone pages cannot
// take.
var reserved = map[string]bool{"blog": true, "tags": true, "page": true, "assets": true, "search": true}

// Filter says which pages Select keeps besides the published ones.
type Filter struct {
	Drafts bool      // drafts too
	Future bool      // pages dated after Now too (Hugo's buildFuture)
	Now    time.Time // the build's time
}

// Selection is what Select keeps.
type Selection struct {
	Posts, Pages []*Page
	// NextDue is the earliest date after Filter.Now of a page left out for
	// being dated in the future (zero if none): the site changes then.
	NextDue time.Time
}

// Select returns the pages of all to render, posts and standalone pages
// apart, each in the order of all: drafts only with f.Drafts, pages dated
// after f.Now only with f.Future. A post needs a date and a slug no earlier
// post has; a standalone page needs a slug that is neither reserved nor
// taken by an earlier page. Errors are the *source.Error of every page
// rejected, joined.
func Select(all []*Page, f Filter) (Selection, error) {
	var sel Selection
	bySlug := make(map[string]*Page, len(all))
	byURL := map[string]*Page{}
	var errs []error
	for _, p := range all {
		if p.Draft && !f.Drafts {
			continue
		}
		if p.Date.After(f.Now) && !f.Future {
			if sel.NextDue.IsZero() || p.Date.Before(sel.NextDue) {
				sel.NextDue = p.Date
			}
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
			sel.Posts = append(sel.Posts, p)
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
			sel.Pages = append(sel.Pages, p)
		}
	}
	if len(errs) > 0 {
		return Selection{}, errors.Join(errs...)
	}
	return sel, nil
}
