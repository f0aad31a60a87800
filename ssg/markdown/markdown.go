// Package markdown renders the markdown body of a page to HTML with
// goldmark: GitHub Flavored Markdown, footnotes, definition lists,
// typographic quotes, raw HTML, heading IDs and anchors, and fenced code
// highlighted by package highlight.
package markdown

import (
	"bufio"
	"bytes"
	stdhtml "html"
	"html/template"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// TOCItem is one heading of a document.
type TOCItem struct {
	Level int
	ID    string
	Text  string
}

// Rendered is the result of converting one markdown body.
type Rendered struct {
	HTML  template.HTML
	TOC   []TOCItem
	Links []string // link and image destinations, in document order
	Words int
	// Text is the document's plain text, up to Options.TextLimit bytes
	// (see textCollector).
	Text string
}

// mdPool holds goldmark instances, each with the buffered writer it renders
// through (goldmark would allocate a 4 KiB bufio.Writer per document).
var mdPool = sync.Pool{New: func() any {
	return &markdownConverter{newGoldmark(), bufio.NewWriterSize(nil, 4096)}
}}

// markdownConverter is a goldmark converter and the writer it renders
// through, used by one Render at a time.
type markdownConverter struct {
	md goldmark.Markdown
	w  *bufio.Writer
}

// bufPool holds the buffers documents are rendered into.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Render converts a markdown body to HTML and collects its headings, links
// and word count. It is safe for concurrent use.
func Render(src []byte) (Rendered, error) { return RenderWith(src, Options{}) }

// RenderWith is Render with options: images get their size and copies
// from o.Images. A paragraph holding only an image with a title is a
// figure, the title its caption.
func RenderWith(src []byte, o Options) (Rendered, error) {
	mc := mdPool.Get().(*markdownConverter)
	defer mdPool.Put(mc)
	md := mc.md
	doc := md.Parser().Parse(text.NewReader(src))
	var r Rendered
	text := textCollector{limit: o.TextLimit}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		text.visit(n, src)
		switch x := n.(type) {
		case *ast.Heading:
			if id, ok := x.AttributeString("id"); ok {
				r.TOC = append(r.TOC, TOCItem{Level: x.Level, ID: string(id.([]byte)), Text: plainText(x, src)})
			}
		case *ast.Link:
			r.Links = append(r.Links, string(x.Destination))
		case *ast.Image:
			r.Links = append(r.Links, string(x.Destination))
			decorateImage(x, o)
		case *ast.Paragraph:
			markFigure(x)
		}
		return ast.WalkContinue, nil
	})
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	mc.w.Reset(buf)
	err := md.Renderer().Render(mc.w, src, doc) // flushes mc.w
	mc.w.Reset(nil)
	if err != nil {
		return r, err
	}
	r.HTML = template.HTML(buf.String())
	r.Words = countWords(src)
	r.Text = text.text()
	return r, nil
}

// plainText returns the text of n's inline content, without markup, HTML
// entities decoded: a heading as the table of contents shows it.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch x := c.(type) {
			case *ast.Text:
				b.Write(x.Segment.Value(src))
				if x.SoftLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(x.Value)
			case *ast.CodeSpan:
				walk(x)
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return stdhtml.UnescapeString(b.String())
}

// countWords counts the runs of bytes other than ASCII blanks in src.
func countWords(src []byte) int {
	n, in := 0, false
	for _, c := range src {
		space := c == ' ' || c == '\n' || c == '\t' || c == '\r'
		if !space && !in {
			n++
		}
		in = !space
	}
	return n
}
