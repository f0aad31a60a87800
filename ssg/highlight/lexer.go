package highlight

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/dlclark/regexp2/v2"
)

// chromaMatchTimeout is the per-match timeout chroma sets on its rules; a rule
// that times out counts as not matching, in both.
const chromaMatchTimeout = 250 * time.Millisecond

// fastRule is one of a state's compiled rules with what ruleLexer needs to
// skip it.
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

// firstLexerMutator returns a rule of rules that mutates the lexer (an
// include or a combined state) and where it is; nil when there is none.
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

// next returns the next token, chroma.EOF at the end: the iterator
// Tokenise returns.
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
