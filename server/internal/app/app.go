// Package app assembles a running Spin application from its manifest: variables,
// state dir, stores, the engine with host interfaces, compiled components and the
// HTTP and Redis triggers. It is what `server up` runs.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"wasmsite/server/internal/engine"
	"wasmsite/server/internal/host"
	"wasmsite/server/internal/httpcache"
	"wasmsite/server/internal/metrics"
	"wasmsite/server/internal/trigger"
	"wasmsite/server/internal/variable"
	"wasmsite/server/manifest"
	"wasmsite/server/store"
	"wasmsite/server/store/embedded"
)

// Options configure Load.
type Options struct {
	// From is the manifest file or a directory containing spin.toml.
	From string
	// Env are extra KEY=VALUE pairs added to every component's environment (-e).
	Env map[string]string
	// RuntimeConfigFile is the optional --runtime-config-file.
	RuntimeConfigFile string
	// CacheDir is the download cache dir holding remote component sources (--cache-dir;
	// "": manifest.DefaultCacheDir). See manifest.Loader.
	CacheDir string
	// StateDir overrides the state dir; nil means the runtime config's state_dir, else
	// <app dir>/.spin. A pointer to "" means no state dir: in-memory stores, nothing saved.
	StateDir *string
	// RequestTimeout bounds each request's wait for an instance and its guest call
	// (0: 30 s; negative: none).
	RequestTimeout time.Duration
	// Limits bound each component; zero fields take the runtime config's [limits],
	// then the defaults (see DefaultLimits).
	Limits manifest.Limits
	// HTTPCacheSize bounds the host's HTTP cache, in bytes (0: the runtime config's
	// http_cache.size, else DefaultHTTPCacheSize; negative: no cache).
	HTTPCacheSize int64
	// TrustedProxies are the reverse proxies whose forwarding headers give the client's
	// address (none by default).
	TrustedProxies trigger.TrustedProxies
	// TLS turns HTTPS on and configures it (see manifest.TLS): a certificates' source
	// given here (Domains, or CertFile and KeyFile) replaces the runtime config's, and
	// each other field set here wins over the runtime config's [tls].
	TLS manifest.TLS
	// Metrics receives the host's measurements (nil: none are kept).
	Metrics *metrics.Metrics
	// Memory selects the engine's memory mode (engine.MemoryAuto: the fastest available).
	Memory engine.MemoryMode
	// LookupEnv reads the process environment (nil: os.LookupEnv).
	LookupEnv func(string) (string, bool)
	Log       *slog.Logger
}

// DefaultHTTPCacheSize is the HTTP cache's size where neither flags nor the runtime
// config set one: 64 MiB.
const DefaultHTTPCacheSize = 64 << 20

// App is a loaded, ready-to-serve application.
type App struct {
	Manifest *manifest.App
	StateDir string
	// Limits are the limits in force.
	Limits manifest.Limits
	HTTP   *trigger.HTTP
	// Cache is the HTTP cache in front of the components (nil when disabled).
	Cache  *httpcache.Cache
	redis  []*trigger.Redis
	engine *engine.Engine
	log    *slog.Logger
	// tls are the HTTPS settings in force; certs their certificates (nil: HTTPS off).
	tls   manifest.TLS
	certs certSource
	// outbound is the guests' HTTP client (serveTLS routes the site's own origins).
	outbound *http.Client

	closers  closeStack
	mu       sync.Mutex // guards backends and embedded
	backends map[string]store.Redis
	embedded *embedded.Store
}

// Load reads the manifest and prepares everything needed to serve, in named steps:
// ready the certificates' source, open stores, start the engine, compile components,
// route, subscribe Redis triggers. It fails, naming the cause, on a broken manifest, a
// required variable without a value, a TLS setting without domains or certificate
// files, unreadable certificate or CA root files, ACME without a state dir, a component
// whose module is missing, does not compile, imports something this host lacks or lacks
// the exports its executor needs.
func Load(ctx context.Context, o Options) (_ *App, err error) {
	o = o.withDefaults()
	m, err := manifest.Loader{CacheDir: o.CacheDir}.Load(o.From)
	if err != nil {
		return nil, err
	}
	a := &App{Manifest: m, log: o.Log, backends: map[string]store.Redis{}}
	defer func() {
		if err != nil {
			a.Close(context.Background())
		}
	}()
	rc, err := loadRuntimeConfig(o.RuntimeConfigFile)
	if err != nil {
		return nil, err
	}
	if err := a.setStateDir(o, rc, m); err != nil {
		return nil, err
	}
	res, err := a.resolver(m, o, rc)
	if err != nil {
		return nil, err
	}
	// From here on, secret variable values are replaced in everything logged and in
	// the start-up error returned.
	defer func() { err = redactErr(err, res.Redact) }()
	if err := checkSupported(m, res); err != nil {
		return nil, err
	}
	a.Limits = mergeLimits(o.Limits, rc, o.RequestTimeout)
	if a.tls, err = mergeTLS(o.TLS, rc); err != nil {
		return nil, err
	}
	if err := a.loadCerts(); err != nil {
		return nil, err
	}
	kv, err := a.openStores(rc)
	if err != nil {
		return nil, err
	}
	if err := a.startEngine(ctx, o, kv); err != nil {
		return nil, err
	}
	if err := a.startCache(o, rc); err != nil {
		return nil, err
	}
	components, err := a.compileComponents(ctx, m, res, o, a.Limits)
	if err != nil {
		return nil, err
	}
	a.HTTP = a.route(m, components, o)
	a.registerMetrics(o.Metrics, components)
	if a.redis, err = a.redisTriggers(ctx, m, res, components, o); err != nil {
		return nil, err
	}
	return a, nil
}

func (o Options) withDefaults() Options {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.LookupEnv == nil {
		o.LookupEnv = os.LookupEnv
	}
	switch {
	case o.RequestTimeout == 0:
		o.RequestTimeout = 30 * time.Second
	case o.RequestTimeout < 0:
		o.RequestTimeout = 0
	}
	return o
}

func loadRuntimeConfig(path string) (*manifest.RuntimeConfig, error) {
	if path == "" {
		return nil, nil
	}
	return manifest.LoadRuntimeConfig(path)
}

// setStateDir picks the state dir (option, runtime config, or <app dir>/.spin) and
// creates it.
func (a *App) setStateDir(o Options, rc *manifest.RuntimeConfig, m *manifest.App) error {
	switch {
	case o.StateDir != nil:
		a.StateDir = *o.StateDir
	case rc != nil && rc.StateDirSet:
		a.StateDir = rc.StateDir
	default:
		a.StateDir = filepath.Join(m.Dir, ".spin")
	}
	if a.StateDir == "" {
		return nil
	}
	var err error
	if a.StateDir, err = filepath.Abs(a.StateDir); err != nil {
		return err
	}
	if err := os.MkdirAll(a.StateDir, 0o755); err != nil {
		return fmt.Errorf("state dir: %w", err)
	}
	return nil
}

// resolver resolves the variables and makes the log redact secret values.
func (a *App) resolver(m *manifest.App, o Options, rc *manifest.RuntimeConfig) (*variable.Resolver, error) {
	var providers []manifest.ConfigProvider
	if rc != nil {
		providers = rc.ConfigProviders
	}
	res, err := variable.NewResolver(m, o.LookupEnv, providers)
	if err != nil {
		return nil, err
	}
	a.log = slog.New(&redactHandler{h: o.Log.Handler(), redact: res.Redact})
	return res, nil
}

// checkSupported fails on required variables without values and on features this host
// does not have.
func checkSupported(m *manifest.App, res *variable.Resolver) error {
	if err := res.CheckRequired(); err != nil {
		return err
	}
	for _, c := range m.Components {
		if len(c.SQLiteDatabases) > 0 {
			return fmt.Errorf("component %q: sqlite_databases is not supported by this host", c.ID)
		}
		if len(c.AIModels) > 0 {
			return fmt.Errorf("component %q: ai_models is not supported by this host", c.ID)
		}
	}
	return nil
}

// startEngine creates the engine (compilation cache in the state dir) and registers the
// host interfaces.
func (a *App) startEngine(ctx context.Context, o Options, kv map[string]store.KV) error {
	cacheDir := ""
	if a.StateDir != "" {
		cacheDir = filepath.Join(a.StateDir, "cache")
	}
	e, err := engine.New(ctx, engine.Options{CacheDir: cacheDir, MemoryLimitPages: uint32(a.Limits.MaxMemoryMB * pagesPerMiB),
		Memory: o.Memory, Log: a.log})
	if err != nil {
		return err
	}
	a.engine = e
	a.closers.push(closerFunc(func() error { return e.Close(context.Background()) }))
	a.outbound = &http.Client{Timeout: 30 * time.Second}
	h := &host.Host{
		HTTP:  a.outbound,
		Redis: a.redisBackend,
		KV: func(label string) (store.KV, error) {
			if s, ok := kv[label]; ok {
				return s, nil
			}
			return nil, host.ErrNoSuchStore
		},
		Metrics: o.Metrics,
		Log:     a.log,
	}
	return h.Register(ctx, e)
}

// startCache creates the HTTP cache at the size the options, else the runtime config,
// else the default give.
func (a *App) startCache(o Options, rc *manifest.RuntimeConfig) error {
	size := o.HTTPCacheSize
	if size == 0 && rc != nil {
		size = rc.HTTPCacheSize
	}
	if size == 0 {
		size = DefaultHTTPCacheSize
	}
	if size < 0 {
		return nil
	}
	var err error
	a.Cache, err = httpcache.New(httpcache.Options{MaxBytes: size})
	return err
}

// registerMetrics adds the components' instance pools and the HTTP cache to m.
func (a *App) registerMetrics(m *metrics.Metrics, components map[string]*trigger.Component) {
	pools := map[string]*engine.Module{}
	for id, c := range components {
		pools[id] = c.Module
	}
	m.Register(metrics.Pools(pools))
	if a.Cache != nil {
		m.Register(metrics.Cache(a.Cache))
	}
}

// pagesPerMiB is the number of 64 KiB Wasm pages in a MiB.
const pagesPerMiB = 16

// route builds the HTTP trigger from the manifest's public routes.
func (a *App) route(m *manifest.App, components map[string]*trigger.Component, o Options) *trigger.HTTP {
	var routes []*trigger.Route
	for _, t := range m.HTTPTriggers {
		if !t.Private {
			routes = append(routes, trigger.NewRoute(m.HTTPBase, t.Route, t.Component))
		}
	}
	router, dups := trigger.NewRouter(routes)
	if len(dups) > 0 {
		a.log.Warn("duplicate component routes will never be used", "routes", strings.Join(dups, "; "))
	}
	return &trigger.HTTP{Router: router, Components: components, AppName: m.Name, AppVersion: m.Version,
		Timeout: o.RequestTimeout, MaxBody: int64(a.Limits.MaxBodyMB) << 20, Cache: a.Cache, TrustedProxies: o.TrustedProxies, Metrics: o.Metrics, Log: a.log}
}

// redisTriggers groups the Redis subscriptions by rendered address.
func (a *App) redisTriggers(ctx context.Context, m *manifest.App, res *variable.Resolver,
	components map[string]*trigger.Component, o Options) ([]*trigger.Redis, error) {
	var out []*trigger.Redis
	byAddr := map[string]*trigger.Redis{}
	for _, t := range m.RedisTriggers {
		// The address may use variables ({{ redis_url }}), as Spin 2 allows.
		addr, err := res.Render(t.Address)
		if err != nil {
			return nil, fmt.Errorf("redis trigger of component %q: address: %w", t.Component, err)
		}
		rt := byAddr[addr]
		if rt == nil {
			backend, err := a.redisBackend(ctx, addr)
			if err != nil {
				return nil, fmt.Errorf("redis trigger of component %q: %w", t.Component, err)
			}
			rt = &trigger.Redis{Backend: backend, Timeout: o.RequestTimeout, Log: a.log}
			byAddr[addr] = rt
			out = append(out, rt)
		}
		rt.Subs = append(rt.Subs, trigger.RedisSubscription{Channel: t.Channel, Component: components[t.Component]})
	}
	return out, nil
}

// Close releases components, the engine, stores and files.
func (a *App) Close(ctx context.Context) error { return a.closers.closeAll() }

// Engine returns the engine (for its memory mode and statistics).
func (a *App) Engine() *engine.Engine { return a.engine }
