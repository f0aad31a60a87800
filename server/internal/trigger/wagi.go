package trigger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"wasmsite/server/internal/abi"
	"wasmsite/server/internal/engine"
)

// WagiConfig is a component's WAGI executor (`executor = { type = "wagi", entrypoint, argv }`).
type WagiConfig struct {
	Entrypoint string // export to call, default "_start"
	Argv       string // template of ${SCRIPT_NAME} and ${ARGS}, default "${SCRIPT_NAME} ${ARGS}"
}

// MaxWagiOutput bounds what a WAGI module may write to stdout, in bytes.
const MaxWagiOutput = 64 << 20

// serveWagi runs the module as a CGI program (Spin 1.x crates/http/src/wagi): CGI/1.1
// variables in the environment, the body on stdin, the response read from stdout.
func (t *HTTP) serveWagi(ctx context.Context, c *Component, r *http.Request, body []byte, info requestInfo) (*abi.HTTPResponse, error) {
	out := &limitedBuffer{max: MaxWagiOutput}
	call := &engine.Call{
		Stdin:  bytes.NewReader(body),
		Stdout: out,
		Args:   wagiArgs(c.Wagi.Argv, r.URL.EscapedPath(), r.URL.RawQuery),
		Env:    wagiEnv(r, body, info),
	}
	inst, err := c.Module.Instantiate(ctx, call)
	if err != nil {
		return nil, err
	}
	defer inst.Release(context.WithoutCancel(ctx), false)
	fn := inst.ExportedFunction(c.Wagi.Entrypoint)
	if fn == nil {
		return nil, fmt.Errorf("no such function %q in component %q", c.Wagi.Entrypoint, c.ID)
	}
	if _, err := fn.Call(ctx); err != nil {
		if code, ok := engine.ExitCode(err); !ok || code != 0 {
			return nil, err
		}
	}
	if out.over {
		return nil, fmt.Errorf("WAGI output over %d bytes", MaxWagiOutput)
	}
	if out.Len() == 0 {
		return nil, fmt.Errorf("component %q is configured to use the WAGI executor but did not write to stdout", c.ID)
	}
	return ParseCGI(out.Bytes())
}

// wagiArgs expands the argv template: ${SCRIPT_NAME} is the request path, ${ARGS} the
// query with '&' replaced by ' '; the result is split on ' ' (so an empty query leaves a
// trailing empty argument, as in Spin).
func wagiArgs(tmpl, path, query string) []string {
	s := strings.ReplaceAll(tmpl, "${SCRIPT_NAME}", path)
	s = strings.ReplaceAll(s, "${ARGS}", strings.ReplaceAll(query, "&", " "))
	return strings.Split(s, " ")
}

func wagiEnv(r *http.Request, body []byte, info requestInfo) [][2]string {
	serverName, serverPort := info.hostName, "80"
	if h, p, err := net.SplitHostPort(info.hostName); err == nil {
		serverName, serverPort = h, p
	}
	decoded, err := url.PathUnescape(info.path)
	if err != nil {
		decoded = info.path
	}
	ip := clientIP(info.client)
	env := [][2]string{
		{"AUTH_TYPE", ""},
		{"CONTENT_LENGTH", strconv.Itoa(len(body))},
		{"CONTENT_TYPE", r.Header.Get("Content-Type")},
		{"GATEWAY_INTERFACE", "CGI/1.1"},
		{"QUERY_STRING", r.URL.RawQuery},
		{"REMOTE_ADDR", ip},
		{"REMOTE_HOST", ip},
		{"REMOTE_USER", ""},
		{"REQUEST_METHOD", r.Method},
		{"SCRIPT_NAME", info.route.Prefix},
		{"X_RAW_PATH_INFO", info.route.PathInfo(info.path)},
		{"PATH_TRANSLATED", decoded},
		{"SERVER_NAME", serverName},
		{"SERVER_PORT", serverPort},
		{"SERVER_PROTOCOL", r.Proto},
		{"SERVER_SOFTWARE", "WAGI/1"},
	}
	for k, vs := range r.Header {
		if k == "Authorization" || k == "Connection" {
			continue
		}
		env = append(env, [2]string{"HTTP_" + strings.ToUpper(strings.ReplaceAll(k, "-", "_")), strings.Join(vs, ", ")})
	}
	if r.Host != "" {
		env = append(env, [2]string{"HTTP_HOST", r.Host})
	}
	for _, h := range info.spinHeaders() {
		env = append(env, [2]string{h[1], h[2]})
	}
	return env
}

// ParseCGI turns a CGI response (headers, blank line, body) into a response, following
// Spin's WAGI compose_response: `Status: CODE [reason]` sets the status (unparsable →
// 502), `Location` without Status gives 302, other `Name: value` lines become headers,
// malformed lines are skipped; a response with none of Content-Type, Status or Location
// is a 500 with an explanatory body.
func ParseCGI(out []byte) (*abi.HTTPResponse, error) {
	head, body := out, []byte(nil)
	// Headers end at the first blank line; CRs are ignored while scanning.
	for i := 0; i < len(out); i++ {
		if out[i] != '\n' {
			continue
		}
		j := i + 1
		if j < len(out) && out[j] == '\r' {
			j++
		}
		if j < len(out) && out[j] == '\n' {
			head, body = out[:i], out[j+1:]
			break
		}
		if j == len(out) {
			head, body = out[:i], nil
		}
	}
	resp := &abi.HTTPResponse{Status: 200, Body: body}
	sufficient, hasStatus := false, false
	for _, line := range strings.Split(string(head), "\n") {
		name, value, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if !ok {
			continue
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !validHeaderName(name) {
			continue
		}
		switch strings.ToLower(name) {
		case "status":
			code, err := strconv.Atoi(strings.Fields(value + " x")[0])
			if err != nil || code < 100 || code > 599 {
				return &abi.HTTPResponse{Status: http.StatusBadGateway, Body: []byte("invalid Status header\n")}, nil
			}
			resp.Status, sufficient, hasStatus = uint16(code), true, true
		case "content-type":
			resp.Headers = append(resp.Headers, [2]string{"content-type", value})
			sufficient = true
		case "location":
			resp.Headers = append(resp.Headers, [2]string{"location", value})
			if !hasStatus {
				resp.Status = http.StatusFound
			}
			sufficient = true
		default:
			resp.Headers = append(resp.Headers, [2]string{name, value})
		}
	}
	if !sufficient {
		return &abi.HTTPResponse{Status: 500, Body: []byte("Exactly one of 'location' or 'content-type' must be specified")}, nil
	}
	return resp, nil
}

type limitedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if l.Len()+len(p) > l.max {
		l.over = true
		return 0, errors.New("output limit exceeded")
	}
	return l.Buffer.Write(p)
}
