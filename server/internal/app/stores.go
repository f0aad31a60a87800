package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"wasmsite/server/manifest"
	"wasmsite/server/store"
	"wasmsite/server/store/embedded"
	"wasmsite/server/store/redis"
)

// openStores opens the key-value stores: "default" is the embedded store unless the
// runtime config maps it; other labels come from [key_value_store.<label>].
func (a *App) openStores(rc *manifest.RuntimeConfig) (map[string]store.KV, error) {
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
		kv, err := a.openStore(emb, label, rc.KeyValueStores[label])
		if err != nil {
			return nil, fmt.Errorf("key_value_store.%s: %w", label, err)
		}
		out[label] = kv
	}
	return out, nil
}

func (a *App) openStore(emb *embedded.Store, label string, kc manifest.KVStoreConfig) (store.KV, error) {
	switch kc.Type {
	case "spin":
		if kc.Path == "" {
			return emb.KV(label), nil
		}
		e, err := embedded.Open(kc.Path)
		if err != nil {
			return nil, err
		}
		a.closers.push(e)
		return e.KV(label), nil
	case "redis":
		kv, err := redis.NewKV(kc.URL)
		if err != nil {
			return nil, err
		}
		if c, ok := kv.(io.Closer); ok {
			a.closers.push(c)
		}
		return kv, nil
	}
	return nil, fmt.Errorf("type %q is not supported by this host (use \"spin\" or \"redis\")", kc.Type)
}

// embeddedStore opens (once) the embedded store at <state dir>/store.db, or a
// throwaway one when there is no state dir.
func (a *App) embeddedStore() (*embedded.Store, error) {
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
		a.closers.push(closerFunc(func() error { return os.RemoveAll(dir) }))
		path = filepath.Join(dir, "store.db")
		a.log.Warn("no state dir: using a temporary embedded store; data will not be saved")
	}
	e, err := embedded.Open(path)
	if err != nil {
		return nil, err
	}
	a.closers.push(e)
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
	r, err := redis.New(addr)
	if err != nil {
		return nil, err
	}
	a.backends[addr] = r
	a.closers.push(r)
	return r, nil
}
