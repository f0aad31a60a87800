package markdown

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
)

// textCollector gathers the plain text of a document, for search: the text
// of its paragraphs, headings, lists, tables and code spans (not of code
// blocks or raw HTML), with runs of white space made one space, up to limit
// bytes (cut at a word).
type textCollector struct {
	b     strings.Builder
	limit int
	space bool // a space is due before the next word
}

// add appends s.
func (c *textCollector) add(s []byte) {
	for len(s) > 0 && c.b.Len() < c.limit {
		r, n := utf8.DecodeRune(s)
		s = s[n:]
		if unicode.IsSpace(r) {
			c.space = c.b.Len() > 0
			continue
		}
		if c.space {
			c.b.WriteByte(' ')
			c.space = false
		}
		c.b.WriteRune(r)
	}
}

// visit adds the text of n, when entering a text node.
func (c *textCollector) visit(n ast.Node, src []byte) {
	if c.limit <= 0 || c.b.Len() >= c.limit {
		return
	}
	switch x := n.(type) {
	case *ast.Text:
		c.add(x.Segment.Value(src))
		if x.SoftLineBreak() || x.HardLineBreak() {
			c.space = true
		}
	case *ast.String:
		c.add(x.Value)
	}
	if n.Type() == ast.TypeBlock {
		c.space = c.b.Len() > 0 // blocks are apart
	}
}

// text returns what was gathered, ending at a word when cut at the limit.
func (c *textCollector) text() string {
	s := c.b.String()
	if c.b.Len() >= c.limit {
		if i := strings.LastIndexByte(s, ' '); i > 0 {
			s = s[:i]
		}
	}
	return s
}
