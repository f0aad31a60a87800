package trigger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"wasmsite/functions/sdk/spin"
	"wasmsite/server/internal/abi"
	"wasmsite/server/internal/engine"
)

// WagiExecutor runs a WASI command as a CGI program (Spin 1.x crates/http/src/wagi):
// CGI/1.1 variables in the environment, the body on stdin, the response read from
// stdout (`executor = { type = "wagi", entrypoint, argv }`).
type WagiExecutor struct {
	Entrypoint string // export to call, default "_start"
	Argv       string // template of ${SCRIPT_NAME} and ${ARGS}, default "${SCRIPT_NAME} ${ARGS}"
}

// MaxWagiOutput bounds what a WAGI module may write to stdout, in bytes.
const MaxWagiOutput = 64 << 20

// Check implements Executor.
func (x WagiExecutor) Check(m *engine.Module) error {
	if !m.HasExport(x.Entrypoint) {
		return fmt.Errorf("WAGI entrypoint %q is not exported by the module", x.Entrypoint)
	}
	return nil
}

// Execute implements Executor. The module ending with proc_exit(0) is a normal end.
func (x WagiExecutor) Execute(ctx context.Context, inst *engine.Instance, req *Request) (*abi.HTTPResponse, error) {
	stdin, n, err := wagiStdin(req)
	if err != nil {
		return nil, err
	}
	out := &limitedBuffer{max: MaxWagiOutput}
	inst.SetCall(&engine.Call{
		Stdin:  stdin,
		Stdout: out,
		Args:   wagiArgs(x.Argv, req.Path, req.URL.RawQuery),
		Env:    wagiEnv(req, n),
	})
	if _, err := inst.Function(x.Entrypoint).Call(ctx); err != nil {
		if code, ok := engine.ExitCode(err); !ok || code != 0 {
			return nil, err
		}
	}
	if out.over {
		return nil, fmt.Errorf("WAGI output over %d bytes", MaxWagiOutput)
	}
	if out.Len() == 0 {
		return nil, errNoOutput
	}
	return ParseCGI(out.Bytes())
}

// wagiStdin is the body as stdin and its length (CONTENT_LENGTH): streamed when the
// length is known, else buffered first (within the limit).
func wagiStdin(req *Request) (io.Reader, int64, error) {
	if req.BodyLen >= 0 {
		return req.Body, req.BodyLen, nil
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, 0, &abi.BodyError{Err: err}
	}
	return bytes.NewReader(body), int64(len(body)), nil
}

// wagiArgs expands the argv template: ${SCRIPT_NAME} is the request path, ${ARGS} the
// query with '&' replaced by ' '; the result is split on ' ' (so an empty query leaves a
// trailing empty argument, as in Spin).
func wagiArgs(tmpl, path, query string) []string {
	s := strings.ReplaceAll(tmpl, "${SCRIPT_NAME}", path)
	s = strings.ReplaceAll(s, "${ARGS}", strings.ReplaceAll(query, "&", " "))
	return strings.Split(s, " ")
}

func wagiEnv(r *Request, contentLength int64) [][2]string {
	serverName, serverPort := r.HostName, "80"
	if h, p, err := net.SplitHostPort(r.HostName); err == nil {
		serverName, serverPort = h, p
	}
	// PATH_TRANSLATED is the percent-decoded PATH_INFO (Spin's wagi build_headers).
	rawInfo := r.Route.PathInfo(r.Path)
	decoded, err := url.PathUnescape(rawInfo)
	if err != nil {
		decoded = rawInfo
	}
	ip := clientIP(r.Client)
	env := [][2]string{
		{"AUTH_TYPE", ""},
		{"CONTENT_LENGTH", strconv.FormatInt(contentLength, 10)},
		{"CONTENT_TYPE", r.Header.Get("Content-Type")},
		{"GATEWAY_INTERFACE", "CGI/1.1"},
		{"QUERY_STRING", r.URL.RawQuery},
		{"REMOTE_ADDR", ip},
		{"REMOTE_HOST", ip},
		{"REMOTE_USER", ""},
		{"REQUEST_METHOD", r.Method},
		{"SCRIPT_NAME", r.Route.Prefix},
		{"X_RAW_PATH_INFO", rawInfo},
		{"PATH_TRANSLATED", decoded},
		{"SERVER_NAME", serverName},
		{"SERVER_PORT", serverPort},
		{"SERVER_PROTOCOL", r.Proto},
		{"SERVER_SOFTWARE", "WAGI/1"},
	}
	for k, vs := range r.Header {
		if !passToCGI(k) {
			continue
		}
		env = append(env, [2]string{"HTTP_" + strings.ToUpper(strings.ReplaceAll(k, "-", "_")), strings.Join(vs, ", ")})
	}
	if r.Host != "" {
		env = append(env, [2]string{"HTTP_HOST", r.Host})
	}
	for _, h := range r.spinHeaders() {
		env = append(env, [2]string{h[1], h[2]})
	}
	return env
}

// passToCGI reports whether a client's header becomes an HTTP_ variable: not
// Authorization and Connection (as Spin's WAGI), not Proxy (HTTP_PROXY would set the
// program's outbound proxy: "httpoxy"), not a name with '_' (X_Client_Addr and
// X-Client-Addr would both be HTTP_X_CLIENT_ADDR), not one the host sets itself.
func passToCGI(name string) bool {
	switch name {
	case "Authorization", "Connection", "Proxy":
		return false
	}
	return !strings.Contains(name, "_") && !spin.IsHostHeader(name)
}

// ParseCGI turns a CGI response (headers, blank line, body) into a response, following
// Spin's WAGI compose_response: CRs are ignored while scanning for the blank line that
// ends the headers (output without one is all body, so it has no headers); header lines
// are `Name: value` (split at the first ':', trimmed; malformed lines and invalid names
// are skipped; for a repeated name the last line wins); `Status: CODE [reason]` sets the
// status (a CODE that is not three digits 100..999 gives 502, the rest of the response
// kept); `Location` without Status gives 302; a response with none of Content-Type,
// Status or Location is a 500 with an explanatory body. Headers that are not UTF-8, and
// values with control characters (which no HTTP response may carry), are an error.
func ParseCGI(out []byte) (*abi.HTTPResponse, error) {
	head, body := splitCGI(out)
	if !utf8.Valid(head) {
		return nil, errors.New("WAGI response headers are not valid UTF-8")
	}
	resp := &abi.HTTPResponse{Status: 200, Body: body}
	sufficient, hasStatus := false, false
	index := map[string]int{} // lower-cased name -> position in resp.Headers
	set := func(name, value string) {
		key := strings.ToLower(name)
		if i, ok := index[key]; ok {
			resp.Headers[i] = [2]string{name, value}
			return
		}
		index[key] = len(resp.Headers)
		resp.Headers = append(resp.Headers, [2]string{name, value})
	}
	for _, line := range strings.Split(strings.TrimSpace(string(head)), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !validHeaderName(name) {
			continue
		}
		if !validHeaderValue(value) {
			return nil, fmt.Errorf("WAGI response header %q has a control character in its value", name)
		}
		switch strings.ToLower(name) {
		case "status":
			code, _, _ := strings.Cut(value, " ")
			resp.Status, sufficient, hasStatus = parseStatus(code), true, true
		case "content-type":
			set("content-type", value)
			sufficient = true
		case "location":
			set("location", value)
			if !hasStatus {
				resp.Status = http.StatusFound
			}
			sufficient = true
		default:
			set(name, value)
		}
	}
	if !sufficient {
		return &abi.HTTPResponse{Status: 500, Body: []byte("Exactly one of 'location' or 'content-type' must be specified")}, nil
	}
	return resp, nil
}

// splitCGI splits output at the first blank line (CRs ignored): the header block without
// CRs, and the body. Output without a blank line is all body.
func splitCGI(out []byte) (head, body []byte) {
	var last byte
	for i, c := range out {
		if c == '\r' {
			continue
		}
		if c == '\n' && last == '\n' {
			return head, out[i+1:]
		}
		last = c
		head = append(head, c)
	}
	return nil, out
}

// parseStatus parses a status code as Rust's http::StatusCode does (exactly three
// digits, 100..=999), or returns 502.
func parseStatus(s string) uint16 {
	if len(s) != 3 || s[0] < '1' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9' {
		return http.StatusBadGateway
	}
	return uint16(s[0]-'0')*100 + uint16(s[1]-'0')*10 + uint16(s[2]-'0')
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
