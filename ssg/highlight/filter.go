package highlight

import (
	"slices"
	"unicode/utf8"

	"github.com/dlclark/regexp2/v2/syntax"
)

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
