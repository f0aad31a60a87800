package highlight

import (
	"strings"

	"github.com/alecthomas/chroma/v2"
)

// tokenClasses maps chroma's standard token types to their CSS class.
var tokenClasses = func() map[chroma.TokenType]string {
	m := make(map[chroma.TokenType]string, len(chroma.StandardTypes))
	for t := range chroma.StandardTypes {
		m[t] = classOf(t)
	}
	return m
}()

// classOf is the class chroma's HTML formatter gives a token type (no class
// prefix): the type's own standard class, else its nearest parent's.
func classOf(t chroma.TokenType) string {
	for t != 0 {
		if cls, ok := chroma.StandardTypes[t]; ok {
			return cls
		}
		t = t.Parent()
	}
	return chroma.StandardTypes[t]
}

// tokenClass is the class of a token type, as classOf, from a table for the
// standard types.
func tokenClass(t chroma.TokenType) string {
	if cls, ok := tokenClasses[t]; ok {
		return cls
	}
	return classOf(t)
}

// writeHighlighted writes tokens as HTML, byte for byte what chroma's HTML
// formatter writes with classes and no other option (chromaFormatter) but
// without its per-token fmt.Sprintf: <pre class="chroma"><code>, each line as
// <span class="line"><span class="cl">…</span></span> with the newline
// inside, each token with a class as <span class="…">…</span>, text escaped
// as html.EscapeString does. As in chroma.SplitTokensIntoLines, a last line
// holding only one empty token is left out. TestHighlightMatchesChroma
// compares the two.
func writeHighlighted(w Writer, tokens []chroma.Token) {
	pre, line, code := tokenClass(chroma.PreWrapper), tokenClass(chroma.Line), tokenClass(chroma.CodeLine)
	w.WriteString(`<pre class="` + pre + `"><code>`)
	var cur []chroma.Token // the line being collected; values are substrings
	flush := func() {
		w.WriteString(`<span class="` + line + `"><span class="` + code + `">`)
		for _, t := range cur {
			cls := tokenClass(t.Type)
			if cls != "" {
				w.WriteString(`<span class="`)
				w.WriteString(cls)
				w.WriteString(`">`)
			}
			writeEscaped(w, t.Value)
			if cls != "" {
				w.WriteString(`</span>`)
			}
		}
		w.WriteString(`</span></span>`)
		cur = cur[:0]
	}
	for _, t := range tokens {
		v := t.Value
		for {
			i := strings.IndexByte(v, '\n')
			if i < 0 {
				break
			}
			cur = append(cur, chroma.Token{Type: t.Type, Value: v[:i+1]})
			flush()
			v = v[i+1:]
			if v == "" {
				break
			}
		}
		if v != "" || !strings.Contains(t.Value, "\n") {
			cur = append(cur, chroma.Token{Type: t.Type, Value: v})
		}
	}
	if len(cur) > 0 && !(len(cur) == 1 && cur[0].Value == "") {
		flush()
	}
	w.WriteString(`</code></pre>`)
}

// writeEscaped writes s escaped as html.EscapeString does (<, >, &, ' and ").
func writeEscaped(w Writer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '\'':
			esc = "&#39;"
		case '"':
			esc = "&#34;"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(esc)
		last = i + 1
	}
	w.WriteString(s[last:])
}
