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
// .gz siblings are left out (they change with their file). keys and sums
// are the new generation's. A file is unchanged when the live output has it
// with the same key, or with the same content sum; everything is changed
// before p's first publish.
func (g *generation) changedFromLive(keys map[string]uint64, sums *genSums) []string {
	live := g.p.live
	var out []string
	found := 0 // paths of live that keys has too, .gz siblings included
	for _, f := range g.files {
		if g.p.gzip && Gzippable(f.Path) {
			if _, ok := live[f.Path+".gz"]; ok {
				found++
			}
		}
		k, ok := live[f.Path]
		if ok {
			found++
			if k == f.Key {
				continue
			}
		}
		if e, ok := g.p.liveSums.lookup(f.Path); ok {
			if n, ok := sums.lookup(f.Path); ok && n.sum == e.sum {
				continue
			}
		}
		out = append(out, f.Path)
	}
	if found < len(live) {
		for p := range live {
			if _, ok := keys[p]; !ok && !strings.HasSuffix(p, ".gz") {
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}
