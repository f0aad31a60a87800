package output

import (
	"testing"

	"wasmsite/ssg/page"
)

// TestAbsContent checks which links of feed content absContent makes
// absolute, and how: relative ones against the permalink, site-absolute ones
// with the base URL.
func TestAbsContent(t *testing.T) {
	p := &page.Page{Permalink: "https://example.org/blog/trip/", Content: `<p><img src="photo.jpg" alt="x"> <a href="../day2/">d</a> ` +
		`<a href="/tags/go/">t</a> <a href="#fn:1">1</a> <a href="img/m%61p.svg?a=1&amp;b=2">m</a> <a href="https://x.org/a">e</a> ` +
		`<a href="//cdn.example/x">c</a> <a href="mailto:a@b.c">m</a> <a href="">empty</a></p><pre><code>href=&quot;x&quot;</code></pre>` +
		`<img src="p.jpg" srcset="p-480w.jpg 480w, /img/q-800w.jpg 800w, https://x.org/r.jpg 2x">`}
	got := absContent("https://example.org", p)
	want := `<p><img src="https://example.org/blog/trip/photo.jpg" alt="x"> <a href="https://example.org/blog/day2/">d</a> ` +
		`<a href="https://example.org/tags/go/">t</a> <a href="#fn:1">1</a> <a href="https://example.org/blog/trip/img/m%61p.svg?a=1&amp;b=2">m</a> <a href="https://x.org/a">e</a> ` +
		`<a href="//cdn.example/x">c</a> <a href="mailto:a@b.c">m</a> <a href="">empty</a></p><pre><code>href=&quot;x&quot;</code></pre>` +
		`<img src="https://example.org/blog/trip/p.jpg" srcset="https://example.org/blog/trip/p-480w.jpg 480w, https://example.org/img/q-800w.jpg 800w, https://x.org/r.jpg 2x">`
	if got != want {
		t.Errorf("absContent:\n got %s\nwant %s", got, want)
	}
}
