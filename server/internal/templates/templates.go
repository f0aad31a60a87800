// Package templates creates applications from built-in templates, as `spin new` does:
//
//   - http-go: an HTTP component in Go on this project's SDK;
//   - http-c: an HTTP component in C against Spin 1.x's core-module ABI (clang and
//     wasi-libc), starting from functions/examples/c/hello.c;
//   - redis-go: a component in Go called for each message on a Redis channel.
//
// A Go application gets the SDK's sources in its sdk/ directory (module wasmsite, which
// its go.mod replaces with ./sdk), so that it builds anywhere, without a network.
package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"text/template"

	"wasmsite/functions/examples"
	"wasmsite/functions/sdk"
)

//go:embed files
var files embed.FS

// Template is one built-in template.
type Template struct {
	Name, Description string
	goSDK             bool              // gets go.mod and the SDK
	extra             map[string]string // destination name → path in examples.Sources
}

// All are the built-in templates.
var All = []Template{
	{Name: "http-go", Description: "HTTP component in Go (this project's SDK)", goSDK: true},
	{Name: "http-c", Description: "HTTP component in C (Spin's core-module ABI, clang and wasi-libc)",
		extra: map[string]string{"main.c": "c/hello.c"}},
	{Name: "redis-go", Description: "Redis-triggered component in Go (this project's SDK)", goSDK: true},
}

// ErrExists is returned by Create when the directory already exists and is not empty.
var ErrExists = errors.New("directory exists and is not empty")

// appName is Spin's rule for a component id: kebab-case words of lowercase letters and
// digits, starting with a letter.
var appName = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// Create writes a new application from the template called name into dir (created;
// ErrExists when it has files), named appName (kebab-case: it is also the component's
// id). It fails on an unknown template or an invalid name, naming them.
func Create(name, dir, app string) error {
	t, err := lookup(name)
	if err != nil {
		return err
	}
	if !appName.MatchString(app) {
		return fmt.Errorf("application name %q: must be kebab-case (lowercase letters and digits, words joined by '-', starting with a letter)", app)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s: %w", dir, ErrExists)
	}
	w := &writer{dir: dir, data: map[string]string{"Name": app}}
	w.templates(t.Name)
	for dst, src := range t.extra {
		w.copyFile(examples.Sources, src, dst)
	}
	if t.goSDK {
		w.goModule(app)
	}
	return w.err
}

func lookup(name string) (Template, error) {
	var names []string
	for _, t := range All {
		if t.Name == name {
			return t, nil
		}
		names = append(names, t.Name)
	}
	return Template{}, fmt.Errorf("no template %q (templates: %s)", name, strings.Join(names, ", "))
}

// writer writes an application's files, keeping the first error.
type writer struct {
	dir  string
	data map[string]string
	err  error
}

func (w *writer) write(name string, content []byte) {
	if w.err != nil {
		return
	}
	p := filepath.Join(w.dir, filepath.FromSlash(name))
	if w.err = os.MkdirAll(filepath.Dir(p), 0o755); w.err == nil {
		w.err = os.WriteFile(p, content, 0o644)
	}
}

// templates renders the template's own files (text/template, {{.Name}}); a .tmpl
// suffix, which keeps Go sources out of this module's packages, is dropped.
func (w *writer) templates(name string) {
	root := "files/" + name
	fs.WalkDir(files, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			w.err = cmpErr(w.err, err)
			return err
		}
		src, _ := files.ReadFile(p)
		var out bytes.Buffer
		if err := template.Must(template.New(p).Parse(string(src))).Execute(&out, w.data); err != nil {
			w.err = cmpErr(w.err, err)
		}
		w.write(strings.TrimSuffix(strings.TrimPrefix(p, root+"/"), ".tmpl"), out.Bytes())
		return nil
	})
}

func (w *writer) copyFile(fsys fs.FS, src, dst string) {
	b, err := fs.ReadFile(fsys, src)
	w.err = cmpErr(w.err, err)
	w.write(dst, b)
}

// goModule writes go.mod, which takes module wasmsite from ./sdk, and the SDK's
// sources there.
func (w *writer) goModule(app string) {
	goVersion := goLanguageVersion()
	w.write("go.mod", fmt.Appendf(nil, "module %s\n\ngo %s\n\nrequire wasmsite v0.0.0\n\nreplace wasmsite => ./sdk\n", app, goVersion))
	w.write("sdk/go.mod", fmt.Appendf(nil, "// The wasmsite guest SDK's sources, as `server new` wrote them.\nmodule wasmsite\n\ngo %s\n", goVersion))
	fs.WalkDir(sdk.Sources, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			w.err = cmpErr(w.err, err)
			return err
		}
		w.copyFile(sdk.Sources, p, path.Join("sdk/functions/sdk", p))
		return nil
	})
}

// goLanguageVersion is the language version of the Go that built this binary
// ("1.26" for go1.26.8): the SDK needs no newer one.
func goLanguageVersion() string {
	v := strings.TrimPrefix(runtime.Version(), "go")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return "1.24"
	}
	return parts[0] + "." + parts[1]
}

func cmpErr(old, err error) error {
	if old != nil {
		return old
	}
	return err
}
