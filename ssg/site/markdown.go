package site

import (
	"bufio"
	"bytes"
	stdhtml "html"
	"html/template"
	"io"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"wasmsite/ssg/highlight"
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
}

// codeRenderer highlights fenced code with chroma (CSS classes) and adds
// anchor links to headings.
type codeRenderer struct{}

func (codeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, renderFenced)
	reg.Register(ast.KindHeading, renderHeading)
}

func renderHeading(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Heading)
	if entering {
		_, _ = w.WriteString("<h")
		_ = w.WriteByte("0123456"[n.Level])
		if n.Attributes() != nil {
			html.RenderAttributes(w, node, html.HeadingAttributeFilter)
		}
		_ = w.WriteByte('>')
		return ast.WalkContinue, nil
	}
	if id, ok := n.AttributeString("id"); ok {
		_, _ = w.WriteString(` <a class="anchor" href="#`)
		_, _ = w.Write(util.EscapeHTML(id.([]byte)))
		_, _ = w.WriteString(`" aria-label="Link to this section">#</a>`)
	}
	_, _ = w.WriteString("</h")
	_ = w.WriteByte("0123456"[n.Level])
	_, _ = w.WriteString(">\n")
	return ast.WalkContinue, nil
}

func renderFenced(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.FencedCodeBlock)
	lang := string(n.Language(src))
	var code strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		code.Write(seg.Value(src))
	}
	if highlight.Block(w, lang, code.String()) {
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString(`<pre class="chroma"><code`)
	if lang != "" {
		_, _ = w.WriteString(` class="language-`)
		_, _ = w.Write(util.EscapeHTML([]byte(lang)))
		_, _ = w.WriteString(`"`)
	}
	_, _ = w.WriteString(">")
	_, _ = w.Write(util.EscapeHTML([]byte(code.String())))
	_, _ = w.WriteString("</code></pre>\n")
	return ast.WalkSkipChildren, nil
}

// markdownExtensions are GitHub Flavored Markdown (extension.GFM's parts, with
// its autolinks through quickLinkify), footnotes, definition lists and
// typographic quotes.
var markdownExtensions = []goldmark.Extender{
	extension.Table,
	extension.Strikethrough,
	extension.TaskList,
	extension.Footnote,
	extension.DefinitionList,
	extension.Typographer,
}

// quickLinkify is goldmark's GFM autolink parser (extension.Linkify) behind a
// check that skips it where it cannot match. goldmark calls it at every space
// of every paragraph, and it costs as much as the rest of the parse; it only
// ever links text that starts, after one of its trigger characters, with
// "http:", "https:", "ftp:" or "www.", or an e-mail address, whose local
// part (at most 64 characters) is followed by '@'. Everything else is
// declined here without calling it: the same document, about 40% less
// parsing time.
type quickLinkify struct{ parser.InlineParser }

func (q quickLinkify) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	if len(line) > 0 {
		switch line[0] {
		case ' ', '*', '_', '~', '(': // the triggers linkify steps over
			line = line[1:]
		}
	}
	if len(line) == 0 {
		return nil
	}
	if !linkPrefix(line) && bytes.IndexByte(line[:min(len(line), 65)], '@') < 0 {
		return nil
	}
	return q.InlineParser.Parse(parent, block, pc)
}

// linkPrefix reports whether b starts as linkify's URLs do (its default
// protocols, or "www.").
func linkPrefix(b []byte) bool {
	switch b[0] {
	case 'h':
		return bytes.HasPrefix(b, []byte("http:")) || bytes.HasPrefix(b, []byte("https:"))
	case 'f':
		return bytes.HasPrefix(b, []byte("ftp:"))
	case 'w':
		return bytes.HasPrefix(b, []byte("www."))
	}
	return false
}

func newGoldmark() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(markdownExtensions...),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithInlineParsers(util.Prioritized(quickLinkify{extension.NewLinkifyParser()}, 999)),
		),
		goldmark.WithRendererOptions(
			html.WithUnsafe(),
			renderer.WithNodeRenderers(util.Prioritized(codeRenderer{}, 100)),
		),
	)
}

// mdPool holds goldmark instances, each with the buffered writer it renders
// through (goldmark would allocate a 4 KiB bufio.Writer per document).
var mdPool = sync.Pool{New: func() any {
	return &markdownConverter{newGoldmark(), bufio.NewWriterSize(nil, 4096)}
}}

type markdownConverter struct {
	md goldmark.Markdown
	w  *bufio.Writer
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// RenderMarkdown converts a markdown body to HTML and collects its
// headings, links and word count. It is safe for concurrent use.
func RenderMarkdown(src []byte) (Rendered, error) {
	mc := mdPool.Get().(*markdownConverter)
	defer mdPool.Put(mc)
	md := mc.md
	doc := md.Parser().Parse(text.NewReader(src))
	var r Rendered
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch x := n.(type) {
		case *ast.Heading:
			if id, ok := x.AttributeString("id"); ok {
				r.TOC = append(r.TOC, TOCItem{Level: x.Level, ID: string(id.([]byte)), Text: plainText(x, src)})
			}
		case *ast.Link:
			r.Links = append(r.Links, string(x.Destination))
		case *ast.Image:
			r.Links = append(r.Links, string(x.Destination))
			x.SetAttributeString("loading", []byte("lazy"))
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
	return r, nil
}

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

var _ io.Writer = (*bytes.Buffer)(nil)
