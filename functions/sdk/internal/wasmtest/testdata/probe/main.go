// Command probe is a test component exercising every SDK interface; the wasmtest
// harness drives it on wazero with fake host interfaces.
package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"wasmsite/functions/sdk/config"
	"wasmsite/functions/sdk/internal/abi"
	"wasmsite/functions/sdk/kv"
	"wasmsite/functions/sdk/redis"
	"wasmsite/functions/sdk/redistrigger"
	"wasmsite/functions/sdk/spinhttp"
)

func init() {
	spinhttp.HandleFunc(serve)
	redistrigger.Handle(func(p []byte) error {
		if string(p) == "fail" {
			return errors.New("refused")
		}
		return redis.Set("", "last-message", p)
	})
}

func main() {}

func serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/echo":
		body, _ := io.ReadAll(r.Body)
		var names []string
		for k := range r.Header {
			names = append(names, k)
		}
		sort.Strings(names)
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(201)
		fmt.Fprintf(w, "%s %s host=%s remote=%s body=%s\n", r.Method, r.URL.RequestURI(), r.Host, r.RemoteAddr, body)
		for _, k := range names {
			fmt.Fprintf(w, "%s: %s\n", k, strings.Join(r.Header[k], "|"))
		}
	case "/config":
		v, err := config.Get(r.URL.Query().Get("key"))
		fmt.Fprintf(w, "value=%q err=%v notfound=%v", v, err, errors.Is(err, config.ErrOther))
	case "/redis":
		addr := "redis://fake"
		var out []string
		add := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
		err := redis.Set(addr, "k", []byte("v1"))
		add("set %v", err)
		v, err := redis.Get(addr, "k")
		add("get %q %v", v, err)
		n, err := redis.Incr(addr, "n")
		add("incr %d %v", n, err)
		n, err = redis.SAdd(addr, "s", "a", "b", "c")
		add("sadd %d %v", n, err)
		n, err = redis.SRem(addr, "s", "b", "zz")
		add("srem %d %v", n, err)
		m, err := redis.SMembers(addr, "s")
		sort.Strings(m)
		add("smembers %v %v", m, err)
		n, err = redis.Del(addr, "k", "n", "missing")
		add("del %d %v", n, err)
		err = redis.Publish(addr, "ch", []byte("hello"))
		add("publish %v", err)
		res, err := redis.Execute(addr, "ECHO", "x", int64(-42), []byte("bin"))
		add("execute %v %v", res, err)
		_, err = redis.Get("bad-address", "k")
		add("err %v %v", err, errors.Is(err, redis.ErrRedis))
		add("pinned %d", abi.Pinned())
		io.WriteString(w, strings.Join(out, "\n"))
	case "/kv":
		var out []string
		add := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
		_, err := kv.Open("forbidden")
		add("open forbidden %v", errors.Is(err, kv.ErrAccessDenied))
		s, err := kv.Open("default")
		add("open %v", err)
		add("set %v", s.Set("a", []byte("1")))
		v, err := s.Get("a")
		add("get %q %v", v, err)
		_, err = s.Get("nope")
		add("get missing %v", errors.Is(err, kv.ErrNoSuchKey))
		ok, err := s.Exists("a")
		add("exists %v %v", ok, err)
		keys, err := s.GetKeys()
		add("keys %v %v", keys, err)
		add("delete %v", s.Delete("a"))
		_, err = s.Get("io")
		add("io %v %v", errors.Is(err, kv.ErrIO), err)
		s.Close()
		add("pinned %d", abi.Pinned())
		io.WriteString(w, strings.Join(out, "\n"))
	case "/http":
		req, _ := http.NewRequest("POST", "https://api.example/x?y=1", strings.NewReader("payload"))
		req.Header.Set("X-Req", "1")
		resp, err := spinhttp.Client.Do(req)
		if err != nil {
			fmt.Fprintf(w, "err %v", err)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		fmt.Fprintf(w, "status %d hdr %s body %s\n", resp.StatusCode, resp.Header.Get("X-Resp"), b)
		_, err = spinhttp.Client.Get("https://denied.example/")
		fmt.Fprintf(w, "denied %v pinned %d", errors.Is(err, spinhttp.ErrDestinationNotAllowed), abi.Pinned())
	case "/panic":
		panic("boom")
	default:
		http.NotFound(w, r)
	}
}
