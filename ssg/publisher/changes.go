package publisher

import (
	"sort"
	"strings"
)

// TrackChanges makes every later Publish of p report, in Counts.Changed,
// which files differ from the output it replaces: what a browser showing the
// site should reload. It costs a map lookup per file.
func (p *Publisher) TrackChanges() { p.track = true }

// changedFromLive returns, sorted, the paths of g's files whose content may
// differ from the live output's, and of the live output's files g lacks;
// .gz siblings are left out (they change with their file). A file is
// unchanged when the live output has it with the same key, or with the same
// content sum; everything is changed before p's first publish.
func (g *generation) changedFromLive() []string {
	live, liveSums := g.p.live, g.p.liveSums
	var out []string
	for i, f := range g.files {
		if k, ok := live[f.Path]; ok && k == f.Key {
			continue
		}
		if e, ok := liveSums.lookup(f.Path); ok && g.known[i] && g.entries[i].sum == e.sum {
			continue
		}
		out = append(out, f.Path)
	}
	for p := range live {
		if _, ok := g.keys[p]; !ok && !strings.HasSuffix(p, ".gz") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
