// Package variable resolves a Spin application's variables and renders the
// `{{ name }}` templates that use them (component config, environment, allowed hosts,
// Redis addresses), as Spin 1.x does (crates/variables; ../shared/reference/spin-1x.md).
package variable

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"wasmsite/server/manifest"
)

// Resolver resolves application variables. For a variable "name" it looks, in order, at
// SPIN_VARIABLE_NAME and SPIN_CONFIG_NAME (upper-cased name) in the process environment
// (lookupEnv), then the same two keys in the .env file of the application directory, then
// the runtime config's providers, then the declared default. Values are resolved once,
// by NewResolver.
type Resolver struct {
	vars   map[string]manifest.Variable
	values map[string]string // resolved values; missing for required variables without one
}

// EnvKeys returns the environment keys consulted for a variable, in precedence order.
func EnvKeys(name string) []string {
	u := strings.ToUpper(name)
	return []string{"SPIN_VARIABLE_" + u, "SPIN_CONFIG_" + u}
}

// source is one provider of values: the keys it reads for a variable, looked up in the
// process environment and then in its dotenv file (nil: none).
type source struct {
	keys   func(name string) []string
	dotenv map[string]string
}

// lookup returns the value source s has for name.
func (s source) lookup(name string, lookupEnv func(string) (string, bool)) (string, bool) {
	keys := s.keys(name)
	for _, k := range keys {
		if v, ok := lookupEnv(k); ok {
			return v, true
		}
	}
	for _, k := range keys {
		if v, ok := s.dotenv[k]; ok {
			return v, true
		}
	}
	return "", false
}

// NewResolver resolves app's variables from the default provider (the environment,
// then the app's .env) and then the runtime config's [[config_provider]] entries, in
// order, before the declared default, as in Spin. An "env" provider reads
// <Prefix>_<NAME> from lookupEnv, then from its DotenvPath file if set; "vault" providers
// are not supported (error). lookupEnv may be nil (os.LookupEnv). A missing .env file is
// fine; an unreadable or malformed one is an error naming the line.
func NewResolver(app *manifest.App, lookupEnv func(string) (string, bool), providers []manifest.ConfigProvider) (*Resolver, error) {
	extra, err := providerSources(providers)
	if err != nil {
		return nil, err
	}
	def, err := defaultSource(app)
	if err != nil {
		return nil, err
	}
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	sources := append([]source{def}, extra...)
	r := &Resolver{vars: app.Variables, values: map[string]string{}}
	if r.vars == nil {
		r.vars = map[string]manifest.Variable{}
	}
	for name, v := range r.vars {
		if val, ok := resolve(name, sources, lookupEnv); ok {
			r.values[name] = val
		} else if v.Default != nil {
			r.values[name] = *v.Default
		}
	}
	return r, nil
}

// resolve returns the value of the first source that has one for name.
func resolve(name string, sources []source, lookupEnv func(string) (string, bool)) (string, bool) {
	for _, s := range sources {
		if v, ok := s.lookup(name, lookupEnv); ok {
			return v, true
		}
	}
	return "", false
}

// defaultSource is Spin's default provider: EnvKeys, in the environment and in the
// app's .env.
func defaultSource(app *manifest.App) (source, error) {
	s := source{keys: EnvKeys}
	if app.Dir == "" {
		return s, nil
	}
	var err error
	s.dotenv, err = readOptionalDotenv(filepath.Join(app.Dir, ".env"))
	return s, err
}

// providerSources are the runtime config's providers, each reading <Prefix>_<NAME>.
func providerSources(providers []manifest.ConfigProvider) ([]source, error) {
	var out []source
	for i, p := range providers {
		if p.Type != "env" {
			return nil, fmt.Errorf("config_provider[%d]: type %q is not supported", i, p.Type)
		}
		s := source{keys: func(name string) []string { return []string{p.Prefix + "_" + strings.ToUpper(name)} }}
		if p.DotenvPath != "" {
			var err error
			if s.dotenv, err = readOptionalDotenv(p.DotenvPath); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// readOptionalDotenv is ReadDotenv, with a missing file read as empty.
func readOptionalDotenv(path string) (map[string]string, error) {
	m, err := ReadDotenv(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return m, err
}

// ReadDotenv parses a .env file: KEY=VALUE lines, optional "export " prefix, blank lines
// and "#" comments ignored, values optionally in single or double quotes (double-quoted
// values understand \n, \t, \" and \\); an unquoted value ends at " #".
func ReadDotenv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("%s:%d: expected KEY=VALUE", path, n)
		}
		v = strings.TrimSpace(v)
		switch {
		case len(v) > 0 && (v[0] == '"' || v[0] == '\''):
			q := v[0]
			end := -1
			for i := 1; i < len(v); i++ {
				if q == '"' && v[i] == '\\' {
					i++
					continue
				}
				if v[i] == q {
					end = i
					break
				}
			}
			if end < 0 {
				return nil, fmt.Errorf("%s:%d: unterminated quoted value for %s", path, n, k)
			}
			rest := strings.TrimSpace(v[end+1:])
			if rest != "" && !strings.HasPrefix(rest, "#") {
				return nil, fmt.Errorf("%s:%d: unexpected text after quoted value for %s", path, n, k)
			}
			v = v[1:end]
			if q == '"' {
				v = strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\"`, `"`, `\\`, `\`).Replace(v)
			}
		default:
			if i := strings.Index(v, " #"); i >= 0 {
				v = strings.TrimSpace(v[:i])
			}
		}
		out[k] = v
	}
	return out, sc.Err()
}

func (r *Resolver) missingError(name string) error {
	return fmt.Errorf("variable %q is required but has no value; set %s", name, EnvKeys(name)[0])
}

// Get returns the value of a declared variable. Undeclared names and required variables
// without a value are errors.
func (r *Resolver) Get(name string) (string, error) {
	if _, ok := r.vars[name]; !ok {
		return "", fmt.Errorf("unknown variable %q", name)
	}
	v, ok := r.values[name]
	if !ok {
		return "", r.missingError(name)
	}
	return v, nil
}

// Render expands `{{ name }}` references in template. An unmatched "{{", an invalid or
// unknown variable, or a required variable without a value is an error.
func (r *Resolver) Render(template string) (string, error) {
	parts, err := manifest.ParseTemplate(template)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Var == "" {
			b.WriteString(p.Lit)
			continue
		}
		v, err := r.Get(p.Var)
		if err != nil {
			return "", err
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// Redact replaces every non-empty secret variable value occurring in s with "***"
// (longest values first).
func (r *Resolver) Redact(s string) string {
	var secrets []string
	for name, v := range r.vars {
		if val := r.values[name]; v.Secret && val != "" {
			secrets = append(secrets, val)
		}
	}
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, "***")
	}
	return s
}

// CheckRequired returns an error listing every required variable without a value, e.g.
// `variable "jwt_secret" is required but has no value; set SPIN_VARIABLE_JWT_SECRET`.
func (r *Resolver) CheckRequired() error {
	var errs []string
	for _, name := range slices.Sorted(maps.Keys(r.vars)) {
		if _, ok := r.values[name]; !ok {
			errs = append(errs, r.missingError(name).Error())
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errors.New(strings.Join(errs, "; "))
}
