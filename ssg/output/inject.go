package output

import (
	"bytes"
	"maps"
	"slices"
	"strings"
)

// extras plans the extra files of the input (development mode's script),
// by name.
func (pl *planner) extras() {
	for _, name := range slices.Sorted(maps.Keys(pl.Extra)) {
		content := pl.Extra[name]
		k := pl.Keys.New().Number(pl.SiteKey).Text("extra").Text(name).Bytes(content).Key()
		pl.add(file(name, "development mode", k, staticBytes(content)))
	}
}

// Inject makes the generator of every HTML file of files insert snippet
// before its last </body>, or append it to a file that has none, unless
// the file holds snippet already.
func Inject(files []File, snippet string) {
	for i := range files {
		if !strings.HasSuffix(files[i].Path, ".html") {
			continue
		}
		gen := files[i].Generate
		files[i].Generate = func(w *bytes.Buffer) error {
			start := w.Len()
			if err := gen(w); err != nil {
				return err
			}
			if !bytes.Contains(w.Bytes()[start:], []byte(snippet)) {
				insertBefore(w, start, "</body>", snippet)
			}
			return nil
		}
	}
}

// insertBefore inserts s into w before the last mark at or after offset
// start, or appends it when there is none.
func insertBefore(w *bytes.Buffer, start int, mark, s string) {
	i := bytes.LastIndex(w.Bytes()[start:], []byte(mark))
	if i < 0 {
		w.WriteString(s)
		return
	}
	at := start + i
	tail := append([]byte(nil), w.Bytes()[at:]...)
	w.Truncate(at)
	w.WriteString(s)
	w.Write(tail)
}
