package markdown

import (
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// extensions are GitHub Flavored Markdown (extension.GFM's parts, with
// its autolinks through quickLinkify), footnotes, definition lists and
// typographic quotes.
var extensions = []goldmark.Extender{
	extension.Table,
	extension.Strikethrough,
	extension.TaskList,
	extension.Footnote,
	extension.DefinitionList,
	extension.Typographer,
}

// newGoldmark returns a goldmark converter set up with extensions, heading
// IDs, quickLinkify, raw HTML and codeRenderer.
func newGoldmark() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extensions...),
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
