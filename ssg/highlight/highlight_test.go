package highlight

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

// moduleDir returns where the module cache holds module.
func moduleDir(t testing.TB, module string) string {
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil {
		t.Fatalf("locating module %s: %v", module, err)
	}
	return strings.TrimSpace(string(out))
}

// lexAll runs l over text and returns its tokens, or the panic value.
func lexAll(l chroma.Lexer, text string) (toks []chroma.Token, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	it, err := chroma.Coalesce(l).Tokenise(nil, text)
	if err != nil {
		return nil, err
	}
	for t := it(); t != chroma.EOF; t = it() {
		toks = append(toks, t)
	}
	return toks, nil
}

// sameTokens fails t unless ruleLexer and chroma's own lexer agree on text.
func sameTokens(t *testing.T, name string, rl *chroma.RegexLexer, text string) {
	t.Helper()
	f, err := newRuleLexer(rl)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	want, werr := lexAll(rl, text)
	got, gerr := lexAll(f, text)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%s: chroma error %v, ruleLexer error %v", name, werr, gerr)
	}
	if len(want) != len(got) {
		t.Errorf("%s: chroma gives %d tokens, ruleLexer %d", name, len(want), len(got))
	}
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			t.Errorf("%s: token %d: chroma %v, ruleLexer %v", name, i, want[i], got[i])
			return
		}
	}
	sameHTML(t, name, want)
}

// sameHTML fails t unless writeHighlighted writes tokens as chroma's HTML
// formatter does.
func sameHTML(t *testing.T, name string, tokens []chroma.Token) {
	t.Helper()
	var want, got bytes.Buffer
	if err := chromaFormatter.Format(&want, styles.Get(lightStyle), chroma.Literator(tokens...)); err != nil {
		t.Fatal(err)
	}
	writeHighlighted(&got, tokens)
	if want.String() != got.String() {
		w, g := want.String(), got.String()
		i := 0
		for i < min(len(w), len(g)) && w[i] == g[i] {
			i++
		}
		t.Errorf("%s: HTML differs from chroma's at byte %d:\nchroma: %q\nours:   %q", name, i, w[max(0, i-40):min(len(w), i+40)], g[max(0, i-40):min(len(g), i+40)])
	}
}

// TestHighlightHTMLEdges compares writeHighlighted with chroma's formatter on
// token streams the lexers rarely produce: empty, empty tokens, newlines
// only, a missing final newline, escapable characters, unknown types.
func TestHighlightHTMLEdges(t *testing.T) {
	tok := func(tt chroma.TokenType, v string) chroma.Token { return chroma.Token{Type: tt, Value: v} }
	for i, toks := range [][]chroma.Token{
		nil,
		{tok(chroma.Text, "")},
		{tok(chroma.Text, "\n")},
		{tok(chroma.Text, "\n\n\n")},
		{tok(chroma.Keyword, "func"), tok(chroma.Text, " "), tok(chroma.NameFunction, "f")},
		{tok(chroma.Keyword, "a\nb"), tok(chroma.Text, "")},
		{tok(chroma.Keyword, "a\n"), tok(chroma.Text, "")},
		{tok(chroma.Keyword, "a\n"), tok(chroma.Text, ""), tok(chroma.Text, "")},
		{tok(chroma.LiteralString, `"<a href='x'>&amp;</a>"`+"\n")},
		{tok(chroma.Error, "\x00☃"), tok(chroma.TokenType(987654), "x"), tok(chroma.KeywordType+7, "y\n")},
		{tok(chroma.Comment, "// one\n// two\nthree")},
	} {
		sameHTML(t, fmt.Sprint("case ", i), toks)
	}
}

// mixedInput mixes a few languages, control and non-ASCII characters.
var mixedInput = "package main\n\n// comment ü\nfunc f(x int) string { return `a` + \"b\\n\" }\n" +
	"#!/bin/sh\necho \"$HOME\" | grep -E '^x+' && exit 1\n" +
	"<div class=\"a\">&amp; <b>x</b></div>\n{\"k\": [1, 2.5e3, true, null]}\n" +
	"SELECT * FROM t WHERE a = 'x';\n\tdef g(self, *a): pass\r\n@@ -1 +1 @@\n-x\n+y\n\x00 ☃ 𝄞"

// chromaLoopsOnMixed names the lexers for which chroma 2.27's own loop never
// ends on the mixed input below (an empty match pushing a state forever).
var chromaLoopsOnMixed = map[string]bool{"JSONata": true, "Jungle": true}

// TestHighlightMatchesChroma checks that the filtered rule loop yields exactly
// chroma's tokens: on chroma's own lexer test inputs (each with its lexer), on
// every registered regex lexer with a mixed input, and on Go's standard library
// sources with the Go lexer.
func TestHighlightMatchesChroma(t *testing.T) {
	dir := filepath.Join(moduleDir(t, "github.com/alecthomas/chroma/v2"), "lexers", "testdata")
	inputs, err := filepath.Glob(filepath.Join(dir, "*.actual"))
	if err != nil || len(inputs) < 100 {
		t.Fatalf("chroma's lexer test inputs: %d files, %v", len(inputs), err)
	}
	sub, _ := filepath.Glob(filepath.Join(dir, "*", "*.actual"))
	inputs = append(inputs, sub...)
	checked := 0
	for _, in := range inputs {
		name := filepath.Base(in)
		if d := filepath.Base(filepath.Dir(in)); d != "testdata" {
			if d == "analysis" {
				continue
			}
			name = d
		}
		rl, ok := lexers.Get(strings.Split(name, ".")[0]).(*chroma.RegexLexer)
		if !ok {
			continue
		}
		text, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		sameTokens(t, filepath.Base(in), rl, string(text))
		checked++
	}
	if checked < 150 {
		t.Errorf("only %d inputs checked", checked)
	}

	var names []string
	for _, l := range lexers.GlobalLexerRegistry.Lexers {
		rl, ok := l.(*chroma.RegexLexer)
		if !ok {
			continue
		}
		names = append(names, rl.Config().Name)
		if chromaLoopsOnMixed[rl.Config().Name] {
			// chroma never returns here; the filtered loop must, with the
			// tokens before the loop and the rest as one Error token.
			toks, err := lexAll(lexerFor(rl.Config().Aliases[0]), mixedInput)
			var text strings.Builder
			for _, tok := range toks {
				text.WriteString(tok.Value)
			}
			if err != nil || strings.TrimSuffix(text.String(), "\n") != strings.ReplaceAll(mixedInput, "\r\n", "\n") || toks[len(toks)-1].Type != chroma.Error {
				t.Errorf("%s: stalled input: %v, %d tokens, text %q", rl.Config().Name, err, len(toks), text.String())
			}
			continue
		}
		sameTokens(t, "mixed input/"+rl.Config().Name, rl, mixedInput)
	}
	if len(names) < 200 {
		t.Errorf("only %d regex lexers registered", len(names))
	}

	goFiles, _ := filepath.Glob(filepath.Join(runtime.GOROOT(), "src", "strings", "*.go"))
	more, _ := filepath.Glob(filepath.Join(runtime.GOROOT(), "src", "net", "http", "s*.go"))
	goFiles = append(goFiles, more...)
	sort.Strings(goFiles)
	if len(goFiles) < 20 {
		t.Fatalf("Go sources: %d files", len(goFiles))
	}
	goLexer := lexers.Get("go").(*chroma.RegexLexer)
	for _, f := range goFiles {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sameTokens(t, f, goLexer, string(text))
	}
}

// TestRuleFiltersAdmitEveryMatch checks the rule filters themselves, not only
// the tokens: for every rule of every regex lexer with test inputs in chroma
// (and the mixed input for all of them), at every position of the input
// (its first 2,000 characters), a rule that matches there must be admitted
// by its filter.
func TestRuleFiltersAdmitEveryMatch(t *testing.T) {
	dir := filepath.Join(moduleDir(t, "github.com/alecthomas/chroma/v2"), "lexers", "testdata")
	inputs, _ := filepath.Glob(filepath.Join(dir, "*.actual"))
	texts := map[*chroma.RegexLexer][]string{}
	for _, in := range inputs {
		if rl, ok := lexers.Get(strings.Split(filepath.Base(in), ".")[0]).(*chroma.RegexLexer); ok {
			b, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			texts[rl] = append(texts[rl], string(b))
		}
	}
	for _, l := range lexers.GlobalLexerRegistry.Lexers {
		if rl, ok := l.(*chroma.RegexLexer); ok {
			texts[rl] = append(texts[rl], mixedInput)
		}
	}
	tried, declined := 0, 0
	for rl, ts := range texts {
		f, err := newRuleLexer(rl)
		if err != nil {
			t.Fatalf("%s: %v", rl.Config().Name, err)
		}
		for _, text := range ts {
			runes := []rune(text)
			runes = runes[:min(len(runes), 2000)]
			for state, rules := range f.rules {
				for i, r := range rules {
					for pos, ch := range runes {
						tried++
						if r.may(runes, pos, ch, unicode.ToLower(ch)) {
							continue
						}
						declined++
						if m, _ := r.Regexp.FindRunesMatchStartingAt(runes, pos); m != nil && m.RuneIndex == pos {
							t.Fatalf("%s: state %s rule %d %q matches at %d but its filter declines it", rl.Config().Name, state, i, r.Pattern, pos)
						}
					}
				}
			}
		}
	}
	if declined < tried/2 {
		t.Errorf("filters declined %d of %d positions", declined, tried)
	}
	t.Logf("filters declined %d of %d rule positions", declined, tried)
}

// TestLexerFor checks which lexer fenced blocks get: the filtered loop for
// regex lexers, chroma's own for others, nil for unknown languages.
func TestLexerFor(t *testing.T) {
	if _, ok := lexerFor("go").(*ruleLexer); !ok {
		t.Errorf("go: got %T, want *ruleLexer", lexerFor("go"))
	}
	if lexerFor("go") != lexerFor("golang") {
		t.Error("aliases of one lexer should share one prepared ruleLexer")
	}
	if l := lexerFor("no-such-language-xyz"); l != nil {
		t.Errorf("unknown language: got %T, want nil", l)
	}
	// A delegating lexer (template languages) is not a RegexLexer: chroma runs it.
	if l := lexers.Get("go-html-template"); l != nil {
		if _, ok := l.(*chroma.RegexLexer); !ok {
			if _, ok := lexerFor("go-html-template").(*ruleLexer); ok {
				t.Error("go-html-template: a non-regex lexer got the filtered loop")
			}
		}
	}
}

// BenchmarkHighlight highlights one Go code block of the benchmark corpus,
// and a large Go file, to HTML: with chroma's own rule loop and HTML
// formatter, and with the filtered loop and writeHighlighted, side by side.
func BenchmarkHighlight(b *testing.B) {
	code := fmt.Sprintf("func handler%d(w http.ResponseWriter, r *http.Request) {\n\tn := %d\n\tfmt.Fprintf(w, \"%s %%d\", n)\n}\n", 42, 42, "cache")
	big, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "strings", "strings.go"))
	if err != nil {
		b.Fatal(err)
	}
	style := styles.Get(lightStyle)
	for _, in := range []struct{ name, text string }{{"block", code}, {"strings.go", string(big)}} {
		for _, l := range []struct {
			name   string
			lexer  chroma.Lexer
			format func(*bytes.Buffer, []chroma.Token)
		}{
			{"chroma", lexers.Get("go"), func(w *bytes.Buffer, toks []chroma.Token) {
				_ = chromaFormatter.Format(w, style, chroma.Literator(toks...))
			}},
			{"filtered", lexerFor("go"), func(w *bytes.Buffer, toks []chroma.Token) { writeHighlighted(w, toks) }},
		} {
			b.Run(in.name+"/"+l.name, func(b *testing.B) {
				b.SetBytes(int64(len(in.text)))
				var out bytes.Buffer
				for b.Loop() {
					toks, err := lexAll(l.lexer, in.text)
					if err != nil {
						b.Fatal(err)
					}
					out.Reset()
					l.format(&out, toks)
				}
			})
		}
	}
}
