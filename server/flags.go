package main

import (
	"cmp"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/pflag"

	"wasmsite/server/internal/app"
	"wasmsite/server/internal/trigger"
	"wasmsite/server/manifest"
)

// upFlags are `server up`'s command line.
type upFlags struct {
	fs             *pflag.FlagSet
	from, listen   string
	env            []string
	rcFile         string
	cacheDir       string
	stateDir       optionalString
	timeout        time.Duration
	limits         manifest.Limits
	tls            manifest.TLS
	cacheSize      string
	trustedProxies string
	quiet          bool
	pprof          string
	metrics        string
}

// newUpFlags declares the flags on fl; defaults that the runtime config may set are
// left zero so that only flags given override it.
func newUpFlags(fl *pflag.FlagSet) *upFlags {
	u := &upFlags{fs: fl}
	fl.StringVarP(&u.from, "from", "f", "spin.toml", "application manifest, or a directory containing spin.toml")
	fl.StringVar(&u.listen, "listen", "", fmt.Sprintf("address to serve HTTP on (default %s; with HTTPS, tls.http_listen or %s)", app.DefaultListen, app.DefaultTLSHTTPListen))
	fl.StringArrayVarP(&u.env, "env", "e", nil, "KEY=VALUE added to every component's environment (repeatable)")
	fl.StringVar(&u.rcFile, "runtime-config-file", os.Getenv("RUNTIME_CONFIG_FILE"), "runtime configuration file (TOML)")
	fl.StringVar(&u.cacheDir, "cache-dir", "", "download cache where remote component sources (source = { url, digest }) are found, as spin up's: <dir>/registry/wasm/sha256:<hex> (default <user cache dir>/spin)")
	fl.Var(&u.stateDir, "state-dir", "state directory (default <app dir>/.spin; \"\" keeps nothing)")
	fl.DurationVar(&u.timeout, "request-timeout", 30*time.Second, "time a component may take for one request or message")
	u.limitFlags()
	u.tlsFlags()
	fl.StringVar(&u.cacheSize, "http-cache-size", "", fmt.Sprintf("size of the HTTP cache in front of the components, such as 64MiB; 0 disables it (default %s, or http_cache.size)", humanize.IBytes(app.DefaultHTTPCacheSize)))
	fl.StringVar(&u.trustedProxies, "trusted-proxies", "", "comma-separated addresses or CIDR prefixes of reverse proxies whose Forwarded / X-Forwarded-For give the client's address")
	fl.StringVar(&u.metrics, "metrics", "", "serve Prometheus metrics at /metrics on this address (off by default)")
	fl.BoolVarP(&u.quiet, "quiet", "q", false, "log only warnings and errors")
	fl.StringVar(&u.pprof, "pprof", "", "serve Go's net/http/pprof profiles on this address (debugging)")
	return u
}

// limitFlags declares the flags of the runtime config's [limits], each named after its
// key.
func (u *upFlags) limitFlags() {
	fl, l, def := u.fs, &u.limits, app.DefaultLimits()
	fl.IntVar(&l.MaxInstances, "max-instances", 0, fmt.Sprintf("concurrent instances per component (default %d, or the runtime config's limits.max_instances)", def.MaxInstances))
	fl.IntVar(&l.MaxQueue, "max-queue", 0, "requests waiting for a busy component's instance; more get 503 (default 8 × max-instances, or limits.max_queue)")
	fl.IntVar(&l.MaxMemoryMB, "max-memory-mb", 0, fmt.Sprintf("linear memory limit of one instance, in MiB (default %d, or limits.max_memory_mb)", def.MaxMemoryMB))
	fl.IntVar(&l.MaxBodyMB, "max-body-mb", 0, fmt.Sprintf("request body limit, in MiB; larger bodies get 413 (default %d, or limits.max_body_mb)", def.MaxBodyMB))
	fl.IntVar(&l.MaxConnections, "max-connections", 0, fmt.Sprintf("open HTTP connections; more wait to be accepted (default %d, or limits.max_connections)", def.MaxConnections))
	fl.DurationVar(&l.HeaderTimeout, "header-timeout", 0, fmt.Sprintf("time to read a request's headers (default %s, or limits.header_timeout)", def.HeaderTimeout))
	fl.DurationVar(&l.ReadTimeout, "read-timeout", 0, fmt.Sprintf("time to read a whole request, body included (default %s, or limits.read_timeout)", def.ReadTimeout))
	fl.DurationVar(&l.WriteTimeout, "write-timeout", 0, "time from a request's headers to the end of its response (default request-timeout + 30s, or limits.write_timeout)")
	fl.DurationVar(&l.IdleTimeout, "idle-timeout", 0, fmt.Sprintf("time a keep-alive connection may wait for its next request (default %s, or limits.idle_timeout)", def.IdleTimeout))
	fl.IntVar(&l.LogMaxMB, "log-max-mb", 0, fmt.Sprintf("size at which a component's log file is rotated, in MiB (default %d, or limits.log_max_mb)", def.LogMaxMB))
	fl.IntVar(&l.LogBackups, "log-backups", 0, fmt.Sprintf("rotated log files kept per component stream (default %d, or limits.log_backups)", def.LogBackups))
}

// tlsFlags declares the flags of the runtime config's [tls] (the listen addresses are
// --listen and --https-listen); tlsFlagNames maps its keys to them.
func (u *upFlags) tlsFlags() {
	fl, t := u.fs, &u.tls
	fl.Func("tls-domain", "serve HTTPS with certificates obtained and renewed over ACME for these comma-separated domains (or tls.domains); HTTP then redirects to HTTPS", func(s string) error {
		for d := range strings.SplitSeq(s, ",") {
			t.Domains = append(t.Domains, strings.ToLower(strings.TrimSpace(d)))
		}
		return nil
	})
	fl.StringVar(&t.Email, "tls-email", "", "contact address of the ACME account (or tls.email)")
	fl.StringVar(&t.CA, "tls-ca", "", fmt.Sprintf("ACME directory URL (default %s, or tls.ca)", app.DefaultACMEDirectory))
	fl.StringVar(&t.CARoot, "tls-ca-root", "", "PEM file of root certificates to trust for the ACME server, for a private or test CA (default the system's, or tls.ca_root)")
	fl.StringVar(&t.CertFile, "tls-cert", "", "serve HTTPS with this PEM certificate chain instead of ACME, reloaded on SIGHUP (or tls.cert_file); needs --tls-key")
	fl.StringVar(&t.KeyFile, "tls-key", "", "PEM private key of --tls-cert (or tls.key_file)")
	fl.BoolFunc("hsts", "send Strict-Transport-Security: max-age=31536000 on HTTPS responses (or tls.hsts)", func(s string) error {
		v, err := strconv.ParseBool(s)
		t.HSTS = &v
		return err
	})
	fl.StringVar(&t.HTTPSListen, "https-listen", "", fmt.Sprintf("address to serve HTTPS on (default %s, or tls.https_listen)", app.DefaultHTTPSListen))
}

// tlsFlagNames are the flags of the [tls] keys.
var tlsFlagNames = map[string]string{"domains": "--tls-domain", "email": "--tls-email", "ca": "--tls-ca", "ca_root": "--tls-ca-root",
	"cert_file": "--tls-cert", "key_file": "--tls-key", "hsts": "--hsts", "http_listen": "--listen", "https_listen": "--https-listen"}

// check checks the parsed values, naming the flag at fault.
func (u *upFlags) check() error {
	l := u.limits
	for name, v := range map[string]int64{"max-instances": int64(l.MaxInstances), "max-queue": int64(l.MaxQueue),
		"max-memory-mb": int64(l.MaxMemoryMB), "max-body-mb": int64(l.MaxBodyMB), "max-connections": int64(l.MaxConnections),
		"header-timeout": int64(l.HeaderTimeout), "read-timeout": int64(l.ReadTimeout), "write-timeout": int64(l.WriteTimeout),
		"idle-timeout": int64(l.IdleTimeout), "log-max-mb": int64(l.LogMaxMB), "log-backups": int64(l.LogBackups)} {
		if v < 0 {
			return fmt.Errorf("--%s must not be negative", name)
		}
	}
	return manifest.CheckTLS(u.tls, func(field string) string { return tlsFlagNames[field] })
}

// options are the app's options from the flags.
func (u *upFlags) options() (app.Options, error) {
	o := app.Options{From: u.from, Env: map[string]string{}, RuntimeConfigFile: u.rcFile, CacheDir: u.cacheDir, RequestTimeout: u.timeout, Limits: u.limits, TLS: u.tls}
	for _, kv := range u.env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return o, fmt.Errorf("--env: an environment variable must be of the form KEY=VALUE, got %q", kv)
		}
		o.Env[k] = v
	}
	if u.cacheSize != "" {
		n, err := manifest.ParseSize(u.cacheSize)
		if err != nil {
			return o, fmt.Errorf("--http-cache-size: %w", err)
		}
		o.HTTPCacheSize = cmp.Or(n, -1)
	}
	var err error
	if o.TrustedProxies, err = trigger.ParseTrustedProxies(u.trustedProxies); err != nil {
		return o, fmt.Errorf("--trusted-proxies: %w", err)
	}
	if u.stateDir.set {
		o.StateDir = &u.stateDir.v
	}
	return o, nil
}

type optionalString struct {
	v   string
	set bool
}

func (o *optionalString) String() string     { return o.v }
func (o *optionalString) Set(s string) error { o.v, o.set = s, true; return nil }
func (o *optionalString) Type() string       { return "dir" }
