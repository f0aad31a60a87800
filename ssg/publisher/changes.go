package publisher

import (
	"sort"
	"strings"

	"wasmsite/ssg/output"
)

// TrackChanges makes every later Publish of p report, in Counts.Changed,
// which files differ from the output it replaces: what a browser showing the
// site should reload. It costs a map lookup per file, or per file changed
// when the plan patched the live output's.
func (p *Publisher) TrackChanges() { p.track = true }

// changedFromLive returns, sorted, the paths of g's files whose content may
// differ from the live output's, and of the live output's files g lacks;
// .gz siblings are left out (they change with their file). keys and sums
// are the new generation's. A file is unchanged when the live output has it
// with the same key, or with the same content sum; everything is changed
// before p's first publish. When plan patched the live output's plan
// (patch), only the files its patch changed can differ.
func (g *generation) changedFromLive(keys map[string]uint64, sums *genSums, plan output.Planned, patch bool) []string {
	var out []string
	if patch {
		for _, i := range plan.Changes.Indexes {
			if f := g.files[i]; g.differsFromLive(f, sums) {
				out = append(out, f.Path)
			}
		}
		sort.Strings(out)
		return out
	}
	live := g.p.live
	found := 0 // paths of live that keys has too, .gz siblings included
	for _, f := range g.files {
		if g.p.gzip && Gzippable(f.Path) {
			if _, ok := live[f.Path+".gz"]; ok {
				found++
			}
		}
		if _, ok := live[f.Path]; ok {
			found++
		}
		if g.differsFromLive(f, sums) {
			out = append(out, f.Path)
		}
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

// differsFromLive reports whether f, of the new generation whose sums are
// sums, may differ from the live output's file at its path.
func (g *generation) differsFromLive(f output.File, sums *genSums) bool {
	if k, ok := g.p.live[f.Path]; ok && k == f.Key {
		return false
	}
	e, ok := g.p.liveSums.lookup(f.Path)
	if !ok {
		return true
	}
	n, ok := sums.lookup(f.Path)
	return !ok || n.sum != e.sum
}
