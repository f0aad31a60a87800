// Package highlight turns code into HTML highlighted with chroma's lexers,
// token types and styles, the way chroma's HTML formatter does with CSS
// classes, but faster: Block is the entry point, CSS the stylesheet its
// classes need.
//
// Two parts of chroma are replaced. First, the loop that runs a chroma
// RegexLexer's rules: chroma tries every rule of the current state in order
// at each position, and each try costs a regexp2 match set-up (about 0.5 µs)
// even when the rule cannot match there. A code block of four lines of Go
// took about 170 µs that way, a third of a 10,000-post build. Second, the HTML
// formatter's output loop, which formatted every token with fmt.Sprintf.
//
// ruleLexer runs the same rules, compiled from the same patterns with the
// same flags and match timeout, in the same order, but skips a rule where its
// ruleFilter (regexp2's own analysis of the pattern, the one it uses to skip
// ahead in unanchored searches) rules out a match. First match wins as before,
// so the token stream is chroma's; TestHighlightMatchesChroma checks that over
// chroma's test inputs for every lexer, and TestRuleFiltersAdmitEveryMatch
// checks the filters themselves. Nested lexing (chroma.Using,
// chroma.UsingSelf) and lexers that are not RegexLexers still run in chroma.
// writeHighlighted writes the bytes chroma's formatter writes.
package highlight

import (
	"io"

	"github.com/alecthomas/chroma/v2"
)

// Writer is what Block writes to: goldmark's util.BufWriter, a bufio.Writer
// or a bytes.Buffer.
type Writer interface {
	io.Writer
	io.StringWriter
	io.ByteWriter
}

// Block writes code, in the language named lang (a chroma lexer name or
// alias, such as "go"), to w as <pre class="chroma"><code>…</code></pre> with
// a span per line and a CSS class per token, and reports true. It writes
// nothing and reports false when lang is empty or names no lexer, or the
// lexer fails: the caller then shows the code as plain text.
func Block(w Writer, lang, code string) bool {
	if lang == "" {
		return false
	}
	lexer := lexerFor(lang)
	if lexer == nil {
		return false
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, code)
	if err != nil {
		return false
	}
	writeHighlighted(w, it.Tokens())
	return true
}
