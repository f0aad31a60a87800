package likes

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"wasmsite/functions/sdk/redis"
)

// memStore implements the Redis commands the component uses with Redis semantics, on a
// fake clock, flattening replies like the wasmsite host (nil and "OK" dropped).
type memStore struct {
	mu      sync.Mutex
	now     func() time.Time
	strs    map[string][]byte
	sets    map[string]map[string]bool
	expires map[string]time.Time
	down    bool
	calls   []string
}

func newMemStore(now func() time.Time) *memStore {
	return &memStore{now: now, strs: map[string][]byte{}, sets: map[string]map[string]bool{}, expires: map[string]time.Time{}}
}

func arg(a any) string {
	switch v := a.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	}
	panic(fmt.Sprintf("bad arg type %T", a))
}

func (m *memStore) expire(k string) {
	if t, ok := m.expires[k]; ok && !m.now().Before(t) {
		delete(m.strs, k)
		delete(m.sets, k)
		delete(m.expires, k)
	}
}

func intR(n int64) []redis.Result { return []redis.Result{{Kind: redis.KindInt64, Int64: n}} }

func (m *memStore) Execute(cmd string, args ...any) ([]redis.Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return nil, errors.New("connection refused")
	}
	if _, err := redis.Params(args); err != nil {
		return nil, err
	}
	a := make([]string, len(args))
	for i, x := range args {
		a[i] = arg(x)
	}
	m.calls = append(m.calls, cmd+" "+strings.Join(a, " "))
	if len(a) > 0 {
		m.expire(a[0])
	}
	switch strings.ToUpper(cmd) {
	case "GET":
		v, ok := m.strs[a[0]]
		if !ok {
			return nil, nil // the host drops nil replies
		}
		return []redis.Result{{Kind: redis.KindBinary, Binary: v}}, nil
	case "SET":
		var ttl time.Duration
		nx := false
		for i := 2; i < len(a); i++ {
			switch strings.ToUpper(a[i]) {
			case "NX":
				nx = true
			case "EX", "PX":
				n, _ := strconv.Atoi(a[i+1])
				ttl = time.Duration(n) * time.Second
				if strings.ToUpper(a[i]) == "PX" {
					ttl = time.Duration(n) * time.Millisecond
				}
				i++
			default:
				return nil, fmt.Errorf("SET option %s", a[i])
			}
		}
		if _, exists := m.strs[a[0]]; nx && exists {
			return nil, nil
		}
		m.strs[a[0]] = []byte(a[1])
		delete(m.expires, a[0])
		if ttl > 0 {
			m.expires[a[0]] = m.now().Add(ttl)
		}
		return nil, nil // "OK" is dropped by the host's flattening
	case "INCR":
		n, _ := strconv.ParseInt(string(m.strs[a[0]]), 10, 64)
		n++
		m.strs[a[0]] = []byte(strconv.FormatInt(n, 10))
		return intR(n), nil
	case "EXPIRE":
		_, s := m.strs[a[0]]
		_, t := m.sets[a[0]]
		if !s && !t {
			return intR(0), nil
		}
		n, _ := strconv.Atoi(a[1])
		m.expires[a[0]] = m.now().Add(time.Duration(n) * time.Second)
		return intR(1), nil
	case "SADD", "SREM":
		set := m.sets[a[0]]
		if set == nil {
			set = map[string]bool{}
			m.sets[a[0]] = set
		}
		var n int64
		for _, v := range a[1:] {
			if set[v] != (cmd == "SADD") {
				n++
			}
			if cmd == "SADD" {
				set[v] = true
			} else {
				delete(set, v)
			}
		}
		if len(set) == 0 {
			delete(m.sets, a[0])
		}
		return intR(n), nil
	case "SCARD":
		return intR(int64(len(m.sets[a[0]]))), nil
	case "SMISMEMBER":
		var out []redis.Result
		for _, v := range a[1:] {
			n := int64(0)
			if m.sets[a[0]][v] {
				n = 1
			}
			out = append(out, redis.Result{Kind: redis.KindInt64, Int64: n})
		}
		return out, nil
	case "DEL":
		var n int64
		for _, k := range a {
			_, s := m.strs[k]
			_, t := m.sets[k]
			if s || t {
				n++
			}
			delete(m.strs, k)
			delete(m.sets, k)
			delete(m.expires, k)
		}
		return intR(n), nil
	case "SISMEMBER":
		if m.sets[a[0]][a[1]] {
			return intR(1), nil
		}
		return intR(0), nil
	}
	return nil, fmt.Errorf("unsupported command %s", cmd)
}

// fakeFetcher serves a sitemap body (or an error) and counts fetches.
type fakeFetcher struct {
	mu    sync.Mutex
	body  string
	err   error
	n     int
	lastU string
}

func (f *fakeFetcher) Fetch(_ context.Context, u string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	f.lastU = u
	if f.err != nil {
		return nil, f.err
	}
	return []byte(f.body), nil
}

func sitemapXML(site string, paths ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for _, p := range paths {
		fmt.Fprintf(&b, "<url><loc>%s%s</loc></url>", site, p)
	}
	b.WriteString("</urlset>")
	return b.String()
}
