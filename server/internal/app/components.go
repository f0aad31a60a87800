package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"

	"wasmsite/server/internal/allowlist"

	"wasmsite/server/internal/engine"
	"wasmsite/server/internal/host"
	"wasmsite/server/internal/mountfs"
	"wasmsite/server/internal/trigger"
	"wasmsite/server/internal/variable"
	"wasmsite/server/manifest"
)

// compileComponents loads every component concurrently (compiling is CPU-bound and
// dominates a cold start) and returns them by ID, or the first error in manifest order.
func (a *App) compileComponents(ctx context.Context, m *manifest.App, res *variable.Resolver, o Options, lim manifest.Limits) (map[string]*trigger.Component, error) {
	executors := map[string]manifest.Executor{}
	for _, t := range m.HTTPTriggers {
		executors[t.Component] = t.Executor
	}
	loaded := make([]*trigger.Component, len(m.Components))
	errs := make([]error, len(m.Components))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, mc := range m.Components {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			ex, routed := executors[mc.ID]
			loaded[i], errs[i] = a.loadComponent(ctx, componentSpec{mc: mc, app: m, res: res, env: o.Env, limits: lim, executor: ex, routed: routed})
		})
	}
	wg.Wait()
	out := map[string]*trigger.Component{}
	for i, mc := range m.Components {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out[mc.ID] = loaded[i]
	}
	return out, nil
}

// componentSpec is what loading one component needs.
type componentSpec struct {
	mc       *manifest.Component
	app      *manifest.App
	res      *variable.Resolver
	env      map[string]string // -e pairs
	limits   manifest.Limits
	executor manifest.Executor
	routed   bool // an HTTP trigger names it
}

func (a *App) loadComponent(ctx context.Context, s componentSpec) (*trigger.Component, error) {
	mc := s.mc
	wasm, err := os.ReadFile(mc.Source)
	if err != nil {
		return nil, sourceError(s.app, mc, err)
	}
	settings, err := a.settings(s)
	if err != nil {
		return nil, fmt.Errorf("component %q: %w", mc.ID, err)
	}
	caps, err := capabilities(s)
	if err != nil {
		return nil, fmt.Errorf("component %q: %w", mc.ID, err)
	}
	// Initialisation (the module's start function, `_initialize`) may read the
	// component's config, which is fixed for the application's life; nothing else.
	initCtx := host.WithScope(ctx, &host.Scope{Caps: &host.Capabilities{ComponentID: mc.ID, Config: caps.Config}})
	mod, err := a.engine.Compile(initCtx, mc.ID, wasm, settings)
	if err != nil {
		return nil, err
	}
	a.closers.push(closerFunc(func() error { return mod.Close(context.Background()) }))
	c := &trigger.Component{ID: mc.ID, Module: mod, Caps: caps}
	if s.routed {
		c.Executor = executorFor(s.executor)
		if err := c.Executor.Check(mod); err != nil {
			return nil, fmt.Errorf("component %q: %w", mc.ID, err)
		}
	}
	return c, nil
}

func executorFor(ex manifest.Executor) trigger.Executor {
	if ex.Type == "wagi" {
		return trigger.WagiExecutor{Entrypoint: ex.Entrypoint, Argv: ex.Argv}
	}
	return trigger.SpinExecutor{}
}

// settings renders the component's environment, mounts its files, opens its log files
// and applies the instance limits.
func (a *App) settings(s componentSpec) (engine.Settings, error) {
	env := map[string]string{}
	for k, v := range s.mc.Environment {
		var err error
		if env[k], err = s.res.Render(v); err != nil {
			return engine.Settings{}, fmt.Errorf("environment %s: %w", k, err)
		}
	}
	for k, v := range s.env {
		env[k] = v
	}
	set := engine.Settings{Env: env, MaxInstances: s.limits.MaxInstances, MaxQueue: s.limits.MaxQueue}
	if len(s.mc.Files) > 0 {
		files, err := mountfs.New(s.mc.Files)
		if err != nil {
			return set, fmt.Errorf("files: %w", err)
		}
		a.closers.push(files.(io.Closer))
		set.FS = files
		if err := a.invalidateOnChange(s.mc); err != nil {
			return set, err
		}
	}
	var err error
	set.Stdout, set.Stderr, err = a.logWriters(s.mc.ID)
	return set, err
}

// invalidateOnChange drops the component's cached responses when its mapped files
// change (within about cacheDebounce of the last change of a burst, such as a site's
// publication).
func (a *App) invalidateOnChange(mc *manifest.Component) error {
	if a.Cache == nil {
		return nil
	}
	w, err := mountfs.Watch(mc.Files, cacheDebounce, a.log, func() { a.Cache.Invalidate(mc.ID) })
	if err != nil {
		return fmt.Errorf("files: watching for changes: %w", err)
	}
	a.closers.push(w)
	return nil
}

// cacheDebounce is how long the mapped files must be quiet before cached responses are
// dropped: the generator's publication is one burst.
const cacheDebounce = 100 * time.Millisecond

// logWriters opens <state dir>/logs/<id>_{stdout,stderr}.txt (nil without a state
// dir), each rotated when it reaches Limits.LogMaxMB: the full file is renamed with its
// time and compressed, and only Limits.LogBackups of those are kept, so a component's
// logs never take more than about (1 + LogBackups) × LogMaxMB per stream.
func (a *App) logWriters(id string) (stdout, stderr io.Writer, err error) {
	if a.StateDir == "" {
		return nil, nil, nil
	}
	logs := filepath.Join(a.StateDir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return nil, nil, err
	}
	open := func(suffix string) io.Writer {
		f := &lumberjack.Logger{Filename: filepath.Join(logs, id+suffix), MaxSize: a.Limits.LogMaxMB,
			MaxBackups: a.Limits.LogBackups, Compress: true}
		a.closers.push(f)
		return f
	}
	return open("_stdout.txt"), open("_stderr.txt"), nil
}

// capabilities are the component's grants: allowed outbound hosts, config values and
// key-value stores, with variables rendered.
func capabilities(s componentSpec) (*host.Capabilities, error) {
	mc := s.mc
	cfg := map[string]string{}
	for k, v := range mc.Config {
		var err error
		if cfg[k], err = s.res.Render(v); err != nil {
			return nil, fmt.Errorf("config %s: %w", k, err)
		}
	}
	hosts := make([]string, len(mc.AllowedOutboundHosts))
	for i, e := range mc.AllowedOutboundHosts {
		var err error
		if hosts[i], err = s.res.Render(e); err != nil {
			return nil, fmt.Errorf("allowed hosts entry %q: %w", e, err)
		}
	}
	allow, err := allowlist.Parse(hosts, mc.HostsVersion)
	if err != nil {
		return nil, err
	}
	caps := &host.Capabilities{ComponentID: mc.ID, ManifestVersion: mc.HostsVersion, Allow: allow,
		Config: cfg, KeyValueStores: map[string]bool{}}
	for _, l := range mc.KeyValueStores {
		caps.KeyValueStores[l] = true
	}
	return caps, nil
}
