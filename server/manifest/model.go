// Package manifest loads Spin application manifests (spin.toml, manifest v1 and v2)
// into one normalised model and checks the `{{ variable }}` templates used by component
// config, environment and allowed hosts; resolving variables and rendering templates is
// package variable's work, the outbound policy package allowlist's.
//
// Field names and semantics follow Spin 1.x (crates/loader, crates/manifest) for v1,
// with the leniencies of Spin 2.x and 3.x reading v1 (listed in v1.go), and Spin 2.x
// (crates/manifest/src/schema/v2.rs) for v2; see ../shared/reference/spin-1x.md. Remote
// sources are found in Spin's download cache (remote.go).
package manifest

// App is a loaded application, independent of the manifest version it came from.
// All paths in it are absolute (relative paths in the manifest are resolved against Dir).
type App struct {
	// Dir is the absolute directory containing the manifest.
	Dir string
	// Path is the absolute path of the manifest file.
	Path string
	// ManifestVersion is 1 or 2.
	ManifestVersion int
	Name            string
	Version         string
	Description     string
	Authors         []string
	// Namespace is the deprecated v1 `namespace` ("" if unset).
	Namespace string
	// HTTPBase is the HTTP trigger base path ("/" when unset), as in
	// `trigger = { type = "http", base = "/" }` (v1) or [application.trigger.http] base (v2).
	HTTPBase string
	// RedisAddress is the application-level Redis trigger address (v1
	// `trigger = { type = "redis", address }`, v2 [application.trigger.redis] address); "" if none.
	RedisAddress string
	// Variables are the declared application variables by name.
	Variables map[string]Variable
	// Components in manifest order.
	Components []*Component
	// HTTPTriggers in manifest order (v1: one per component with an HTTP trigger).
	HTTPTriggers []HTTPTrigger
	// RedisTriggers in manifest order.
	RedisTriggers []RedisTrigger
}

// Variable is one declaration under [variables]. Exactly one of Required or Default is set.
type Variable struct {
	Default  *string
	Required bool
	Secret   bool
}

// Component is one component ([[component]] in v1, [component.<id>] in v2).
type Component struct {
	ID          string
	Description string
	// Source is the absolute host path of the Wasm module: the file the manifest names,
	// or, for a remote source, its copy in the download cache, checked against its digest.
	Source string
	// Remote is the `source = { url, digest }` the module came from (nil for a file path).
	Remote *RemoteSource
	// Files are the component's mapped files, exclusions already applied.
	Files []FileMount
	// Environment is the guest's environment; values are templates (may contain `{{ var }}`).
	Environment map[string]string
	// Config holds component config values (v1 `config`, v2 `[component.<id>.variables]`),
	// read by the guest through spin-config; values are templates.
	Config map[string]string
	// AllowedOutboundHosts are the raw allow-list entries, in the syntax HostsVersion
	// names: v1 `allowed_http_hosts` when 1, v2 `allowed_outbound_hosts` (plus converted
	// `allowed_http_hosts`) when 2. Entries may be templates.
	AllowedOutboundHosts []string
	// HostsVersion is the manifest version whose allow-list syntax and rules apply to
	// AllowedOutboundHosts: 1 (Spin 1.x: outbound Redis is not restricted) or 2 (Redis too
	// must be listed). It is the manifest's version, except that a v1 component setting
	// allowed_outbound_hosts has 2, as Spin 2.x reads it (spin@v2.7.0
	// crates/manifest/src/compat.rs v1_to_v2_app).
	HostsVersion int
	// KeyValueStores are the store labels the component may open.
	KeyValueStores []string
	// SQLiteDatabases are the SQLite database labels the component may open
	// (parsed only; the host refuses to start when any component lists one).
	SQLiteDatabases []string
	// AIModels are the AI models the component may use (parsed only; the host refuses
	// to start when any component lists one).
	AIModels []string
	// Build is the optional [component.build] table.
	Build *Build
}

// FileMount maps host files into the guest's read-only filesystem.
// When Dir is true, Source is a host directory whose whole tree appears at Destination
// (read live, so files regenerated while the host runs are seen); otherwise Source is a
// single host file placed at the guest path Destination.
type FileMount struct {
	Source      string // absolute host path
	Destination string // absolute guest path, "/"-separated
	Dir         bool
}

// Build is a component's [component.build] table.
type Build struct {
	// Commands are shell commands run in order in Workdir, stopping at the first that
	// fails: `command = "..."`, or Spin 3's `command = ["...", "..."]`
	// (spin@v3.1.2 crates/manifest/src/schema/common.rs Commands, both manifest versions).
	Commands []string
	Workdir  string   // absolute
	Watch    []string // globs relative to Workdir
}

// HTTPTrigger routes HTTP requests to a component.
type HTTPTrigger struct {
	Component string // component ID
	Route     string // as written, e.g. "/likes" or "/static/..."; "" when Private
	Executor  Executor
	// Private is set for v2 `route = { private = true }`: the component is not routable
	// over HTTP (reachable only through service chaining).
	Private bool
	// ID is the v2 trigger id: the `id` given, or the one Spin 2 assigns
	// ("<component>-http-trigger" or "http-trigger<N>"); "" for v1.
	ID string
}

// Executor selects how a component handles HTTP: Type "spin" (the default; v2 "http" is
// normalised to "spin") calls the handle-http-request export; Type "wagi" runs the
// module as a CGI program through Entrypoint with Argv (a template of ${SCRIPT_NAME} and ${ARGS}).
type Executor struct {
	Type       string
	Entrypoint string // wagi only; default "_start"
	Argv       string // wagi only; default "${SCRIPT_NAME} ${ARGS}"
}

// RedisTrigger delivers messages published on Channel to a component's
// handle-redis-message export.
type RedisTrigger struct {
	// ID is the v2 trigger id (given or assigned as for HTTPTrigger.ID); "" for v1.
	ID        string
	Component string
	Channel   string
	// Address is the Redis address for this trigger (a per-trigger override or App.RedisAddress).
	Address string
}
