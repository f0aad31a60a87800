package page

// Data is the value templates execute with.
type Data struct {
	Site        *Site
	Kind        string // home, blog, tag, tags, post, page, 404, alias
	Title       string
	Heading     string
	Description string
	URL         string
	Permalink   string
	Page        *Page
	Pages       []*Page
	Tags        []*Tag
	Tag         *Tag
	Paginator   *Paginator
}
