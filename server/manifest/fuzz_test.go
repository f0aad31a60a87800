package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

// seedManifests adds the project's manifests (its own and the examples') to a fuzz
// target's seed corpus.
func seedManifests(f *testing.F) {
	paths, _ := filepath.Glob("../../functions/examples/*/spin.toml")
	for _, p := range append(paths, "../../spin.toml") {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("spin_manifest_version = 2\n[application]\nname = \"x\"\n[[trigger.http]]\nroute = \"/...\"\ncomponent = { source = \"a.wasm\" }\n"))
}

// FuzzParse: no manifest makes the parser panic; one it accepts names its components,
// with absolute sources, and every trigger names one of them.
func FuzzParse(f *testing.F) {
	seedManifests(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		app, err := Parse(data, "/app")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		ids := map[string]bool{}
		for _, c := range app.Components {
			if c.ID == "" || !filepath.IsAbs(c.Source) {
				t.Fatalf("component %+v", c)
			}
			ids[c.ID] = true
		}
		for _, tr := range app.HTTPTriggers {
			if !ids[tr.Component] {
				t.Fatalf("HTTP trigger of unknown component %q", tr.Component)
			}
		}
		for _, tr := range app.RedisTriggers {
			if !ids[tr.Component] {
				t.Fatalf("Redis trigger of unknown component %q", tr.Component)
			}
		}
	})
}

// FuzzParseRuntimeConfig: no runtime config makes the parser panic; one it accepts has
// no negative limit.
func FuzzParseRuntimeConfig(f *testing.F) {
	f.Add([]byte("state_dir = \".spin\"\n[key_value_store.default]\ntype = \"spin\"\npath = \"kv.db\"\n"))
	f.Add([]byte("[[config_provider]]\ntype = \"env\"\nprefix = \"X\"\n[limits]\nmax_instances = 2\n"))
	f.Add([]byte("[key_value_store.x]\ntype = \"redis\"\nurl = \"redis://h\"\n"))
	f.Add([]byte("[tls]\ndomains = [\"example.com\"]\nhsts = true\nhttps_listen = \":443\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rc, err := ParseRuntimeConfig(data, "/app/rc.toml")
		if err != nil {
			return
		}
		l := rc.Limits
		if l.MaxInstances < 0 || l.MaxQueue < 0 || l.MaxMemoryMB < 0 || l.MaxBodyMB < 0 {
			t.Fatalf("negative limit accepted: %+v", l)
		}
	})
}
