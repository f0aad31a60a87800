package manifest

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"wasmsite/server/internal/testenv"
)

func TestRuntimeConfig(t *testing.T) {
	dir := testenv.TempTree(t, map[string]string{"rc/runtime-config.toml": `state_dir = ".spin"
log_dir = "/var/log/site"

[[config_provider]]
type = "env"
prefix = "SITE"
dotenv_path = "site.env"

[[config_provider]]
type = "env"
prefix = "OTHER"
dotenv_path = "/etc/site.env"

[[config_provider]]
type = "vault"
url = "http://vault:8200"
token = "t"
mount = "secret"
prefix = "site"

[key_value_store.default]
type = "spin"
path = "data/kv.db"

[key_value_store.mem]
type = "spin"

[key_value_store.user_data]
type = "redis"
url = "redis://localhost:6379"

[sqlite_database.default]
type = "spin"
path = "db.sqlite"

[limits]
max_instances = 3
max_queue = 9
max_memory_mb = 64
max_body_mb = 2
max_connections = 500
header_timeout = "5s"
read_timeout = "1m"
write_timeout = "90s"
idle_timeout = "30s"
log_max_mb = 20
log_backups = 2
`})
	cwd, _ := os.Getwd()
	rc, err := LoadRuntimeConfig(filepath.Join(dir, "rc/runtime-config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	rcDir := filepath.Join(dir, "rc")
	// state_dir / log_dir / dotenv_path are relative to the working directory (as in Spin);
	// store paths are relative to the file's directory.
	if rc.StateDir != filepath.Join(cwd, ".spin") || !rc.StateDirSet || rc.LogDir != "/var/log/site" || rc.Path != filepath.Join(rcDir, "runtime-config.toml") {
		t.Fatalf("%+v", rc)
	}
	wantKV := map[string]KVStoreConfig{
		"default":   {Type: "spin", Path: filepath.Join(rcDir, "data/kv.db")},
		"mem":       {Type: "spin"},
		"user_data": {Type: "redis", URL: "redis://localhost:6379"},
	}
	if !reflect.DeepEqual(rc.KeyValueStores, wantKV) {
		t.Fatalf("kv %+v", rc.KeyValueStores)
	}
	wantCP := []ConfigProvider{
		{Type: "env", Prefix: "SITE", DotenvPath: filepath.Join(cwd, "site.env")},
		{Type: "env", Prefix: "OTHER", DotenvPath: "/etc/site.env"},
		{Type: "vault", URL: "http://vault:8200", Token: "t", Mount: "secret", Prefix: "site"},
	}
	if !reflect.DeepEqual(rc.ConfigProviders, wantCP) {
		t.Fatalf("providers %+v", rc.ConfigProviders)
	}
	if !reflect.DeepEqual(rc.SQLiteDatabases, map[string]SQLiteConfig{"default": {Type: "spin", Path: filepath.Join(rcDir, "db.sqlite")}}) {
		t.Fatalf("sqlite %+v", rc.SQLiteDatabases)
	}
	if want := (Limits{MaxInstances: 3, MaxQueue: 9, MaxMemoryMB: 64, MaxBodyMB: 2, MaxConnections: 500,
		HeaderTimeout: 5 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 90 * time.Second, IdleTimeout: 30 * time.Second,
		LogMaxMB: 20, LogBackups: 2}); rc.Limits != want {
		t.Fatalf("limits %+v, want %+v", rc.Limits, want)
	}
	empty, err := ParseRuntimeConfig(nil, "/x/rc.toml")
	if err != nil || empty.StateDir != "" || empty.StateDirSet || len(empty.KeyValueStores) != 0 || empty.ConfigProviders != nil {
		t.Fatalf("%+v %v", empty, err)
	}
	unset, err := ParseRuntimeConfig([]byte("state_dir = \"\"\n"), "/x/rc.toml")
	if err != nil || unset.StateDir != "" || !unset.StateDirSet {
		t.Fatalf("%+v %v", unset, err)
	}
}

// [http_cache] size takes bytes or a size with a unit; 0 turns the cache off (-1).
func TestRuntimeConfigHTTPCache(t *testing.T) {
	for in, want := range map[string]int64{
		"":                                 0,
		"[http_cache]\n":                   0,
		"[http_cache]\nsize = \"64MiB\"\n": 64 << 20,
		"[http_cache]\nsize = \"1 GB\"\n":  1e9,
		"[http_cache]\nsize = 4096\n":      4096,
		"[http_cache]\nsize = 0\n":         -1,
		"[http_cache]\nsize = \"0\"\n":     -1,
	} {
		rc, err := ParseRuntimeConfig([]byte(in), "/x/rc.toml")
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if rc.HTTPCacheSize != want {
			t.Errorf("%q: size %d, want %d", in, rc.HTTPCacheSize, want)
		}
	}
}

func TestRuntimeConfigErrors(t *testing.T) {
	cases := map[string]string{
		"statedir = \"x\"\n": `rc.toml:1:1: unknown field "statedir"`,
		"[key_value_store.default]\ntype = \"spin\"\nfile = \"x\"\n":     `rc.toml:3:1: unknown field "file" (in key_value_store.default)`,
		"[key_value_store.default]\ntype = \"memcached\"\n":              `key_value_store.default: unsupported type "memcached"`,
		"[key_value_store.default]\npath = \"x\"\n":                      `key_value_store.default: missing field "type"`,
		"[key_value_store.cache]\ntype = \"redis\"\n":                    `key_value_store.cache: missing field "url"`,
		"[key_value_store.cache]\ntype = \"spin\"\nurl = \"redis://\"\n": `key_value_store.cache: field "url" is not valid for type "spin"`,
		"[[config_provider]]\ntype = \"env\"\npath = \"x\"\n":            `rc.toml:3:1: unknown field "path" (in config_provider)`,
		"[[config_provider]]\ntype = \"consul\"\n":                       `config_provider[0]: unsupported type "consul"`,
		"[[config_provider]]\ntype = \"vault\"\nurl = \"u\"\n":           `config_provider[0]: missing field "token"`,
		"[sqlite_database.db]\ntype = \"spin\"\nurl = \"x\"\n":           `sqlite_database.db: type "spin" accepts only path`,
		"state_dir = 3\n":                       `rc.toml:1:13: field "state_dir": expected a string, found TOML integer`,
		"[limits]\nmax_instances = -1\n":        `rc.toml: limits.max_instances: must not be negative, got -1`,
		"[limits]\nmax_memory = 5\n":            `rc.toml:2:1: unknown field "max_memory" (in limits)`,
		"[http_cache]\nsize = \"64 parsecs\"\n": `rc.toml: http_cache.size: "64 parsecs" is not a size`,
		"[http_cache]\nsize = -1\n":             `rc.toml: http_cache.size: must not be negative, got -1`,
		"[http_cache]\nsize = true\n":           `rc.toml: http_cache.size: expected a number of bytes`,
		"[http_cache]\nbytes = 1\n":             `rc.toml:2:1: unknown field "bytes" (in http_cache)`,
	}
	for in, msg := range cases {
		_, err := ParseRuntimeConfig([]byte(in), "/x/rc.toml")
		wantErr(t, err, msg)
	}
	_, err := LoadRuntimeConfig(filepath.Join(t.TempDir(), "missing.toml"))
	wantErr(t, err, "reading runtime config")
	_ = os.ErrNotExist
}
