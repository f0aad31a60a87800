package security

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmsite/server/internal/testenv"
)

// secretMarker is the content of the file kept next to public/: no answer may hold it.
const secretMarker = "SECURITY-SUITE-SECRET-MARKER"

// TestPathTraversal sends encodings of ".." and symlinks in public/ pointing outside it
// to the static component of the real site, as raw request lines; no answer may hold
// /etc/passwd ("root:") or the marker file next to public/, and the host keeps serving.
func TestPathTraversal(t *testing.T) {
	dir, addr := siteApp(t)
	outside := plantSecrets(t, dir)
	s := startSite(t, dir, addr, nil)
	if !servesHome(s.Addr) {
		t.Fatal("the site does not serve / before the attack")
	}
	if r, err := rawGet(s.Addr, "/inside-link"); err != nil || r.status != 200 || !strings.Contains(r.body, "<html") {
		t.Fatalf("a symlink inside public/ is not served (%d, %v): the symlink cases would prove nothing", r.status, err)
	}
	rw := newRow(t, "traversal", 50, "leaks")
	for _, target := range append(traversalTargets(dir), symlinkTargets(dir, outside)...) {
		r, err := rawGet(s.Addr, target)
		leaked := err == nil && (strings.Contains(r.body, "root:") || strings.Contains(r.body, secretMarker))
		rw.check(!leaked, "GET %q: status %d leaked a file outside public/: %.60q", target, r.status, r.body)
	}
	if !servesHome(s.Addr) {
		t.Error("the host stopped serving / after the traversal attempts")
	}
}

// plantSecrets writes the marker file next to public/ and a directory outside the app
// holding it, and symlinks inside public/ pointing at them, at /etc/passwd, at /etc, up
// the tree, at themselves and (the control) at a page inside public/. It returns the
// outside directory.
func plantSecrets(t *testing.T, dir string) string {
	t.Helper()
	outside := t.TempDir()
	testenv.WriteFile(t, filepath.Join(dir, "secret.txt"), secretMarker+"\n")
	for _, name := range []string{"secret.txt", "index.html", "index.htm"} {
		testenv.WriteFile(t, filepath.Join(outside, name), "<html>"+secretMarker+"</html>\n")
	}
	public := filepath.Join(dir, "public")
	for link, to := range map[string]string{
		"leak.txt":         "../secret.txt",
		"abs-leak.txt":     filepath.Join(dir, "secret.txt"),
		"passwd":           "/etc/passwd",
		"etc":              "/etc",
		"outside":          outside,
		"outside-rel":      relPath(t, public, outside),
		"blog/up":          "../..",
		"blog/deep/up":     "../../../..",
		"assets/app":       "../..",
		"loop":             "loop",
		"chain-a":          "chain-b",
		"chain-b":          "../secret.txt",
		"inside-link":      "index.html",
		"blog/inside-leak": "../leak.txt",
	} {
		p := filepath.Join(public, link)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(to, p); err != nil {
			t.Fatal(err)
		}
	}
	return outside
}

func relPath(t *testing.T, from, to string) string {
	t.Helper()
	r, err := filepath.Rel(from, to)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// traversalTargets are request targets that climb out of public/ with "..", spelt in
// many encodings, after several prefixes, to /etc/passwd and to the marker file by
// its absolute path.
func traversalTargets(dir string) []string {
	ups := []string{
		"../", "..%2f", "..%2F", "%2e%2e/", "%2e%2e%2f", "%2E%2E%2F", ".%2e/", "%2e./",
		"%252e%252e/", "%252e%252e%252f", "..%5c", `..\`, "%c0%ae%c0%ae/", "%c0%2e%c0%2e%c0%af",
		"%e0%80%ae%e0%80%ae/", "....//", "...//", "..;/", "..%00/", "..%3b/", "..%252f", "%uff0e%uff0e/",
		"..%c0%af", "..%ef%bc%8f", "./../", "..//", "..%2f%2f",
	}
	prefixes := []string{"/", "/blog/", "/assets/", "/%2e/", "//", "http://localhost/"}
	secret := strings.TrimPrefix(filepath.ToSlash(filepath.Join(dir, "secret.txt")), "/")
	var out []string
	for _, up := range ups {
		for i, prefix := range prefixes {
			depth := 3 + 5*(i%2) // 3 or 8 levels
			climb := strings.Repeat(up, depth)
			out = append(out, prefix+climb+"etc/passwd", prefix+strings.Repeat(up, 12)+secret)
		}
	}
	return append(out,
		"/..", "/../", "/blog/..%2f..%2f..%2fetc%2fpasswd", "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd%00.html",
		"/../../../../etc/passwd%00", "/../../../../etc/passwd\x00.html", "/..%00/..%00/etc/passwd",
		"/%2e%2e%5c%2e%2e%5cetc%5cpasswd", "/..%5c..%5c..%5c..%5cetc%5cpasswd", "/blog/%2e%2e",
		"/.%2e", "/%2e%2e", "/etc/passwd", "/%2fetc%2fpasswd", "//etc/passwd", "/"+secret,
		"/"+strings.ReplaceAll(secret, "/", "%2f"), "/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt",
		"/blog/../../secret.txt", "/file:/etc/passwd", "/\\\\localhost\\etc\\passwd")
}

// symlinkTargets request the symlinks planted in public/ directly, through subpaths and
// in other spellings.
func symlinkTargets(dir, outside string) []string {
	app := filepath.Base(dir)
	return []string{
		"/leak.txt", "/abs-leak.txt", "/passwd", "/etc/passwd", "/etc/", "/etc", "/outside", "/outside/",
		"/outside/index.html", "/outside/secret.txt", "/outside-rel/", "/outside-rel/secret.txt",
		"/blog/up/", "/blog/up/" + app + "/secret.txt", "/blog/deep/up/etc/passwd", "/assets/app/secret.txt",
		"/assets/app/" + app + "/secret.txt", "/loop", "/loop/x", "/chain-a", "/blog/inside-leak",
		"/%6ceak.txt", "/leak%2etxt", "/leak.txt/", "/leak.txt%00", "/./leak.txt", "//leak.txt", "/blog/../leak.txt",
		"/outside%2fsecret.txt", "/outside%2findex.html", "/%65tc/passwd", "/etc%2fpasswd", "/ETC/passwd",
		"/Leak.txt", "/passwd?x=1", "/passwd#frag", "/outside/./secret.txt", "/outside//secret.txt",
		fmt.Sprintf("/outside/%s", filepath.Base(outside)),
	}
}
