package manifest

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Resolver resolves application variables. For a variable "name" it looks, in order, at
// SPIN_VARIABLE_NAME and SPIN_CONFIG_NAME (upper-cased name) in the process environment
// (lookupEnv), then the same two keys in the .env file of the application directory, then
// the declared default. Values are resolved once, by NewResolver.
type Resolver struct {
	vars   map[string]Variable
	values map[string]string // resolved values; missing for required variables without one
}

// EnvKeys returns the environment keys consulted for a variable, in precedence order.
func EnvKeys(name string) []string {
	u := strings.ToUpper(name)
	return []string{"SPIN_VARIABLE_" + u, "SPIN_CONFIG_" + u}
}

// NewResolver resolves app's variables. lookupEnv may be nil (os.LookupEnv). A missing
// .env file is fine; an unreadable or malformed one is an error naming the line.
func NewResolver(app *App, lookupEnv func(string) (string, bool)) (*Resolver, error) {
	return NewResolverWithProviders(app, lookupEnv, nil)
}

// NewResolverWithProviders is NewResolver plus the runtime config's [[config_provider]]
// entries, consulted in order after the default provider (environment, then the app's .env)
// and before the declared default, as in Spin. An "env" provider reads <Prefix>_<NAME>
// from lookupEnv, then from its DotenvPath file if set. "vault" providers are not supported
// (error).
func NewResolverWithProviders(app *App, lookupEnv func(string) (string, bool), providers []ConfigProvider) (*Resolver, error) {
	type source struct {
		keys   func(name string) []string
		dotenv map[string]string
	}
	var extra []source
	for i, p := range providers {
		if p.Type != "env" {
			return nil, fmt.Errorf("config_provider[%d]: type %q is not supported", i, p.Type)
		}
		var dotenv map[string]string
		if p.DotenvPath != "" {
			var err error
			dotenv, err = ReadDotenv(p.DotenvPath)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
		prefix := p.Prefix
		extra = append(extra, source{keys: func(name string) []string { return []string{prefix + "_" + strings.ToUpper(name)} }, dotenv: dotenv})
	}
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	var dotenv map[string]string
	if app.Dir != "" {
		var err error
		dotenv, err = ReadDotenv(filepath.Join(app.Dir, ".env"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	r := &Resolver{vars: app.Variables, values: map[string]string{}}
	if r.vars == nil {
		r.vars = map[string]Variable{}
	}
	for name, v := range r.vars {
		keys := EnvKeys(name)
		found := false
		for _, k := range keys {
			if val, ok := lookupEnv(k); ok {
				r.values[name], found = val, true
				break
			}
		}
		if !found {
			for _, k := range keys {
				if val, ok := dotenv[k]; ok {
					r.values[name], found = val, true
					break
				}
			}
		}
		for _, src := range extra {
			if found {
				break
			}
			for _, k := range src.keys(name) {
				if val, ok := lookupEnv(k); ok {
					r.values[name], found = val, true
				} else if val, ok := src.dotenv[k]; ok {
					r.values[name], found = val, true
				}
				if found {
					break
				}
			}
		}
		if !found && v.Default != nil {
			r.values[name] = *v.Default
		}
	}
	return r, nil
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
	parts, err := parseTemplate(template)
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

// IsSecret reports whether name is a declared secret variable.
func (r *Resolver) IsSecret(name string) bool { return r.vars[name].Secret }

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
	for _, name := range sortedKeys(r.vars) {
		if _, ok := r.values[name]; !ok {
			errs = append(errs, r.missingError(name).Error())
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errors.New(strings.Join(errs, "; "))
}
