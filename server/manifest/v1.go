package manifest

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"wasmsite/server/internal/allowlist"
)

// A v1 manifest is read as Spin 2.x and 3.x read it: they convert it to v2 on load
// (crates/manifest/src/schema/v1.rs and compat.rs, alike at spin@v2.7.0 and
// spin@v3.1.2) and take more than Spin 1.x did. Everything Spin 1.x takes is still
// taken (namespace included, which they drop), and unknown fields are still errors.
// What they add, each with its source (spin@v2.7.0 unless a tag is named):
//
//   - version may be left out ("": schema/v1.rs, #[serde(default)]);
//   - the HTTP trigger's base may be left out ("/": crates/http/src/trigger.rs
//     default_base), and a base without a leading "/" gets one
//     (crates/trigger-http/src/lib.rs HttpTrigger::new);
//   - executor = { type = "http" }, Spin 2's name for "spin" (crates/http/src/config.rs);
//   - route = { private = true } (crates/http/src/config.rs, since v2.5);
//   - a Redis [component.trigger] may set its own address
//     (crates/trigger-redis/src/lib.rs RedisTriggerConfig);
//   - allowed_outbound_hosts, with allowed_http_hosts converted after it (compat.rs);
//   - key_value_stores labels are any non-empty string (compat.rs copies them unchecked);
//   - files placements of a single file, from source "" (the manifest dir) and to a
//     destination without a leading "/" (crates/loader/src/local.rs copy_file_mounts);
//   - source = { url, digest }, from the download cache (crates/loader/src/cache.rs;
//     remote.go);
//   - [component.build] command may be an array (spin@v3.1.2 schema/common.rs).
//
// A v1 manifest without components parses in Spin 2.x, but its `spin up` fails ("no
// triggers in app", src/commands/up/app_source.rs); this package refuses it at once,
// naming the missing [[component]].

type v1Manifest struct {
	SpinVersion         any                    `toml:"spin_version"`
	SpinManifestVersion any                    `toml:"spin_manifest_version"`
	Name                *string                `toml:"name"`
	Version             string                 `toml:"version"`
	Description         string                 `toml:"description"`
	Authors             []string               `toml:"authors"`
	Trigger             map[string]any         `toml:"trigger"`
	Namespace           string                 `toml:"namespace"`
	Variables           map[string]rawVariable `toml:"variables"`
	Component           []v1Component          `toml:"component"`
}

type v1Component struct {
	ID *string `toml:"id"`
	commonComponent
	AllowedHTTPHosts []string `toml:"allowed_http_hosts"`
	// AllowedOutboundHosts is nil when absent: Spin 2.x tells absent from empty.
	AllowedOutboundHosts *[]string         `toml:"allowed_outbound_hosts"`
	Config               map[string]string `toml:"config"`
	Trigger              any               `toml:"trigger"`
}

// WAGI executor defaults (spin crates/manifest WagiConfig).
const (
	WagiDefaultEntrypoint = "_start"
	WagiDefaultArgv       = "${SCRIPT_NAME} ${ARGS}"
)

func parseV1(data []byte, dir, file string) (*App, error) {
	var m v1Manifest
	if err := decodeTOML(file, data, &m); err != nil {
		return nil, err
	}
	app := &App{Description: m.Description, Authors: append([]string{}, m.Authors...), Namespace: m.Namespace}
	if m.Name == nil || *m.Name == "" {
		return nil, fmt.Errorf(`%s: missing field "name"`, file)
	}
	app.Name, app.Version = *m.Name, m.Version
	var err error
	if app.Variables, err = convertVariables(file, m.Variables, 1); err != nil {
		return nil, err
	}
	ttype, err := v1AppTrigger(file, m.Trigger, app)
	if err != nil {
		return nil, err
	}
	if len(m.Component) == 0 {
		return nil, fmt.Errorf(`%s: missing [[component]]: the application has no components`, file)
	}
	seen := map[string]bool{}
	for i := range m.Component {
		rc := &m.Component[i]
		if rc.ID == nil || *rc.ID == "" {
			return nil, fmt.Errorf(`%s: component #%d: missing field "id"`, file, i+1)
		}
		id := *rc.ID
		where := fmt.Sprintf("%s: component %q", file, id)
		if err := validateV1ComponentID(id); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		if seen[id] {
			return nil, fmt.Errorf("%s: duplicate component id %q", file, id)
		}
		seen[id] = true
		if err := convertV1Component(where, rc, dir, ttype, app); err != nil {
			return nil, err
		}
	}
	return app, nil
}

// v1AppTrigger reads the application's trigger table into app and returns its type.
func v1AppTrigger(file string, t map[string]any, app *App) (string, error) {
	if t == nil {
		return "", fmt.Errorf(`%s: missing field "trigger" (e.g. trigger = { type = "http", base = "/" })`, file)
	}
	ttype, err := tableString(t, "type", true)
	if err != nil {
		return "", fmt.Errorf("%s: trigger: %v", file, err)
	}
	key := map[string]string{"http": "base", "redis": "address"}[ttype]
	if key == "" {
		return "", fmt.Errorf("%s: trigger: unsupported trigger type %q (supported: http, redis)", file, ttype)
	}
	if err := onlyKeys(t, "type", key); err != nil {
		return "", fmt.Errorf("%s: trigger: %v", file, err)
	}
	v, err := tableString(t, key, ttype == "redis")
	if err != nil {
		return "", fmt.Errorf("%s: trigger: %v", file, err)
	}
	if ttype == "redis" {
		app.RedisAddress, app.HTTPBase = v, "/"
	} else {
		app.HTTPBase = normalizeBase(v)
	}
	return ttype, nil
}

// normalizeBase is the HTTP base Spin 2.x routes under: "/" when unset, and any other
// base with a leading "/" (spin@v2.7.0 crates/http/src/trigger.rs default_base,
// crates/trigger-http/src/lib.rs HttpTrigger::new).
func normalizeBase(base string) string {
	if !strings.HasPrefix(base, "/") {
		return "/" + base
	}
	return base
}

// convertV1Component converts one [[component]] and its trigger (of the app's trigger
// type) into app; where names the component in errors.
func convertV1Component(where string, rc *v1Component, dir, ttype string, app *App) error {
	id := *rc.ID
	c := &Component{ID: id}
	if err := fillCommon(c, &rc.commonComponent, dir, app.Variables, 1); err != nil {
		return fmt.Errorf("%s: %v", where, err)
	}
	var err error
	if c.Config, err = checkConfig(rc.Config, app.Variables, "config", 1); err != nil {
		return fmt.Errorf("%s: %v", where, err)
	}
	if err := v1Hosts(c, rc, app.Variables); err != nil {
		return fmt.Errorf("%s: %v", where, err)
	}
	ctrig, ok := rc.Trigger.(map[string]any)
	if !ok {
		if rc.Trigger == nil {
			return fmt.Errorf(`%s: missing field "trigger" ([component.trigger])`, where)
		}
		return fmt.Errorf(`%s: field "trigger" must be a table`, where)
	}
	if ttype == "http" {
		err = v1HTTPTrigger(id, ctrig, app)
	} else {
		err = v1RedisTrigger(id, ctrig, app)
	}
	if err != nil {
		return fmt.Errorf("%s: trigger: %v", where, err)
	}
	app.Components = append(app.Components, c)
	return nil
}

// v1Hosts sets the component's allow-list: its allowed_http_hosts (v1 syntax) or, when it
// sets allowed_outbound_hosts, as Spin 2.x lets a v1 component do, those (v2 syntax)
// followed by its allowed_http_hosts converted (spin@v2.7.0 crates/manifest/src/compat.rs).
func v1Hosts(c *Component, rc *v1Component, vars map[string]Variable) error {
	if rc.AllowedOutboundHosts == nil {
		c.HostsVersion = 1
		if !slices.Contains(rc.AllowedHTTPHosts, allowlist.AllowAll) {
			if err := checkHosts(rc.AllowedHTTPHosts, vars, "allowed_http_hosts", 1); err != nil {
				return err
			}
		}
		c.AllowedOutboundHosts = append([]string{}, rc.AllowedHTTPHosts...)
		return nil
	}
	c.HostsVersion = 2
	if err := checkHosts(*rc.AllowedOutboundHosts, vars, "allowed_outbound_hosts", 2); err != nil {
		return err
	}
	conv, err := convertAllowedHTTPHosts(rc.AllowedHTTPHosts)
	if err != nil {
		return fmt.Errorf("allowed_http_hosts: %v", err)
	}
	c.AllowedOutboundHosts = append(append([]string{}, *rc.AllowedOutboundHosts...), conv...)
	return nil
}

// v1HTTPTrigger reads a [component.trigger] of an HTTP app: route (a string, or
// { private = true }) and executor.
func v1HTTPTrigger(id string, t map[string]any, app *App) error {
	if err := onlyKeys(t, "route", "executor"); err != nil {
		return err
	}
	route, private, err := parseRoute(t["route"])
	if err != nil {
		return err
	}
	ex, err := parseExecutor(t["executor"])
	if err != nil {
		return err
	}
	app.HTTPTriggers = append(app.HTTPTriggers, HTTPTrigger{Component: id, Route: route, Private: private, Executor: ex})
	return nil
}

// v1RedisTrigger reads a [component.trigger] of a Redis app: channel, executor and an
// address overriding the app's.
func v1RedisTrigger(id string, t map[string]any, app *App) error {
	if err := onlyKeys(t, "channel", "address", "executor"); err != nil {
		return err
	}
	ch, err := tableString(t, "channel", true)
	if err != nil {
		return err
	}
	addr, err := tableString(t, "address", false)
	if err != nil {
		return err
	}
	if err := parseRedisExecutor(t["executor"]); err != nil {
		return err
	}
	app.RedisTriggers = append(app.RedisTriggers, RedisTrigger{Component: id, Channel: ch, Address: cmp.Or(addr, app.RedisAddress)})
	return nil
}

// tableString reads a string field of a free-form table.
func tableString(t map[string]any, key string, required bool) (string, error) {
	v, ok := t[key]
	if !ok {
		if required {
			return "", fmt.Errorf("missing field %q", key)
		}
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("field %q must be a string", key)
	}
	return s, nil
}

// onlyKeys errors on the first (sorted) key of t not in allowed.
func onlyKeys(t map[string]any, allowed ...string) error {
	var bad []string
	for k := range t {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
			}
		}
		if !ok {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("unknown field %q", bad[0])
	}
	return nil
}

// parseExecutor parses an HTTP executor table: { type = "spin" } (the default) or its
// Spin 2 name { type = "http" }, normalised to "spin", or { type = "wagi" } with optional
// entrypoint and argv (spin@v2.7.0 crates/http/src/config.rs HttpExecutorType, which
// reads both manifest versions).
func parseExecutor(v any) (Executor, error) {
	if v == nil {
		return Executor{Type: "spin"}, nil
	}
	t, ok := v.(map[string]any)
	if !ok {
		return Executor{}, fmt.Errorf(`field "executor" must be a table like { type = "spin" }`)
	}
	typ, err := tableString(t, "type", true)
	if err != nil {
		return Executor{}, fmt.Errorf("executor: %v", err)
	}
	switch typ {
	case "spin", "http":
		if err := onlyKeys(t, "type"); err != nil {
			return Executor{}, fmt.Errorf("executor: %v", err)
		}
		return Executor{Type: "spin"}, nil
	case "wagi":
		return wagiExecutor(t)
	}
	return Executor{}, fmt.Errorf("executor: unsupported type %q (expected \"http\", \"spin\" or \"wagi\")", typ)
}

// wagiExecutor reads { type = "wagi", entrypoint, argv } with Spin's defaults.
func wagiExecutor(t map[string]any) (Executor, error) {
	if err := onlyKeys(t, "type", "entrypoint", "argv"); err != nil {
		return Executor{}, fmt.Errorf("executor: %v", err)
	}
	ex := Executor{Type: "wagi", Entrypoint: WagiDefaultEntrypoint, Argv: WagiDefaultArgv}
	var err error
	if _, ok := t["entrypoint"]; ok {
		if ex.Entrypoint, err = tableString(t, "entrypoint", true); err != nil {
			return Executor{}, fmt.Errorf("executor: %v", err)
		}
	}
	if _, ok := t["argv"]; ok {
		if ex.Argv, err = tableString(t, "argv", true); err != nil {
			return Executor{}, fmt.Errorf("executor: %v", err)
		}
	}
	return ex, nil
}

func parseRedisExecutor(v any) error {
	if v == nil {
		return nil
	}
	t, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf(`field "executor" must be a table like { type = "spin" }`)
	}
	if err := onlyKeys(t, "type"); err != nil {
		return fmt.Errorf("executor: %v", err)
	}
	if typ, _ := tableString(t, "type", false); typ != "spin" {
		return fmt.Errorf("executor: unsupported type %q for a redis trigger (only \"spin\")", typ)
	}
	return nil
}
