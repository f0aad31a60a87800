// Package app assembles a running Spin application from its manifest: variables,
// state dir, stores, the engine with host interfaces, compiled components and the
// HTTP and Redis triggers. It is what `server up` runs.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"wasmsite/server/internal/engine"
	"wasmsite/server/internal/host"
	"wasmsite/server/internal/mountfs"
	"wasmsite/server/internal/trigger"
	"wasmsite/server/manifest"
	"wasmsite/server/store"
)

// Options configure Load.
type Options struct {
	// From is the manifest file or a directory containing spin.toml.
	From string
	// Env are extra KEY=VALUE pairs added to every component's environment (-e).
	Env map[string]string
	// RuntimeConfigFile is the optional --runtime-config-file.
	RuntimeConfigFile string
	// StateDir overrides the state dir; nil means the runtime config's state_dir, else
	// <app dir>/.spin. A pointer to "" means no state dir: in-memory stores, nothing saved.
	StateDir *string
	// RequestTimeout bounds each guest call (0: 30 s; negative: none).
	RequestTimeout time.Duration
	// MemoryLimitMB caps each instance's linear memory (0: 256 MiB).
	MemoryLimitMB int
	// LookupEnv reads the process environment (nil: os.LookupEnv).
	LookupEnv func(string) (string, bool)
	Log       *slog.Logger
}

// App is a loaded, ready-to-serve application.
type App struct {
	Manifest *manifest.App
	StateDir string
	HTTP     *trigger.HTTP
	redis    []*trigger.Redis
	engine   *engine.Engine
	log      *slog.Logger
	closers  []io.Closer

	closeMu  sync.Mutex // guards closers while components load concurrently
	mu       sync.Mutex
	backends map[string]store.Redis
	embedded *store.Embedded
}

// Load reads the manifest and prepares everything needed to serve: it fails, naming
// the cause, on a broken manifest, a required variable without a value, a component
// whose module is missing, does not compile, imports something this host lacks or
// lacks the exports its executor needs.
func Load(ctx context.Context, o Options) (_ *App, err error) {
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
	m, err := manifest.Load(o.From)
	if err != nil {
		return nil, err
	}
	a := &App{Manifest: m, log: o.Log, backends: map[string]store.Redis{}}
	defer func() {
		if err != nil {
			a.Close(context.Background())
		}
	}()
	var rc *manifest.RuntimeConfig
	if o.RuntimeConfigFile != "" {
		if rc, err = manifest.LoadRuntimeConfig(o.RuntimeConfigFile); err != nil {
			return nil, err
		}
	}
	switch {
	case o.StateDir != nil:
		a.StateDir = *o.StateDir
	case rc != nil && rc.StateDirSet:
		a.StateDir = rc.StateDir
	default:
		a.StateDir = filepath.Join(m.Dir, ".spin")
	}
	if a.StateDir != "" {
		if a.StateDir, err = filepath.Abs(a.StateDir); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(a.StateDir, 0o755); err != nil {
			return nil, fmt.Errorf("state dir: %w", err)
		}
	}
	var providers []manifest.ConfigProvider
	if rc != nil {
		providers = rc.ConfigProviders
	}
	res, err := manifest.NewResolverWithProviders(m, o.LookupEnv, providers)
	if err != nil {
		return nil, err
	}
	// From here on, secret variable values are replaced in everything logged and in
	// the start-up error returned.
	defer func() { err = redactErr(err, res.Redact) }()
	o.Log = slog.New(&redactHandler{h: o.Log.Handler(), redact: res.Redact})
	a.log = o.Log
	if err := res.CheckRequired(); err != nil {
		return nil, err
	}
	for _, c := range m.Components {
		if len(c.SQLiteDatabases) > 0 {
			return nil, fmt.Errorf("component %q: sqlite_databases is not supported by this host", c.ID)
		}
		if len(c.AIModels) > 0 {
			return nil, fmt.Errorf("component %q: ai_models is not supported by this host", c.ID)
		}
	}

	kvStores, err := a.openKV(rc)
	if err != nil {
		return nil, err
	}
	cacheDir := ""
	if a.StateDir != "" {
		cacheDir = filepath.Join(a.StateDir, "cache")
	}
	limit := o.MemoryLimitMB
	if limit == 0 {
		limit = 256
	}
	if a.engine, err = engine.New(ctx, engine.Options{CacheDir: cacheDir, MemoryLimitPages: uint32(limit * 16)}); err != nil {
		return nil, err
	}
	h := &host.Host{
		HTTP:  &http.Client{Timeout: 30 * time.Second},
		Redis: a.redisBackend,
		KV: func(label string) (store.KV, error) {
			if kv, ok := kvStores[label]; ok {
				return kv, nil
			}
			return nil, host.ErrNoSuchStore
		},
		Log: o.Log,
	}
	if err := h.Register(ctx, a.engine); err != nil {
		return nil, err
	}

	executors := map[string]manifest.Executor{}
	for _, t := range m.HTTPTriggers {
		executors[t.Component] = t.Executor
	}
	// Compile components concurrently: compiling is CPU-bound and dominates a cold start.
	loaded := make([]*trigger.Component, len(m.Components))
	errs := make([]error, len(m.Components))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, mc := range m.Components {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			loaded[i], errs[i] = a.loadComponent(ctx, mc, m, res, o, executors)
		}()
	}
	wg.Wait()
	components := map[string]*trigger.Component{}
	for i, mc := range m.Components {
		if errs[i] != nil {
			return nil, errs[i]
		}
		components[mc.ID] = loaded[i]
	}

	var routes []*trigger.Route
	for _, t := range m.HTTPTriggers {
		if t.Private {
			continue
		}
		routes = append(routes, trigger.NewRoute(m.HTTPBase, t.Route, t.Component))
	}
	router, dups := trigger.NewRouter(routes)
	if len(dups) > 0 {
		o.Log.Warn("duplicate component routes will never be used", "routes", strings.Join(dups, "; "))
	}
	a.HTTP = &trigger.HTTP{Router: router, Components: components, AppName: m.Name, AppVersion: m.Version,
		Timeout: o.RequestTimeout, Log: o.Log}

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
			rt = &trigger.Redis{Backend: backend, Timeout: o.RequestTimeout, Log: o.Log}
			byAddr[addr] = rt
			a.redis = append(a.redis, rt)
		}
		rt.Subs = append(rt.Subs, trigger.RedisSubscription{Channel: t.Channel, Component: components[t.Component]})
	}
	return a, nil
}

func (a *App) loadComponent(ctx context.Context, mc *manifest.Component, m *manifest.App, res *manifest.Resolver,
	o Options, executors map[string]manifest.Executor) (*trigger.Component, error) {
	wasm, err := os.ReadFile(mc.Source)
	if err != nil {
		return nil, fmt.Errorf("component %q: source: %w", mc.ID, err)
	}
	env := map[string]string{}
	for k, v := range mc.Environment {
		if env[k], err = res.Render(v); err != nil {
			return nil, fmt.Errorf("component %q: environment %s: %w", mc.ID, k, err)
		}
	}
	for k, v := range o.Env {
		env[k] = v
	}
	cfg := map[string]string{}
	for k, v := range mc.Config {
		if cfg[k], err = res.Render(v); err != nil {
			return nil, fmt.Errorf("component %q: config %s: %w", mc.ID, k, err)
		}
	}
	hosts := make([]string, len(mc.AllowedOutboundHosts))
	for i, e := range mc.AllowedOutboundHosts {
		if hosts[i], err = res.Render(e); err != nil {
			return nil, fmt.Errorf("component %q: allowed hosts entry %q: %w", mc.ID, e, err)
		}
	}
	allow, err := manifest.ParseAllowedHosts(hosts, m.ManifestVersion)
	if err != nil {
		return nil, fmt.Errorf("component %q: %w", mc.ID, err)
	}
	var files fs.FS
	if len(mc.Files) > 0 {
		if files, err = mountfs.New(mc.Files); err != nil {
			return nil, fmt.Errorf("component %q: files: %w", mc.ID, err)
		}
		a.addCloser(files.(io.Closer))
	}
	s := engine.Settings{Env: env, FS: files}
	if a.StateDir != "" {
		logs := filepath.Join(a.StateDir, "logs")
		if err := os.MkdirAll(logs, 0o755); err != nil {
			return nil, err
		}
		for _, w := range []struct {
			suffix string
			dst    *io.Writer
		}{{"_stdout.txt", &s.Stdout}, {"_stderr.txt", &s.Stderr}} {
			f, err := os.OpenFile(filepath.Join(logs, mc.ID+w.suffix), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
			if err != nil {
				return nil, err
			}
			a.addCloser(f)
			*w.dst = f
		}
	}
	mod, err := a.engine.Compile(ctx, mc.ID, wasm, s)
	if err != nil {
		return nil, err
	}
	c := &trigger.Component{ID: mc.ID, Module: mod, Caps: &host.Capabilities{
		ComponentID: mc.ID, ManifestVersion: m.ManifestVersion, Allow: allow, Config: cfg,
		KeyValueStores: map[string]bool{},
	}}
	for _, l := range mc.KeyValueStores {
		c.Caps.KeyValueStores[l] = true
	}
	if ex, ok := executors[mc.ID]; ok && ex.Type == "wagi" {
		c.Wagi = &trigger.WagiConfig{Entrypoint: ex.Entrypoint, Argv: ex.Argv}
		if !mod.HasExport(ex.Entrypoint) {
			return nil, fmt.Errorf("component %q: WAGI entrypoint %q is not exported by the module", mc.ID, ex.Entrypoint)
		}
	} else if ok {
		for _, name := range []string{"handle-http-request", "canonical_abi_realloc", "canonical_abi_free"} {
			if !mod.HasExport(name) {
				return nil, fmt.Errorf("component %q: module does not export %s, required by the Spin HTTP executor (use executor = { type = \"wagi\" } for WAGI modules)", mc.ID, name)
			}
		}
	}
	return c, nil
}

func (a *App) addCloser(c io.Closer) {
	a.closeMu.Lock()
	a.closers = append(a.closers, c)
	a.closeMu.Unlock()
}

// openKV opens the key-value stores: "default" is the embedded store unless the
// runtime config maps it; other labels come from [key_value_store.<label>].
func (a *App) openKV(rc *manifest.RuntimeConfig) (map[string]store.KV, error) {
	out := map[string]store.KV{}
	emb, err := a.embeddedStore()
	if err != nil {
		return nil, err
	}
	out["default"] = emb.KV("default")
	if rc == nil {
		return out, nil
	}
	labels := make([]string, 0, len(rc.KeyValueStores))
	for l := range rc.KeyValueStores {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, label := range labels {
		kc := rc.KeyValueStores[label]
		switch kc.Type {
		case "spin":
			if kc.Path == "" {
				out[label] = emb.KV(label)
				continue
			}
			e, err := store.OpenEmbedded(kc.Path)
			if err != nil {
				return nil, fmt.Errorf("key_value_store.%s: %w", label, err)
			}
			a.closers = append(a.closers, e)
			out[label] = e.KV(label)
		case "redis":
			kv, err := store.NewRedisKV(kc.URL)
			if err != nil {
				return nil, fmt.Errorf("key_value_store.%s: %w", label, err)
			}
			if c, ok := kv.(io.Closer); ok {
				a.closers = append(a.closers, c)
			}
			out[label] = kv
		default:
			return nil, fmt.Errorf("key_value_store.%s: type %q is not supported by this host (use \"spin\" or \"redis\")", label, kc.Type)
		}
	}
	return out, nil
}

// embeddedStore opens (once) the embedded store at <state dir>/store.db, or a
// throwaway one when there is no state dir.
func (a *App) embeddedStore() (*store.Embedded, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.embedded != nil {
		return a.embedded, nil
	}
	path := ""
	if a.StateDir != "" {
		path = filepath.Join(a.StateDir, "store.db")
	} else {
		dir, err := os.MkdirTemp("", "wasmsite-state-*")
		if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, removeAll(dir))
		path = filepath.Join(dir, "store.db")
		a.log.Warn("no state dir: using a temporary embedded store; data will not be saved")
	}
	e, err := store.OpenEmbedded(path)
	if err != nil {
		return nil, err
	}
	a.embedded = e
	return e, nil
}

// redisBackend returns the outbound-redis backend for an address: "" is the embedded
// store, redis:// and rediss:// a shared go-redis client per address.
func (a *App) redisBackend(ctx context.Context, addr string) (store.Redis, error) {
	if addr == "" {
		return a.embeddedStore()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if r, ok := a.backends[addr]; ok {
		return r, nil
	}
	r, err := store.NewRedis(addr)
	if err != nil {
		return nil, err
	}
	a.backends[addr] = r
	return r, nil
}

// Serve serves HTTP on ln and runs the Redis triggers until ctx is done, then shuts
// down gracefully (in-flight requests get up to 10 s).
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: a.HTTP, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for _, rt := range a.redis {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := rt.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Error("redis trigger stopped", "err", err)
			}
		}()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		cancel()
		wg.Wait()
		return err
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	err := srv.Shutdown(sctx)
	wg.Wait()
	return err
}

// Close releases stores, files and the engine.
func (a *App) Close(ctx context.Context) error {
	var err error
	if a.engine != nil {
		err = errors.Join(err, a.engine.Close(ctx))
	}
	for _, r := range a.backends {
		err = errors.Join(err, r.Close())
	}
	if a.embedded != nil {
		err = errors.Join(err, a.embedded.Close())
	}
	for i := len(a.closers) - 1; i >= 0; i-- {
		err = errors.Join(err, a.closers[i].Close())
	}
	return err
}

type removeAll string

func (d removeAll) Close() error { return os.RemoveAll(string(d)) }
