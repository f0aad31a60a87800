package manifest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/pelletier/go-toml/v2"

	"wasmsite/server/internal/allowlist"
)

// Loader loads manifests; the zero Loader is what Load and Parse use.
type Loader struct {
	// CacheDir is the download cache dir in which remote sources (source = { url,
	// digest }) are found, as `spin up --cache-dir` (see CachedSourcePath); ""
	// is DefaultCacheDir.
	CacheDir string
}

// Load reads a manifest file, or the spin.toml in a directory, detects the version
// (spin_version / spin_manifest_version = "1" string → v1; spin_manifest_version = 2
// integer → v2), validates it and returns the normalised App with absolute paths.
func Load(path string) (*App, error) { return Loader{}.Load(path) }

// Parse is Load from bytes; dir resolves relative paths (App.Path is dir/spin.toml).
func Parse(data []byte, dir string) (*App, error) { return Loader{}.Parse(data, dir) }

// Load is the package's Load with the loader's settings. Errors name the manifest
// file, and the line and field where the parser knows them.
func (l Loader) Load(path string) (*App, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		abs = filepath.Join(abs, "spin.toml")
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	return l.parse(data, filepath.Dir(abs), abs)
}

// Parse is the package's Parse with the loader's settings.
func (l Loader) Parse(data []byte, dir string) (*App, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	return l.parse(data, abs, filepath.Join(abs, "spin.toml"))
}

type versionProbe struct {
	SpinVersion         any `toml:"spin_version"`
	SpinManifestVersion any `toml:"spin_manifest_version"`
}

func (l Loader) parse(data []byte, dir, file string) (*App, error) {
	name := filepath.Base(file)
	var probe versionProbe
	if err := toml.Unmarshal(data, &probe); err != nil {
		return nil, tomlError(name, err)
	}
	v, err := detectVersion(probe)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var app *App
	if v == 1 {
		app, err = parseV1(data, dir, name)
	} else {
		app, err = parseV2(data, dir, name)
	}
	if err != nil {
		return nil, err
	}
	if err := l.resolveRemotes(app); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	app.Dir = dir
	app.Path = file
	app.ManifestVersion = v
	return app, nil
}

// resolveRemotes points each remote-source component at its checked copy in the
// download cache.
func (l Loader) resolveRemotes(app *App) error {
	cacheDir := l.CacheDir
	for _, c := range app.Components {
		if c.Remote == nil {
			continue
		}
		if cacheDir == "" {
			var err error
			if cacheDir, err = DefaultCacheDir(); err != nil {
				return fmt.Errorf("component %q: no download cache dir for its remote source (%v): give one with `server up --cache-dir`", c.ID, err)
			}
		}
		var err error
		if c.Source, err = cachedSource(cacheDir, c.Remote); err != nil {
			return fmt.Errorf("component %q: %w", c.ID, err)
		}
	}
	return nil
}

func detectVersion(p versionProbe) (int, error) {
	if p.SpinVersion != nil && p.SpinManifestVersion != nil {
		return 0, errors.New("both spin_version and spin_manifest_version are set; use only spin_manifest_version")
	}
	v := p.SpinManifestVersion
	key := "spin_manifest_version"
	if v == nil {
		v, key = p.SpinVersion, "spin_version"
	}
	switch x := v.(type) {
	case nil:
		return 0, errors.New(`missing field "spin_manifest_version" (use spin_manifest_version = 2, or "1" for a Spin 1.x manifest)`)
	case string:
		if x == "1" {
			return 1, nil
		}
		if x == "2" && key == "spin_manifest_version" {
			return 0, errors.New(`spin_manifest_version = "2" must be the integer 2, not a string`)
		}
		return 0, fmt.Errorf("unsupported %s %q (expected \"1\" or 2)", key, x)
	case int64:
		if x == 2 && key == "spin_manifest_version" {
			return 2, nil
		}
		if x == 1 {
			return 0, fmt.Errorf(`%s = 1 must be the string "1"`, key)
		}
		return 0, fmt.Errorf("unsupported %s %d (expected \"1\" or 2)", key, x)
	default:
		return 0, fmt.Errorf("invalid %s %v (expected \"1\" or 2)", key, v)
	}
}

// rawVariable is a [variables] entry (both versions).
type rawVariable struct {
	Default  *string `toml:"default"`
	Required bool    `toml:"required"`
	Secret   bool    `toml:"secret"`
}

func convertVariables(file string, raw map[string]rawVariable, version int) (map[string]Variable, error) {
	out := make(map[string]Variable, len(raw))
	for _, name := range sortedKeys(raw) {
		rv := raw[name]
		if err := validateName(name, version); err != nil {
			return nil, fmt.Errorf("%s: variable %q: invalid name: %v", file, name, err)
		}
		if rv.Required == (rv.Default != nil) {
			return nil, fmt.Errorf("%s: variable %q: exactly one of \"required = true\" or \"default\" must be set", file, name)
		}
		out[name] = Variable{Default: rv.Default, Required: rv.Required, Secret: rv.Secret}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// commonComponent carries the fields shared by v1 and v2 components.
type commonComponent struct {
	Source         any               `toml:"source"`
	Description    string            `toml:"description"`
	Files          []any             `toml:"files"`
	ExcludeFiles   []string          `toml:"exclude_files"`
	Environment    map[string]string `toml:"environment"`
	KeyValueStores []string          `toml:"key_value_stores"`
	SQLite         []string          `toml:"sqlite_databases"`
	AIModels       []string          `toml:"ai_models"`
	Build          *rawBuild         `toml:"build"`
}

type rawBuild struct {
	Command any      `toml:"command"`
	Workdir string   `toml:"workdir"`
	Watch   []string `toml:"watch"`
}

// fillCommon converts the shared component fields; errors are returned unprefixed.
func fillCommon(c *Component, rc *commonComponent, dir string, vars map[string]Variable, version int) error {
	c.Description = rc.Description
	var err error
	if c.Source, c.Remote, err = componentSource(rc.Source, dir); err != nil {
		return err
	}
	if c.Files, err = expandFiles(dir, rc.Files, rc.ExcludeFiles); err != nil {
		return err
	}
	if c.Environment, err = componentEnv(rc.Environment, vars); err != nil {
		return err
	}
	if err := checkLabels(rc, version); err != nil {
		return err
	}
	c.KeyValueStores = append([]string{}, rc.KeyValueStores...)
	c.SQLiteDatabases = append([]string{}, rc.SQLite...)
	c.AIModels = append([]string{}, rc.AIModels...)
	c.Build, err = componentBuild(rc.Build, dir)
	return err
}

// componentSource reads a component's source: the absolute path of a file path, or a
// remote source (its path is found in the download cache later, by the Loader).
func componentSource(source any, dir string) (string, *RemoteSource, error) {
	switch s := source.(type) {
	case nil:
		return "", nil, errors.New(`missing field "source"`)
	case string:
		if s == "" {
			return "", nil, errors.New(`field "source" must not be empty`)
		}
		if filepath.IsAbs(s) {
			return filepath.Clean(s), nil, nil
		}
		return filepath.Join(dir, filepath.FromSlash(s)), nil, nil
	case map[string]any:
		r, err := parseRemoteSource(s)
		return "", r, err
	default:
		return "", nil, fmt.Errorf(`field "source": expected a file path string or { url, digest }, found %T`, source)
	}
}

// componentEnv checks the environment's names and templates.
func componentEnv(env map[string]string, vars map[string]Variable) (map[string]string, error) {
	out := map[string]string{}
	for _, k := range sortedKeys(env) {
		v := env[k]
		if k == "" || containsAny(k, "=\x00") {
			return nil, fmt.Errorf("environment: invalid variable name %q", k)
		}
		if err := checkTemplate(v, vars); err != nil {
			return nil, fmt.Errorf("environment %q: %v", k, err)
		}
		out[k] = v
	}
	return out, nil
}

// checkLabels checks the key-value store and SQLite labels and AI model names by the
// manifest version's rules: v2's kebab-case or snake_case labels; v1's are any non-empty
// string, as Spin 2.x and 3.x read v1 (spin@v2.7.0 crates/manifest/src/compat.rs copies
// key_value_stores and sqlite_databases without the v2 check).
func checkLabels(rc *commonComponent, version int) error {
	for _, l := range rc.KeyValueStores {
		if version == 2 {
			if err := validateV2Label(l, "key-value store label"); err != nil {
				return fmt.Errorf("key_value_stores: %v", err)
			}
		} else if l == "" {
			// Spin 2.x and 3.x take any v1 label (compat.rs copies them unchecked).
			return errors.New("key_value_stores: empty label")
		}
	}
	for _, l := range rc.SQLite {
		if version == 2 {
			if err := validateV2Label(l, "SQLite database label"); err != nil {
				return fmt.Errorf("sqlite_databases: %v", err)
			}
		} else if l == "" {
			return errors.New("sqlite_databases: empty label")
		}
	}
	for _, mdl := range rc.AIModels {
		if version == 2 {
			if err := validateWords(mdl, '-', "AI model"); err != nil {
				return fmt.Errorf("ai_models: %v", err)
			}
		} else if mdl == "" {
			return errors.New("ai_models: empty model name")
		}
	}
	return nil
}

// componentBuild converts [component.build] (nil when absent); errors name the field.
func componentBuild(rb *rawBuild, dir string) (*Build, error) {
	if rb == nil {
		return nil, nil
	}
	cmds, err := buildCommands(rb.Command)
	if err != nil {
		return nil, fmt.Errorf("build: %v", err)
	}
	wd := dir
	if rb.Workdir != "" {
		if filepath.IsAbs(rb.Workdir) {
			return nil, fmt.Errorf("build: workdir %q must be relative to the manifest directory", rb.Workdir)
		}
		wd = filepath.Join(dir, filepath.FromSlash(rb.Workdir))
	}
	return &Build{Commands: cmds, Workdir: wd, Watch: append([]string{}, rb.Watch...)}, nil
}

// buildCommands reads `command`: a string, or a non-empty array of strings (Spin 3);
// an empty command is an error.
func buildCommands(v any) ([]string, error) {
	switch c := v.(type) {
	case nil:
		return nil, errors.New(`missing field "command"`)
	case string:
		if c == "" {
			return nil, errors.New(`field "command" must not be empty`)
		}
		return []string{c}, nil
	case []any:
		if len(c) == 0 {
			return nil, errors.New(`field "command" must not be an empty array`)
		}
		cmds := make([]string, len(c))
		for i, e := range c {
			s, ok := e.(string)
			if !ok || s == "" {
				return nil, fmt.Errorf(`command[%d]: expected a non-empty string`, i)
			}
			cmds[i] = s
		}
		return cmds, nil
	}
	return nil, errors.New(`field "command" must be a string or an array of strings`)
}

func containsAny(s, chars string) bool {
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(chars); j++ {
			if s[i] == chars[j] {
				return true
			}
		}
	}
	return false
}

// checkConfig validates component config keys (variable name rules) and templates.
func checkConfig(cfg map[string]string, vars map[string]Variable, field string, version int) (map[string]string, error) {
	out := make(map[string]string, len(cfg))
	for _, k := range sortedKeys(cfg) {
		if err := validateName(k, version); err != nil {
			return nil, fmt.Errorf("%s: invalid key: %v", field, err)
		}
		if err := checkTemplate(cfg[k], vars); err != nil {
			return nil, fmt.Errorf("%s %q: %v", field, k, err)
		}
		out[k] = cfg[k]
	}
	return out, nil
}

// checkHosts validates allow-list entries: templates must reference declared variables and
// literal entries must parse in the given syntax.
func checkHosts(entries []string, vars map[string]Variable, field string, version int) error {
	for _, e := range entries {
		if isTemplate(e) {
			if err := checkTemplate(e, vars); err != nil {
				return fmt.Errorf("%s: %v", field, err)
			}
			continue
		}
		if _, err := allowlist.Parse([]string{e}, version); err != nil {
			return fmt.Errorf("%s: %v", field, err)
		}
	}
	return nil
}
