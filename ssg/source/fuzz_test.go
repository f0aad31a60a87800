package source

import (
	"strings"
	"testing"
)

// FuzzParseFrontMatter: no post makes the front-matter parser panic, in any of its three
// forms; an error names the file and a line; an accepted body is a suffix of the post.
func FuzzParseFrontMatter(f *testing.F) {
	for _, s := range []string{
		"---\ntitle = \"T\"\ndate = \"2024-01-02\"\n---\nbody\n",
		"+++\ntitle = \"T\"\ntags = [\"a\"]\n+++\nbody",
		"---\ntitle: T\ndate: 2024-01-02\ntags: [a, b]\n---\n\nbody",
		"---\n[extra]\nimage = \"x.png\"\n---\n",
		"no front matter",
		"---\nunterminated",
		"---\ntitle: [\n---\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		_, body, err := ParseFrontMatter("content/blog/x.md", src)
		if err != nil {
			if !strings.Contains(err.Error(), "content/blog/x.md") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if !strings.HasSuffix(string(src), string(body)) {
			t.Fatalf("body %q is not the end of the post", body)
		}
	})
}
