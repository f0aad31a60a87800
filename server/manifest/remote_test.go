package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
)

var module = []byte("\x00asm\x01\x00\x00\x00")

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// cacheModule writes b under cacheDir/registry/<kind>/<digest> and returns the path.
func cacheModule(t *testing.T, cacheDir, kind, digest string, b []byte) string {
	t.Helper()
	p := cachePath(cacheDir, kind, digest)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const moduleURL = "https://example.com/releases/fileserver.wasm"

func remoteV1(digest string) string {
	return v1Top + httpTrigger +
		"[[component]]\nid = \"c\"\nsource = { url = \"" + moduleURL + "\", digest = \"" + digest + "\" }\n[component.trigger]\nroute = \"/\"\n"
}

func remoteV2(digest string) string {
	return "spin_manifest_version = 2\n[application]\nname = \"x\"\n[[trigger.http]]\nroute = \"/\"\ncomponent = \"c\"\n" +
		"[component.c]\nsource = { url = \"" + moduleURL + "\", digest = \"" + digest + "\" }\n"
}

func TestRemoteSourceFromCache(t *testing.T) {
	d := digestOf(module)
	for name, manifest := range map[string]string{"v1": remoteV1(d), "v2": remoteV2(d)} {
		t.Run(name, func(t *testing.T) {
			cache := t.TempDir()
			p := cacheModule(t, cache, "wasm", d, module)
			if p != filepath.Join(cache, "registry", "wasm", d) {
				t.Fatalf("cache layout: %s", p)
			}
			app, err := Loader{CacheDir: cache}.Parse([]byte(manifest), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			c := app.Components[0]
			if c.Source != p || !reflect.DeepEqual(c.Remote, &RemoteSource{URL: moduleURL, Digest: d}) {
				t.Fatalf("source %q remote %+v", c.Source, c.Remote)
			}
		})
	}
}

// Spin's Cache::wasm_file falls back to registry/data/<digest>.
func TestRemoteSourceInDataDir(t *testing.T) {
	d := digestOf(module)
	cache := t.TempDir()
	p := cacheModule(t, cache, "data", d, module)
	app, err := Loader{CacheDir: cache}.Parse([]byte(remoteV1(d)), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if app.Components[0].Source != p {
		t.Fatalf("source %q", app.Components[0].Source)
	}
}

// The zero Loader looks in <user cache dir>/spin, Spin's default.
func TestRemoteSourceDefaultCacheDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "xdg"))
	def, err := DefaultCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	d := digestOf(module)
	p := cacheModule(t, def, "wasm", d, module)
	app, err := Parse([]byte(remoteV1(d)), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if app.Components[0].Source != p {
		t.Fatalf("source %q, want %q", app.Components[0].Source, p)
	}
}

func TestRemoteSourceMissing(t *testing.T) {
	d := digestOf(module)
	cache := t.TempDir()
	_, err := Loader{CacheDir: cache}.Parse([]byte(remoteV1(d)), t.TempDir())
	want := CachedSourcePath(cache, d)
	wantErr(t, err, `spin.toml: component "c": source `+moduleURL+` (digest `+d+`) is not in the download cache`,
		"save the module as "+want, "curl -fL --create-dirs -o '"+want+"' '"+moduleURL+"'")
}

func TestRemoteSourceDigestMismatch(t *testing.T) {
	d := digestOf(module)
	cache := t.TempDir()
	p := cacheModule(t, cache, "wasm", d, []byte("corrupt"))
	_, err := Loader{CacheDir: cache}.Parse([]byte(remoteV2(d)), t.TempDir())
	wantErr(t, err, `component "c": source `+moduleURL+`: cached file `+p+` does not match digest `+d, "(the file's digest is "+digestOf([]byte("corrupt")))
}

func TestRemoteSourceUnreadable(t *testing.T) {
	d := digestOf(module)
	cache := t.TempDir()
	p := cachePath(cache, "wasm", d)
	if err := os.MkdirAll(p, 0o755); err != nil { // a directory where the file should be
		t.Fatal(err)
	}
	_, err := Loader{CacheDir: cache}.Parse([]byte(remoteV1(d)), t.TempDir())
	wantErr(t, err, `component "c": source `+moduleURL+`: cached file: read `+p)
}

func TestRemoteSourceRefused(t *testing.T) {
	d := digestOf(module)
	cases := []struct {
		name, source, want string
	}{
		{"uppercase digest", `{ url = "u", digest = "sha256:` + hexUpper(d) + `" }`, `digest "sha256:` + hexUpper(d) + `": expected "sha256:" and 64 lowercase hex digits`},
		{"other algorithm", `{ url = "u", digest = "sha512:` + d[7:] + `" }`, `expected "sha256:" and 64 lowercase hex digits`},
		{"path in digest", `{ url = "u", digest = "sha256:../../../etc/passwd" }`, `expected "sha256:" and 64 lowercase hex digits`},
		{"missing digest", `{ url = "u" }`, `source: missing field "digest"`},
		{"missing url", `{ digest = "` + d + `" }`, `source: missing field "url"`},
		{"unknown field", `{ url = "u", digest = "` + d + `", sha = "x" }`, `source: unknown field "sha"`},
		{"url not a string", `{ url = 1, digest = "` + d + `" }`, `source: field "url" must be a string`},
		{"registry source", `{ registry = "ghcr.io", package = "a:b", version = "1.0.0" }`, `registry sources ({ registry, package, version }) are not supported`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := v1Top + httpTrigger + "[[component]]\nid = \"c\"\nsource = " + c.source + "\n[component.trigger]\nroute = \"/\"\n"
			_, err := Loader{CacheDir: t.TempDir()}.Parse([]byte(m), t.TempDir())
			wantErr(t, err, `component "c": `, c.want)
		})
	}
}

func hexUpper(d string) string {
	b := []byte(d[len("sha256:"):])
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func TestRemoteSourceNoCacheDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the user cache dir comes from %LocalAppData%")
	}
	t.Setenv("HOME", "")
	t.Setenv("XDG_CACHE_HOME", "")
	_, err := Parse([]byte(remoteV1(digestOf(module))), t.TempDir())
	wantErr(t, err, `component "c": no download cache dir for its remote source`, "server up --cache-dir")
}
