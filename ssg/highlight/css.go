package highlight

import (
	"bytes"
	"strings"

	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/styles"
)

// The light and dark chroma styles of the stylesheet.
const (
	lightStyle = "github"
	darkStyle  = "github-dark"
)

// chromaFormatter is chroma's HTML formatter as Block's output mimics it:
// CSS classes, no other option.
var chromaFormatter = chromahtml.New(chromahtml.WithClasses(true))

// CSS returns the stylesheet for Block's classes: light by default, dark
// under prefers-color-scheme: dark.
func CSS() string {
	var b bytes.Buffer
	b.WriteString("/* Syntax highlighting (chroma " + lightStyle + " / " + darkStyle + ") */\n")
	_ = chromaFormatter.WriteCSS(&b, styles.Get(lightStyle))
	var d bytes.Buffer
	_ = chromaFormatter.WriteCSS(&d, styles.Get(darkStyle))
	b.WriteString("@media (prefers-color-scheme: dark) {\n")
	for _, l := range strings.Split(strings.TrimSpace(d.String()), "\n") {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}
