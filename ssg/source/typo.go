package source

import "strings"

// fieldNames are the top-level front-matter keys fill understands, in the
// order closeField prefers them on a tie.
var fieldNames = []string{
	"title", "slug", "description", "summary", "date", "created_date", "lastmod",
	"last_modified_date", "updated", "draft", "toc", "tags", "taxonomies", "aliases", "extra",
}

// closeField returns the field name an unknown key is probably a misspelling
// of, or "". Case is ignored (Hugo's keys are case-insensitive, ours are
// not); up to two edits (insertions, deletions, substitutions, swaps of
// neighbours) are allowed against names of five letters or more, one against
// shorter ones: two edits turn "date" into common custom keys such as math,
// path, name or katex.
func closeField(key string) string {
	k := strings.ToLower(key)
	best, bestD := "", 3
	for _, name := range fieldNames {
		if key == name {
			return "" // a known key of the wrong type, kept as is
		}
		limit := 2
		if len(name) <= 4 {
			limit = 1
		}
		if d := editDistance(k, name, limit); d <= limit && d < bestD {
			best, bestD = name, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b
// (Levenshtein plus transpositions of adjacent runes), or limit+1 when it is
// certainly above limit.
func editDistance(a, b string, limit int) int {
	x, y := []rune(a), []rune(b)
	if d := len(x) - len(y); d > limit || -d > limit {
		return limit + 1
	}
	// Three rows: the one before the previous is needed for transpositions.
	prev2, prev, cur := make([]int, len(y)+1), make([]int, len(y)+1), make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}
