package highlight

import (
	"bytes"
	"sort"
	"strings"

	"github.com/alecthomas/chroma/v2"
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
// under prefers-color-scheme: dark. Chroma writes a rule only for what a
// style sets apart from its background, so the dark block alone would leave
// light declarations in force (github's dark names and punctuation were
// #1f2328 on #0d1117): it also resets, for every class, each property the
// light style sets and the dark one does not (see darkResets). Token colours
// below MinContrast against the style's background are adjusted (see
// contrastFixes); code blocks show that background.
func CSS() string {
	light, dark := styles.Get(lightStyle), styles.Get(darkStyle)
	var b bytes.Buffer
	b.WriteString("/* Syntax highlighting (chroma " + lightStyle + " / " + darkStyle + ") */\n")
	_ = chromaFormatter.WriteCSS(&b, light)
	b.WriteString(contrastFixes(light))
	var d bytes.Buffer
	_ = chromaFormatter.WriteCSS(&d, dark)
	d.WriteString(darkResets(light, dark))
	d.WriteString(contrastFixes(dark))
	b.WriteString("@media (prefers-color-scheme: dark) {\n")
	for _, l := range strings.Split(strings.TrimSpace(d.String()), "\n") {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// darkResets returns CSS rules, one per token class that needs one, that
// set back to the inherited value (the code block's own, for the flat
// spans Block writes) each property the light style gives the class and the
// dark style does not; a background goes back to transparent.
func darkResets(light, dark *chroma.Style) string {
	lbg, dbg := light.Get(chroma.Background), dark.Get(chroma.Background)
	var b strings.Builder
	for _, tt := range sortedTypes() {
		cls := chroma.StandardTypes[tt]
		if cls == "" || structural[tt] {
			continue
		}
		l, d := light.Get(tt).Sub(lbg), dark.Get(tt).Sub(dbg)
		var decl []string
		if l.Colour.IsSet() && !d.Colour.IsSet() {
			decl = append(decl, "color: inherit")
		}
		if l.Background.IsSet() && !d.Background.IsSet() {
			decl = append(decl, "background-color: transparent")
		}
		if l.Bold == chroma.Yes && d.Bold != chroma.Yes {
			decl = append(decl, "font-weight: inherit")
		}
		if l.Italic == chroma.Yes && d.Italic != chroma.Yes {
			decl = append(decl, "font-style: inherit")
		}
		if l.Underline == chroma.Yes && d.Underline != chroma.Yes {
			decl = append(decl, "text-decoration: inherit")
		}
		if len(decl) > 0 {
			b.WriteString("/* " + tt.String() + ", reset */ .chroma ." + cls + " { " + strings.Join(decl, "; ") + " }\n")
		}
	}
	return b.String()
}

// structural are the types of the code block's own elements and of line
// numbers and highlighting (which Block does not write), not of tokens.
var structural = map[chroma.TokenType]bool{
	chroma.Background: true, chroma.PreWrapper: true, chroma.Line: true, chroma.CodeLine: true,
	chroma.LineNumbers: true, chroma.LineNumbersTable: true, chroma.LineHighlight: true,
	chroma.LineTable: true, chroma.LineTableTD: true, chroma.LineLink: true,
}

// sortedTypes returns chroma's standard token types in order.
func sortedTypes() []chroma.TokenType {
	tts := make([]chroma.TokenType, 0, len(chroma.StandardTypes))
	for tt := range chroma.StandardTypes {
		tts = append(tts, tt)
	}
	sort.Slice(tts, func(i, j int) bool { return tts[i] < tts[j] })
	return tts
}

// TokenClasses returns every CSS class Block may give a token, sorted: the
// classes of chroma's standard token types (the class of any other type is
// its nearest standard parent's).
func TokenClasses() []string {
	seen := map[string]bool{}
	var out []string
	for _, tt := range sortedTypes() {
		if cls := chroma.StandardTypes[tt]; cls != "" && !structural[tt] && !seen[cls] {
			seen[cls] = true
			out = append(out, cls)
		}
	}
	sort.Strings(out)
	return out
}
