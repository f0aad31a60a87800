package manifest

import (
	"cmp"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/dustin/go-humanize"
)

// RuntimeConfig is the --runtime-config-file TOML (spin@v1.5.1 crates/trigger/src/runtime_config.rs).
// Unknown fields are errors naming the field. As in Spin, state_dir, log_dir and
// dotenv_path are used as given (relative paths are relative to the working directory;
// they are returned made absolute), while key_value_store / sqlite_database paths are
// relative to the directory of the file.
type RuntimeConfig struct {
	// Path is the absolute path of the file.
	Path string
	// StateDir is state_dir made absolute; "" if unset or set to "".
	StateDir string
	// StateDirSet reports that state_dir appeared in the file; with StateDir == "" it
	// means `state_dir = ""`, which forces no state dir (in-memory stores, no log files).
	StateDirSet bool
	// LogDir is log_dir made absolute; "" if unset (default <state_dir>/logs).
	LogDir string
	// KeyValueStores are the [key_value_store.<label>] tables by label.
	KeyValueStores map[string]KVStoreConfig
	// SQLiteDatabases are the [sqlite_database.<label>] tables by label (parsed only).
	SQLiteDatabases map[string]SQLiteConfig
	// ConfigProviders are the [[config_provider]] entries in file order.
	ConfigProviders []ConfigProvider
	// LLMCompute is the [llm_compute] table when present (parsed only).
	LLMCompute *LLMComputeConfig
	// Limits is the [limits] table (a wasmsite extension): zero fields are unset.
	Limits Limits
	// HTTPCacheSize is [http_cache] size (a wasmsite extension), in bytes: 0 when
	// unset, -1 when set to 0 (no cache). The file gives it as bytes or as a string
	// with a unit ("64MiB", "1 GB").
	HTTPCacheSize int64
	// TLS is the [tls] table (a wasmsite extension): HTTPS, its certificates and
	// listeners. File paths in it are relative to the file's directory.
	TLS TLS
}

// Limits bound each component's instances and requests ([limits] in the runtime config;
// the host's flags of the same names override them). Zero means unset.
type Limits struct {
	// MaxInstances caps a component's concurrent instances (max_instances).
	MaxInstances int
	// MaxQueue caps the requests waiting for a busy component's instance (max_queue).
	MaxQueue int
	// MaxMemoryMB caps one instance's linear memory, in MiB (max_memory_mb).
	MaxMemoryMB int
	// MaxBodyMB caps a request body, in MiB (max_body_mb).
	MaxBodyMB int
	// MaxConnections caps the HTTP listener's open connections (max_connections); more
	// wait in the kernel's accept queue.
	MaxConnections int
	// HeaderTimeout bounds reading a request's headers (header_timeout); ReadTimeout
	// reading a whole request, body included (read_timeout); WriteTimeout a request from
	// the end of its headers to the end of its response (write_timeout); IdleTimeout a
	// keep-alive connection's wait for its next request (idle_timeout). The file gives
	// them as Go durations ("30s", "2m").
	HeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// LogMaxMB caps each of a component's log files, in MiB (log_max_mb); a full file
	// is rotated, keeping LogBackups old ones (log_backups), compressed.
	LogMaxMB, LogBackups int
}

// KVStoreConfig is a [key_value_store.<label>] table. Type "spin": SQLite at Path (absolute;
// "" means in-memory). Type "redis": URL. Type "azure_cosmos": Key, Account, Database,
// Container (parsed only).
type KVStoreConfig struct {
	Type, Path, URL string
	Key, Account    string
	Database        string
	Container       string
}

// SQLiteConfig is a [sqlite_database.<label>] table: type "spin" (Path) or "libsql" (URL, Token).
type SQLiteConfig struct {
	Type, Path, URL, Token string
}

// ConfigProvider is a [[config_provider]] entry. Type "env": Prefix (required) and
// DotenvPath (absolute; "" if unset); a variable "name" is read from <Prefix>_NAME.
// Type "vault": URL, Token, Mount, optional Prefix.
type ConfigProvider struct {
	Type       string
	Prefix     string
	DotenvPath string
	URL        string
	Token      string
	Mount      string
}

// LLMComputeConfig is the [llm_compute] table: type "spin" or "remote_http" (URL, AuthToken).
type LLMComputeConfig struct {
	Type, URL, AuthToken string
}

type rawRuntimeConfig struct {
	StateDir       *string                  `toml:"state_dir"`
	LogDir         *string                  `toml:"log_dir"`
	ConfigProvider []rawConfigProvider      `toml:"config_provider"`
	KeyValueStore  map[string]rawKVStore    `toml:"key_value_store"`
	SQLiteDatabase map[string]rawSQLiteConf `toml:"sqlite_database"`
	LLMCompute     *rawLLMCompute           `toml:"llm_compute"`
	Limits         *rawLimits               `toml:"limits"`
	HTTPCache      *rawHTTPCache            `toml:"http_cache"`
	TLS            *rawTLS                  `toml:"tls"`
}

type rawHTTPCache struct {
	Size any `toml:"size"`
}

// convert reads [http_cache]: the size in bytes, 0 when unset, -1 when set to 0.
func (c rawHTTPCache) convert(file string) (int64, error) {
	if c.Size == nil {
		return 0, nil
	}
	n, err := ParseSize(c.Size)
	if err != nil {
		return 0, fmt.Errorf("%s: http_cache.size: %w", file, err)
	}
	return cmp.Or(n, -1), nil
}

type rawLimits struct {
	MaxInstances   int    `toml:"max_instances"`
	MaxQueue       int    `toml:"max_queue"`
	MaxMemoryMB    int    `toml:"max_memory_mb"`
	MaxBodyMB      int    `toml:"max_body_mb"`
	MaxConnections int    `toml:"max_connections"`
	HeaderTimeout  string `toml:"header_timeout"`
	ReadTimeout    string `toml:"read_timeout"`
	WriteTimeout   string `toml:"write_timeout"`
	IdleTimeout    string `toml:"idle_timeout"`
	LogMaxMB       int    `toml:"log_max_mb"`
	LogBackups     int    `toml:"log_backups"`
}

type rawConfigProvider struct {
	Type       string  `toml:"type"`
	Prefix     *string `toml:"prefix"`
	DotenvPath string  `toml:"dotenv_path"`
	URL        string  `toml:"url"`
	Token      string  `toml:"token"`
	Mount      string  `toml:"mount"`
}

type rawKVStore struct {
	Type      string `toml:"type"`
	Path      string `toml:"path"`
	URL       string `toml:"url"`
	Key       string `toml:"key"`
	Account   string `toml:"account"`
	Database  string `toml:"database"`
	Container string `toml:"container"`
}

type rawSQLiteConf struct {
	Type  string `toml:"type"`
	Path  string `toml:"path"`
	URL   string `toml:"url"`
	Token string `toml:"token"`
}

type rawLLMCompute struct {
	Type      string `toml:"type"`
	URL       string `toml:"url"`
	AuthToken string `toml:"auth_token"`
}

// LoadRuntimeConfig reads and validates a runtime config file.
func LoadRuntimeConfig(path string) (*RuntimeConfig, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("reading runtime config: %w", err)
	}
	return ParseRuntimeConfig(data, abs)
}

// ParseRuntimeConfig is LoadRuntimeConfig from bytes; path names the file (for messages and
// for resolving relative paths).
func ParseRuntimeConfig(data []byte, path string) (*RuntimeConfig, error) {
	file := filepath.Base(path)
	var raw rawRuntimeConfig
	if err := decodeTOML(file, data, &raw); err != nil {
		return nil, err
	}
	rc := &RuntimeConfig{Path: path, KeyValueStores: map[string]KVStoreConfig{}, SQLiteDatabases: map[string]SQLiteConfig{}}
	var err error
	if raw.StateDir != nil {
		rc.StateDirSet = true
		if rc.StateDir, err = cwdAbs(*raw.StateDir); err != nil {
			return nil, err
		}
	}
	if raw.LogDir != nil {
		if rc.LogDir, err = cwdAbs(*raw.LogDir); err != nil {
			return nil, err
		}
	}
	for i, p := range raw.ConfigProvider {
		cp, err := p.convert(fmt.Sprintf("%s: config_provider[%d]", file, i))
		if err != nil {
			return nil, err
		}
		rc.ConfigProviders = append(rc.ConfigProviders, cp)
	}
	dir := filepath.Dir(path)
	for _, label := range sortedKeys(raw.KeyValueStore) {
		if rc.KeyValueStores[label], err = raw.KeyValueStore[label].convert(fmt.Sprintf("%s: key_value_store.%s", file, label), dir); err != nil {
			return nil, err
		}
	}
	for _, label := range sortedKeys(raw.SQLiteDatabase) {
		if rc.SQLiteDatabases[label], err = raw.SQLiteDatabase[label].convert(fmt.Sprintf("%s: sqlite_database.%s", file, label), dir); err != nil {
			return nil, err
		}
	}
	if raw.LLMCompute != nil {
		rc.LLMCompute = &LLMComputeConfig{Type: raw.LLMCompute.Type, URL: raw.LLMCompute.URL, AuthToken: raw.LLMCompute.AuthToken}
	}
	if raw.Limits != nil {
		if rc.Limits, err = raw.Limits.convert(file); err != nil {
			return nil, err
		}
	}
	if raw.HTTPCache != nil {
		if rc.HTTPCacheSize, err = raw.HTTPCache.convert(file); err != nil {
			return nil, err
		}
	}
	if raw.TLS != nil {
		if rc.TLS, err = raw.TLS.convert(file, dir); err != nil {
			return nil, err
		}
	}
	return rc, nil
}

// ParseSize reads a size in bytes: a non-negative integer, or a string of a number and
// an optional unit, decimal or binary ("64MiB", "1.5 GB", "512k"), as
// go-humanize.ParseBytes reads it. It fails on negative numbers, unknown units and other
// types.
func ParseSize(v any) (int64, error) {
	switch v := v.(type) {
	case int64:
		if v < 0 {
			return 0, fmt.Errorf("must not be negative, got %d", v)
		}
		return v, nil
	case string:
		n, err := humanize.ParseBytes(v)
		if err != nil || n > math.MaxInt64 {
			return 0, fmt.Errorf("%q is not a size (examples: 64MiB, 1GB, 0)", v)
		}
		return int64(n), nil
	default:
		return 0, fmt.Errorf("expected a number of bytes or a string such as \"64MiB\", got %v", v)
	}
}

// relAbs resolves p against dir (the config file's directory); "" stays "".
func relAbs(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, filepath.FromSlash(p))
}

// cwdAbs resolves p against the working directory, as Spin does for state_dir, log_dir
// and dotenv_path; "" stays "".
func cwdAbs(p string) (string, error) {
	if p == "" || filepath.IsAbs(p) {
		return p, nil
	}
	return filepath.Abs(p)
}

// convert checks a [[config_provider]] entry: "env" or "vault" with their own fields.
func (p rawConfigProvider) convert(where string) (ConfigProvider, error) {
	switch p.Type {
	case "env":
		if p.URL != "" || p.Token != "" || p.Mount != "" {
			return ConfigProvider{}, fmt.Errorf("%s: type \"env\" accepts only prefix and dotenv_path", where)
		}
		if p.Prefix == nil {
			return ConfigProvider{}, fmt.Errorf("%s: missing field \"prefix\"", where)
		}
		cp := ConfigProvider{Type: "env", Prefix: *p.Prefix}
		var err error
		cp.DotenvPath, err = cwdAbs(p.DotenvPath)
		return cp, err
	case "vault":
		if p.DotenvPath != "" {
			return ConfigProvider{}, fmt.Errorf("%s: type \"vault\" does not accept dotenv_path", where)
		}
		for _, f := range []struct{ k, v string }{{"url", p.URL}, {"token", p.Token}, {"mount", p.Mount}} {
			if f.v == "" {
				return ConfigProvider{}, fmt.Errorf("%s: missing field %q", where, f.k)
			}
		}
		cp := ConfigProvider{Type: "vault", URL: p.URL, Token: p.Token, Mount: p.Mount}
		if p.Prefix != nil {
			cp.Prefix = *p.Prefix
		}
		return cp, nil
	case "":
		return ConfigProvider{}, fmt.Errorf("%s: missing field \"type\"", where)
	default:
		return ConfigProvider{}, fmt.Errorf("%s: unsupported type %q (expected \"env\" or \"vault\")", where, p.Type)
	}
}

// convert checks a [key_value_store.<label>] table: the fields its type takes.
func (s rawKVStore) convert(where, dir string) (KVStoreConfig, error) {
	check := func(allowed map[string]bool) error {
		for k, v := range map[string]string{"path": s.Path, "url": s.URL, "key": s.Key, "account": s.Account, "database": s.Database, "container": s.Container} {
			if v != "" && !allowed[k] {
				return fmt.Errorf("%s: field %q is not valid for type %q", where, k, s.Type)
			}
		}
		return nil
	}
	var err error
	switch s.Type {
	case "spin":
		err = check(map[string]bool{"path": true})
	case "redis":
		err = check(map[string]bool{"url": true})
		if err == nil && s.URL == "" {
			err = fmt.Errorf("%s: missing field \"url\"", where)
		}
	case "azure_cosmos":
		err = check(map[string]bool{"key": true, "account": true, "database": true, "container": true})
	case "":
		err = fmt.Errorf("%s: missing field \"type\"", where)
	default:
		err = fmt.Errorf("%s: unsupported type %q (expected \"spin\", \"redis\" or \"azure_cosmos\")", where, s.Type)
	}
	return KVStoreConfig{Type: s.Type, Path: relAbs(dir, s.Path), URL: s.URL, Key: s.Key, Account: s.Account, Database: s.Database, Container: s.Container}, err
}

// convert checks a [sqlite_database.<label>] table: the fields its type takes.
func (s rawSQLiteConf) convert(where, dir string) (SQLiteConfig, error) {
	switch s.Type {
	case "spin":
		if s.URL != "" || s.Token != "" {
			return SQLiteConfig{}, fmt.Errorf("%s: type \"spin\" accepts only path", where)
		}
	case "libsql":
		if s.Path != "" {
			return SQLiteConfig{}, fmt.Errorf("%s: type \"libsql\" accepts only url and token", where)
		}
	case "":
		return SQLiteConfig{}, fmt.Errorf("%s: missing field \"type\"", where)
	default:
		return SQLiteConfig{}, fmt.Errorf("%s: unsupported type %q (expected \"spin\" or \"libsql\")", where, s.Type)
	}
	return SQLiteConfig{Type: s.Type, Path: relAbs(dir, s.Path), URL: s.URL, Token: s.Token}, nil
}

// convert checks [limits]: no negative value.
func (l *rawLimits) convert(file string) (Limits, error) {
	for _, f := range []struct {
		name string
		v    int
	}{{"max_instances", l.MaxInstances}, {"max_queue", l.MaxQueue}, {"max_memory_mb", l.MaxMemoryMB},
		{"max_body_mb", l.MaxBodyMB}, {"max_connections", l.MaxConnections}, {"log_max_mb", l.LogMaxMB},
		{"log_backups", l.LogBackups}} {
		if f.v < 0 {
			return Limits{}, fmt.Errorf("%s: limits.%s: must not be negative, got %d", file, f.name, f.v)
		}
	}
	out := Limits{MaxInstances: l.MaxInstances, MaxQueue: l.MaxQueue, MaxMemoryMB: l.MaxMemoryMB, MaxBodyMB: l.MaxBodyMB,
		MaxConnections: l.MaxConnections, LogMaxMB: l.LogMaxMB, LogBackups: l.LogBackups}
	for _, f := range []struct {
		name string
		in   string
		out  *time.Duration
	}{{"header_timeout", l.HeaderTimeout, &out.HeaderTimeout}, {"read_timeout", l.ReadTimeout, &out.ReadTimeout},
		{"write_timeout", l.WriteTimeout, &out.WriteTimeout}, {"idle_timeout", l.IdleTimeout, &out.IdleTimeout}} {
		if f.in == "" {
			continue
		}
		d, err := time.ParseDuration(f.in)
		if err != nil || d <= 0 {
			return Limits{}, fmt.Errorf("%s: limits.%s: %q is not a positive duration (examples: 30s, 2m)", file, f.name, f.in)
		}
		*f.out = d
	}
	return out, nil
}
