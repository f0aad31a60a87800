package site

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/dlclark/regexp2/v2"
	"github.com/dlclark/regexp2/v2/syntax"
)

// Highlighting uses chroma's lexer definitions, token types and styles
// unchanged. This file replaces two parts of chroma. First, the loop that runs
// a chroma RegexLexer's rules: chroma tries every rule of the current state in
// order at each position, and each try costs a regexp2 match set-up (about
// 0.5 µs) even when the rule cannot match there. A code block of four lines of
// Go took about 170 µs that way, a third of a 10,000-post build. Second, the
// HTML formatter's output loop, which formatted every token with fmt.Sprintf.
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

// chromaMatchTimeout is the per-match timeout chroma sets on its rules; a rule
// that times out counts as not matching, in both.
const chromaMatchTimeout = 250 * time.Millisecond

type fastRule struct {
	*chroma.CompiledRule
	ruleFilter
	// named: the pattern names a group, so LexerState.NamedGroups is filled
	// for its matches. In chroma 2.27 the readers of NamedGroups are Raku's
	// mutators (whose patterns name their groups) and the ByGroupNames
	// emitter, which no registered lexer uses; for every other rule the map,
	// allocated per match, would go unread.
	named bool
}

// ruleFilter is what regexp2's own analysis of a rule's pattern (the one
// regexp2 runs to find where an unanchored match may start) says every match
// looks like; a position that does not fit cannot start a match, and the
// rule is not tried there.
type ruleFilter struct {
	first *syntax.CharSet // the first character's set; nil: any (or an empty match)
	fold  bool            // first is lower-case: compare unicode.ToLower(ch)
	ascii [2]uint64       // first.CharIn(c) for c < 128, one bit each

	minLen   int                       // characters any match needs
	prefixes [][]rune                  // every match starts with one of these...
	anyCase  bool                      // ...compared case-insensitively
	lit      []rune                    // a literal every match has...
	litAt    int                       // ...this many characters after its start
	sets     []syntax.FixedDistanceSet // characters at fixed distances from the start
}

// may reports whether a match may start at text[pos] (ch, lower-cased lower).
func (f *ruleFilter) may(text []rune, pos int, ch, lower rune) bool {
	if len(text)-pos < f.minLen {
		return false
	}
	if f.first != nil {
		c := ch
		if f.fold {
			c = lower
		}
		if c < utf8.RuneSelf {
			if f.ascii[c>>6]&(1<<(c&63)) == 0 {
				return false
			}
		} else if !f.first.CharIn(c) {
			return false
		}
	}
	if f.prefixes != nil && !slices.ContainsFunc(f.prefixes, func(p []rune) bool { return startsWith(text[pos:], p, f.anyCase) }) {
		return false
	}
	if f.lit != nil {
		at := pos + f.litAt
		if at+len(f.lit) > len(text) || !slices.Equal(text[at:at+len(f.lit)], f.lit) {
			return false
		}
	}
	for _, set := range f.sets {
		at := pos + set.Distance
		if at >= len(text) || !inFixedDistanceSet(set, text[at]) {
			return false
		}
	}
	return true
}

// startsWith reports whether text may start with prefix. With anyCase, ASCII
// letters compare case-insensitively and any non-ASCII pair may be equal:
// Unicode case folding relates some of them to ASCII letters (K and the
// Kelvin sign), so only ASCII pairs are ruled out.
func startsWith(text, prefix []rune, anyCase bool) bool {
	if len(text) < len(prefix) {
		return false
	}
	for i, c := range prefix {
		t := text[i]
		switch {
		case t == c:
		case !anyCase:
			return false
		case t >= utf8.RuneSelf || c >= utf8.RuneSelf:
		case 'A' <= t && t <= 'Z' && t+'a'-'A' == c, 'a' <= t && t <= 'z' && t-('a'-'A') == c:
		default:
			return false
		}
	}
	return true
}

// inFixedDistanceSet tests ch as regexp2's runner does.
func inFixedDistanceSet(set syntax.FixedDistanceSet, ch rune) bool {
	switch {
	case len(set.Chars) > 0:
		return slices.Contains(set.Chars, ch) != set.Negated
	case set.Range != nil:
		return (ch >= set.Range.First && ch <= set.Range.Last) != set.Negated
	case set.Set != nil:
		return set.Set.CharIn(ch)
	}
	return true
}

// filterOf analyses a regexp2 expression the way regexp2 does when compiling
// it: its first-character set, its minimum length, and, from the thorough
// analysis regexp2 runs for generated code, the prefixes, literal or sets at
// fixed distances from the start that any match has. The expression is
// analysed unanchored: with \G, regexp2 skips the analysis.
// TestRuleFiltersAdmitEveryMatch checks the result against every rule's
// matches on chroma's test inputs.
func filterOf(expr string) ruleFilter {
	tree, err := syntax.Parse(expr, syntax.ParseOptions{CodeGen: true})
	if err != nil {
		return ruleFilter{}
	}
	code, err := syntax.Write(tree)
	if err != nil {
		return ruleFilter{}
	}
	var f ruleFilter
	if code.FcPrefix != nil {
		set := code.FcPrefix.PrefixSet
		f.first, f.fold = &set, code.FcPrefix.CaseInsensitive
		for c := rune(0); c < utf8.RuneSelf; c++ {
			if set.CharIn(c) {
				f.ascii[c>>6] |= 1 << (c & 63)
			}
		}
	}
	opt := tree.FindOptimizations
	if opt == nil {
		return f
	}
	f.minLen = max(opt.MinRequiredLength, 0)
	switch opt.FindMode {
	case syntax.LeadingString_LeftToRight, syntax.LeadingString_OrdinalIgnoreCase_LeftToRight:
		f.prefixes = [][]rune{[]rune(opt.LeadingPrefix)}
	case syntax.LeadingStrings_LeftToRight, syntax.LeadingStrings_OrdinalIgnoreCase_LeftToRight:
		for _, p := range opt.LeadingPrefixes {
			f.prefixes = append(f.prefixes, []rune(p))
		}
	case syntax.FixedDistanceString_LeftToRight:
		f.lit, f.litAt = []rune(opt.FixedDistanceLiteral.S), opt.FixedDistanceLiteral.Distance
	case syntax.FixedDistanceChar_LeftToRight:
		f.lit, f.litAt = []rune{opt.FixedDistanceLiteral.C}, opt.FixedDistanceLiteral.Distance
	case syntax.LeadingSet_LeftToRight, syntax.FixedDistanceSets_LeftToRight:
		// Not negated sets only: a union with a negated class can come out
		// wrong (for `(\s|.)` it is [^\n\s]).
		for _, set := range opt.FixedDistanceSets {
			if !set.Negated {
				f.sets = append(f.sets, set)
			}
		}
	}
	f.anyCase = opt.FindMode == syntax.LeadingString_OrdinalIgnoreCase_LeftToRight ||
		opt.FindMode == syntax.LeadingStrings_OrdinalIgnoreCase_LeftToRight
	if len(f.prefixes) > 0 && slices.ContainsFunc(f.prefixes, func(p []rune) bool { return len(p) == 0 }) {
		f.prefixes = nil // an empty prefix admits everything
	}
	return f
}

// namesGroups reports whether re has a named group (not only numbered ones).
func namesGroups(re *regexp2.Regexp) bool {
	for _, n := range re.GetGroupNumbers() {
		if re.GroupNameFromNumber(n) != strconv.Itoa(n) {
			return true
		}
	}
	return false
}

// ruleLexer is a chroma.Lexer running a RegexLexer's rules with a
// first-character filter.
type ruleLexer struct {
	*chroma.RegexLexer
	compiled chroma.CompiledRules // handed to mutators and emitters as LexerState.Rules
	rules    map[string][]fastRule
}

var fastLexers sync.Map // *chroma.RegexLexer -> *ruleLexer, or error

// lexerFor returns a lexer for a fenced block's language, or nil when chroma
// has none. RegexLexers get the filtered rule loop; if their rules cannot be
// prepared (which chroma's own would then also fail to run), chroma's lexer is
// returned unchanged.
func lexerFor(lang string) chroma.Lexer {
	l := lexers.Get(lang)
	rl, ok := l.(*chroma.RegexLexer)
	if !ok {
		return l
	}
	v, ok := fastLexers.Load(rl)
	if !ok {
		var prepared any
		if f, err := newRuleLexer(rl); err != nil {
			prepared = err
		} else {
			prepared = f
		}
		v, _ = fastLexers.LoadOrStore(rl, prepared)
	}
	if f, ok := v.(*ruleLexer); ok {
		return f
	}
	return l
}

// newRuleLexer compiles l's rules as chroma does (flags from the lexer's
// config, \G-anchored, include and combined states expanded after
// compilation) and computes each rule's first-character set.
func newRuleLexer(l *chroma.RegexLexer) (*ruleLexer, error) {
	raw, err := l.Rules()
	if err != nil {
		return nil, err
	}
	cfg := l.Config()
	flags := ""
	if !cfg.NotMultiline {
		flags += "m"
	}
	if cfg.CaseInsensitive {
		flags += "i"
	}
	if cfg.DotAll {
		flags += "s"
	}
	compiled := chroma.CompiledRules{}
	filters := map[*chroma.CompiledRule]ruleFilter{} // include and combined states share rules
	for state, rs := range raw {
		for _, r := range rs {
			expr := "(?:" + r.Pattern + ")"
			if flags != "" {
				expr = "(?" + flags + ")" + expr
			}
			re, err := regexp2.Compile(`\G` + expr)
			if err != nil {
				return nil, fmt.Errorf("%s: rule %s %q: %w", cfg.Name, state, r.Pattern, err)
			}
			re.MatchTimeout = chromaMatchTimeout
			cr := &chroma.CompiledRule{Rule: r, Regexp: re}
			compiled[state] = append(compiled[state], cr)
			filters[cr] = filterOf(expr)
		}
	}
	// Expand include and combined states the way chroma does: one lexer
	// mutation at a time until none is left.
	for {
		state, i, m := firstLexerMutator(compiled)
		if m == nil {
			break
		}
		if err := m.MutateLexer(compiled, state, i); err != nil {
			return nil, fmt.Errorf("%s: %w", cfg.Name, err)
		}
	}
	rules := make(map[string][]fastRule, len(compiled))
	for state, crs := range compiled {
		frs := make([]fastRule, len(crs))
		for i, cr := range crs {
			frs[i] = fastRule{cr, filters[cr], namesGroups(cr.Regexp)}
		}
		rules[state] = frs
	}
	return &ruleLexer{RegexLexer: l, compiled: compiled, rules: rules}, nil
}

func firstLexerMutator(rules chroma.CompiledRules) (string, int, chroma.LexerMutator) {
	for state, crs := range rules {
		for i, cr := range crs {
			if m, ok := cr.Mutator.(chroma.LexerMutator); ok {
				return state, i, m
			}
		}
	}
	return "", 0, nil
}

// Tokenise implements chroma.Lexer with chroma's option semantics: nil
// options start in "root" with line endings normalised to LF, and a final
// newline is added (and not emitted) when the lexer's config asks for one.
func (f *ruleLexer) Tokenise(options *chroma.TokeniseOptions, text string) (chroma.Iterator, error) {
	if options == nil {
		options = &chroma.TokeniseOptions{State: "root", EnsureLF: true}
	}
	if options.EnsureLF {
		text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	}
	added := !options.Nested && f.Config().EnsureNL && !strings.HasSuffix(text, "\n")
	if added {
		text += "\n"
	}
	runes := []rune(text)
	end := len(runes)
	if added {
		end-- // the added newline is not lexed
	}
	st := &lexRun{
		f:     f,
		start: options.State,
		end:   end,
		ls: &chroma.LexerState{
			Lexer:          f.RegexLexer,
			Registry:       lexers.GlobalLexerRegistry,
			Text:           runes,
			Stack:          []string{options.State},
			Rules:          f.compiled,
			MutatorContext: map[any]any{},
		},
	}
	return st.next, nil
}

// lexRun is one tokenisation in progress.
type lexRun struct {
	f       *ruleLexer
	ls      *chroma.LexerState
	start   string // the state to fall back to after an unmatched newline
	end     int    // runes to lex (an added final newline is excluded)
	pending []chroma.Iterator
	stalled int // rule matches in a row that consumed nothing
}

// maxStalled bounds rule matches in a row that consume no text. A few lexers
// of chroma 2.27 (JSONata, Jungle) have an empty-matching rule that, on some
// inputs, pushes states forever; chroma then never returns. Here the rest of
// the block becomes one Error token (shown as plain text) instead.
const maxStalled = 1000

// drain returns the next token of the emitted iterators, if any.
func (r *lexRun) drain() (chroma.Token, bool) {
	for len(r.pending) > 0 {
		n := len(r.pending) - 1
		t := r.pending[n]()
		if t == chroma.EOF {
			r.pending = r.pending[:n]
			continue
		}
		if t.Type == chroma.Ignore {
			continue
		}
		return t, true
	}
	return chroma.Token{}, false
}

func (r *lexRun) next() chroma.Token {
	ls := r.ls
	for ls.Pos < r.end && len(ls.Stack) > 0 {
		if t, ok := r.drain(); ok {
			return t
		}
		ls.State = ls.Stack[len(ls.Stack)-1]
		rules, ok := ls.Rules[ls.State]
		if !ok {
			panic("unknown state " + ls.State)
		}
		i, groups, named := r.match(rules, r.f.rules[ls.State])
		if groups == nil {
			// As in chroma (and Pygments): an unmatched newline resets the
			// stack; any other unmatched character is an error token.
			if ls.Text[ls.Pos] == '\n' && ls.State != r.start {
				ls.Stack = []string{r.start}
				continue
			}
			ls.Pos++
			return chroma.Token{Type: chroma.Error, Value: string(ls.Text[ls.Pos-1 : ls.Pos])}
		}
		if groups[0] != "" {
			r.stalled = 0
		} else if r.stalled++; r.stalled > maxStalled {
			v := string(ls.Text[ls.Pos:])
			ls.Pos, ls.Stack, r.pending = len(ls.Text), nil, nil
			return chroma.Token{Type: chroma.Error, Value: v}
		}
		rule := rules[i]
		ls.Rule, ls.Groups, ls.NamedGroups = i, groups, named
		ls.Pos += utf8.RuneCountInString(groups[0])
		if rule.Mutator != nil {
			if err := rule.Mutator.Mutate(ls); err != nil {
				panic(err)
			}
		}
		if rule.Type != nil {
			r.pending = append(r.pending, rule.Type.Emit(ls.Groups, ls))
		}
	}
	if t, ok := r.drain(); ok {
		return t
	}
	if ls.Pos != len(ls.Text) && len(ls.Stack) == 0 {
		v := string(ls.Text[ls.Pos:])
		ls.Pos = len(ls.Text)
		return chroma.Token{Type: chroma.Error, Value: v}
	}
	return chroma.EOF
}

// match returns the index and groups of the first of rules matching at the
// current position, or nil groups. fast holds the first-character sets of the
// state's rules as prepared; a lexer whose mutators replace rules while lexing
// (chroma's Raku) gets no filter for a replaced rule.
func (r *lexRun) match(rules []*chroma.CompiledRule, fast []fastRule) (int, []string, map[string]string) {
	ls := r.ls
	ch := ls.Text[ls.Pos]
	lower := ch
	if ch >= utf8.RuneSelf || ('A' <= ch && ch <= 'Z') {
		lower = unicode.ToLower(ch)
	}
	for i, rule := range rules {
		prepared := i < len(fast) && fast[i].CompiledRule == rule
		if prepared && !fast[i].may(ls.Text, ls.Pos, ch, lower) {
			continue
		}
		m, err := rule.Regexp.FindRunesMatchStartingAt(ls.Text, ls.Pos)
		if m == nil || err != nil || m.RuneIndex != ls.Pos {
			continue
		}
		gs := m.Groups()
		groups := make([]string, len(gs))
		for j, g := range gs {
			groups[j] = g.String()
		}
		var named map[string]string
		if !prepared || fast[i].named {
			named = make(map[string]string, len(gs))
			for j, g := range gs {
				named[g.Name] = groups[j]
			}
		}
		return i, groups, named
	}
	return 0, nil, nil
}

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

func tokenClass(t chroma.TokenType) string {
	if cls, ok := tokenClasses[t]; ok {
		return cls
	}
	return classOf(t)
}

// highlightWriter is what writeHighlighted writes to (goldmark's
// util.BufWriter, bufio.Writer, bytes.Buffer).
type highlightWriter interface {
	io.Writer
	io.StringWriter
	io.ByteWriter
}

// writeHighlighted writes tokens as HTML, byte for byte what chroma's HTML
// formatter writes with classes and no other option (chromaFormatter) but
// without its per-token fmt.Sprintf: <pre class="chroma"><code>, each line as
// <span class="line"><span class="cl">…</span></span> with the newline
// inside, each token with a class as <span class="…">…</span>, text escaped
// as html.EscapeString does. As in chroma.SplitTokensIntoLines, a last line
// holding only one empty token is left out. TestHighlightMatchesChroma
// compares the two.
func writeHighlighted(w highlightWriter, tokens []chroma.Token) {
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
func writeEscaped(w highlightWriter, s string) {
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
