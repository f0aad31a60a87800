// Command probe is the conformance tests' Go component: one endpoint per host
// interface, driven by query parameters and JSON bodies, answering JSON that names the
// exact error variant the guest saw. It also exports handle-redis-message: every
// message is appended (RPUSH through outbound-redis execute) to the list "probe:messages"
// at the address in its config key redis_address.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"

	"wasmsite/functions/sdk/config"
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
		addr, err := config.Get("redis_address")
		if err != nil {
			return err
		}
		_, err = redis.Execute(addr, "RPUSH", "probe:messages", p)
		return err
	})
}

func main() {}

type result map[string]any

var (
	requests int
	scratch  []byte
)

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch op := strings.TrimPrefix(spinhttp.PathInfo(r), "/"); op {
	case "echo":
		body, _ := io.ReadAll(r.Body)
		h := map[string]string{}
		for k := range r.Header {
			h[strings.ToLower(k)] = r.Header.Get(k)
		}
		reply(w, result{"method": r.Method, "uri": r.RequestURI, "headers": h, "body": string(body)})
	case "env":
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		reply(w, env)
	case "file":
		b, err := os.ReadFile(q.Get("path"))
		reply(w, result{"data": string(b), "err": errString(err)})
	case "files":
		var names []string
		walk(q.Get("dir"), &names)
		sort.Strings(names)
		reply(w, names)
	case "config":
		v, err := config.Get(q.Get("key"))
		reply(w, result{"value": v, "err": configErr(err)})
	case "kv":
		reply(w, kvOp(q.Get("store"), q.Get("op"), q.Get("key"), q.Get("value")))
	case "redis":
		var req redisReq
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		reply(w, redisOp(req))
	case "http":
		reply(w, outbound(q.Get("method"), q.Get("url"), q.Get("body")))
	case "global":
		// Each request runs in a fresh instance (as in Spin): this is always 1.
		requests++
		scratch = append(scratch, make([]byte, 1<<20)...) // grow the heap too
		reply(w, result{"requests": requests, "scratch": len(scratch)})
	case "status":
		w.Header().Set("X-Probe", "yes")
		w.WriteHeader(418)
		io.WriteString(w, "teapot")
	default:
		http.NotFound(w, r)
	}
}

func walk(dir string, out *[]string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		p := strings.TrimSuffix(dir, "/") + "/" + e.Name()
		if e.IsDir() {
			walk(p, out)
		} else {
			*out = append(*out, p)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func configErr(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, config.ErrInvalidKey):
		return "invalid-key"
	case errors.Is(err, config.ErrProvider):
		return "provider"
	case errors.Is(err, config.ErrInvalidSchema):
		return "invalid-schema"
	case errors.Is(err, config.ErrOther):
		return "other"
	}
	return err.Error()
}

func kvErr(err error) string {
	for _, e := range []struct {
		err  error
		name string
	}{{kv.ErrStoreTableFull, "store-table-full"}, {kv.ErrNoSuchStore, "no-such-store"},
		{kv.ErrAccessDenied, "access-denied"}, {kv.ErrInvalidStore, "invalid-store"},
		{kv.ErrNoSuchKey, "no-such-key"}} {
		if errors.Is(err, e.err) {
			return e.name
		}
	}
	var io *kv.IOError
	if errors.As(err, &io) {
		return "io: " + io.Message
	}
	return errString(err)
}

// kvOp opens store and runs one operation; op "closed" runs get on a closed handle.
func kvOp(label, op, key, value string) result {
	s, err := kv.Open(label)
	if err != nil {
		return result{"err": kvErr(err)}
	}
	defer s.Close()
	switch op {
	case "open":
		return result{"err": ""}
	case "get":
		v, err := s.Get(key)
		return result{"value": string(v), "err": kvErr(err)}
	case "set":
		return result{"err": kvErr(s.Set(key, []byte(value)))}
	case "delete":
		return result{"err": kvErr(s.Delete(key))}
	case "exists":
		ok, err := s.Exists(key)
		return result{"exists": ok, "err": kvErr(err)}
	case "keys":
		keys, err := s.GetKeys()
		sort.Strings(keys)
		if keys == nil {
			keys = []string{}
		}
		return result{"keys": keys, "err": kvErr(err)}
	case "closed":
		s.Close()
		_, err := s.Get(key)
		return result{"err": kvErr(err)}
	}
	return result{"err": "unknown op " + op}
}

type redisReq struct {
	Addr    string   `json:"addr"`
	Op      string   `json:"op"`
	Key     string   `json:"key"`
	Value   string   `json:"value"`
	Members []string `json:"members"`
	Command string   `json:"command"`
	// Args are execute arguments: JSON numbers become int64 parameters, strings binary.
	Args []any `json:"args"`
}

func redisOp(q redisReq) result {
	res := result{}
	var err error
	switch q.Op {
	case "publish":
		err = redis.Publish(q.Addr, q.Key, []byte(q.Value))
	case "set":
		err = redis.Set(q.Addr, q.Key, []byte(q.Value))
	case "get":
		var v []byte
		v, err = redis.Get(q.Addr, q.Key)
		res["value"] = string(v)
	case "incr":
		res["n"], err = redis.Incr(q.Addr, q.Key)
	case "del":
		res["n"], err = redis.Del(q.Addr, q.Members...)
	case "sadd":
		res["n"], err = redis.SAdd(q.Addr, q.Key, q.Members...)
	case "srem":
		res["n"], err = redis.SRem(q.Addr, q.Key, q.Members...)
	case "smembers":
		var m []string
		m, err = redis.SMembers(q.Addr, q.Key)
		sort.Strings(m)
		res["members"] = m
	case "execute":
		args := make([]any, len(q.Args))
		for i, a := range q.Args {
			if f, ok := a.(float64); ok {
				args[i] = int64(f)
			} else {
				args[i] = fmt.Sprint(a)
			}
		}
		var rs []redis.Result
		rs, err = redis.Execute(q.Addr, q.Command, args...)
		out := []string{}
		for _, r := range rs {
			out = append(out, r.String())
		}
		res["results"] = out
	default:
		err = fmt.Errorf("unknown op %q", q.Op)
	}
	res["err"] = errString(err)
	return res
}

func outbound(method, url, body string) result {
	if method == "" {
		method = "GET"
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return result{"err": err.Error()}
	}
	req.Header.Set("X-Probe", "outbound")
	resp, err := spinhttp.Client.Do(req)
	if err != nil {
		name := err.Error()
		for _, e := range []struct {
			err  error
			name string
		}{{spinhttp.ErrDestinationNotAllowed, "destination-not-allowed"}, {spinhttp.ErrInvalidURL, "invalid-url"},
			{spinhttp.ErrRequestError, "request-error"}, {spinhttp.ErrRuntimeError, "runtime-error"},
			{spinhttp.ErrTooManyRequests, "too-many-requests"}} {
			if errors.Is(err, e.err) {
				name = e.name
			}
		}
		return result{"err": name}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{"status": resp.StatusCode, "body": string(b), "header": resp.Header.Get("X-Recorder"), "err": ""}
}
