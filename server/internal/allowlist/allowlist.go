// Package allowlist is the policy of outbound connections: a component's
// allowed_http_hosts (manifest v1) or allowed_outbound_hosts (v2) entries, parsed into a
// List that says whether a URL may be reached. The syntax and matching follow Spin 1.x
// (crates/outbound-http AllowedHttpHosts) and Spin 2.x (crates/outbound-networking).
package allowlist

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// AllowAll is the v1 entry that allows every URL.
const AllowAll = "insecure:allow-all"

// List is a parsed outbound allow-list (Parse). The zero value and nil allow nothing.
type List struct {
	version  int
	allowAll bool // v1 insecure:allow-all
	self     bool
	v1       []v1Host
	v2       []outboundHost
}

// v1Host is an allowed_http_hosts entry: a host and an optional explicit port ("" means
// "the URL carries no explicit non-default port").
type v1Host struct {
	host string // lower-case, IPv6 without brackets
	port string
}

// outboundHost is one allowed_outbound_hosts entry.
type outboundHost struct {
	scheme string // "*" or lower-case scheme
	// host kinds
	anyHost bool
	suffix  string       // "*.example.com" → ".example.com"
	prefix  netip.Prefix // CIDR (or single IP as /32, /128)
	name    string       // exact domain name, lower-case
	self    bool
	// ports
	anyPort        bool
	portLo, portHi int // half-open [lo, hi)
}

// defaultPorts are the well-known ports used when a v2 entry or a URL omits the port
// (spin crates/outbound-networking well_known_port).
var defaultPorts = map[string]int{"http": 80, "https": 443, "postgres": 5432, "mysql": 3306, "redis": 6379, "mqtt": 1883}

// Parse parses already-rendered entries. manifestVersion 1 uses the
// allowed_http_hosts syntax (host, host:port, http(s)://host[:port], "insecure:allow-all",
// "self"); 2 uses the allowed_outbound_hosts syntax (scheme://host[:port] with wildcards
// "*", "*.example.com", port ranges "a..b", IP CIDRs, and "self" hosts). Invalid entries
// produce an error naming the entry.
func Parse(entries []string, manifestVersion int) (*List, error) {
	a := &List{version: manifestVersion}
	switch manifestVersion {
	case 1:
		for _, e := range entries {
			if e == AllowAll {
				// Other entries are not validated (spin test insecure-allow-all-with-invalid-url).
				a.allowAll, a.self = true, true
				a.v1 = nil
				return a, nil
			}
		}
		for _, e := range entries {
			if strings.Contains(e, "{{") {
				return nil, fmt.Errorf("allowed host %q: template not rendered", e)
			}
			if e == "self" {
				a.self = true
				continue
			}
			h, err := parseV1Entry(e)
			if err != nil {
				return nil, err
			}
			a.v1 = append(a.v1, h)
		}
	case 2:
		for _, e := range entries {
			if strings.Contains(e, "{{") {
				return nil, fmt.Errorf("allowed outbound host %q: template not rendered", e)
			}
			h, err := parseV2Entry(e)
			if err != nil {
				return nil, err
			}
			if h.self {
				a.self = true
				continue
			}
			if h.anyHost {
				a.self = true // HostConfig::Any also allows relative URLs (spin@v2.7.0)
			}
			a.v2 = append(a.v2, h)
		}
	default:
		return nil, fmt.Errorf("unsupported manifest version %d", manifestVersion)
	}
	return a, nil
}

// parseV1Entry parses a v1 allowed_http_hosts entry (other than "self"/allow-all). As in
// spin@v1.5.1, an explicit port equal to the scheme's default (80 for http and for the
// scheme-less form, 443 for https) is dropped, exactly like the url crate's Url::port().
func parseV1Entry(e string) (v1Host, error) {
	text := e
	if !strings.Contains(e, "//") {
		text = "http://" + e
	}
	u, err := url.Parse(text)
	if err != nil {
		return v1Host{}, fmt.Errorf("allowed_http_hosts entry %q isn't a valid host, host:port or http(s) URL", e)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return v1Host{}, fmt.Errorf("allowed_http_hosts entry %q isn't a valid host or host:port string (only http and https URLs are allowed)", e)
	}
	if u.Hostname() == "" {
		return v1Host{}, fmt.Errorf("allowed_http_hosts entry %q doesn't contain a host name", e)
	}
	if len(u.EscapedPath()) > 1 || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return v1Host{}, fmt.Errorf("allowed_http_hosts entry %q contains a path, should be host and optional port only", e)
	}
	if strings.ContainsAny(u.Hostname(), "*") {
		return v1Host{}, fmt.Errorf("allowed_http_hosts entry %q: wildcards are not supported in allowed_http_hosts (use \"insecure:allow-all\")", e)
	}
	port := u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 0 || n > 65535 {
			return v1Host{}, fmt.Errorf("allowed_http_hosts entry %q has an invalid port", e)
		}
		port = strconv.Itoa(n)
		if n == defaultPorts[u.Scheme] {
			port = ""
		}
	}
	return v1Host{host: strings.ToLower(u.Hostname()), port: port}, nil
}

// parseV2Entry parses an allowed_outbound_hosts entry, scheme://host[:port]; an error
// names the entry and the part of it that is wrong.
func parseV2Entry(e string) (outboundHost, error) {
	h, err := v2Entry(e)
	if err != nil {
		return outboundHost{}, fmt.Errorf("allowed_outbound_hosts entry %q: %v", e, err)
	}
	return h, nil
}

func v2Entry(e string) (outboundHost, error) {
	var h outboundHost
	if e == AllowAll {
		return h, errors.New("'insecure:allow-all' is not allowed in allowed_outbound_hosts; use '*://*:*' instead")
	}
	scheme, rest, ok := strings.Cut(e, "://")
	if !ok {
		return h, fmt.Errorf("does not contain a scheme (e.g., 'http://' or '*://'); did you mean \"https://%s\" or \"*://%s\"?", e, e)
	}
	var err error
	if h.scheme, err = v2Scheme(scheme); err != nil {
		return h, err
	}
	host, port, err := splitV2HostPort(strings.TrimSuffix(rest, "/"))
	if err != nil {
		return h, err
	}
	if err := h.setHost(host); err != nil {
		return h, err
	}
	return h, h.setPorts(port)
}

// v2Scheme checks an entry's scheme: "*" or letters, lower-cased.
func v2Scheme(scheme string) (string, error) {
	switch {
	case scheme == "*":
		return "*", nil
	case strings.ContainsAny(scheme, "{},"):
		return "", errors.New("scheme lists are not supported; use one entry per scheme")
	case scheme == "":
		return "", errors.New("empty scheme")
	}
	for _, c := range scheme {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "", fmt.Errorf("invalid scheme %q", scheme)
		}
	}
	return strings.ToLower(scheme), nil
}

// splitV2HostPort splits what follows the scheme into host (a bracketed IPv6 address or
// CIDR loses its brackets) and port ("" when absent).
func splitV2HostPort(rest string) (host, port string, err error) {
	if strings.HasPrefix(rest, "[") {
		end := strings.Index(rest, "]")
		if end < 0 {
			return "", "", errors.New("unterminated '[' in host")
		}
		host = rest[1:end]
		after := rest[end+1:]
		if strings.HasPrefix(after, "/") {
			bits, tail, hasPort := strings.Cut(after[1:], ":")
			host += "/" + bits
			if hasPort && tail == "" {
				return "", "", errors.New("empty port")
			}
			port = tail
		} else if after != "" {
			if !strings.HasPrefix(after, ":") || after == ":" {
				return "", "", errors.New("invalid host")
			}
			port = after[1:]
		}
	} else {
		host = rest
		if i := strings.LastIndex(rest, ":"); i >= 0 {
			host, port = rest[:i], rest[i+1:]
			if port == "" {
				return "", "", errors.New("empty port")
			}
		}
	}
	if host == "" {
		return "", "", errors.New("missing host")
	}
	return host, port, nil
}

// setHost sets the kind of host an entry allows: any, self, a domain suffix, an IP
// prefix or one domain name.
func (h *outboundHost) setHost(host string) error {
	switch {
	case host == "*":
		h.anyHost = true
	case host == "self":
		h.self = true
	case strings.HasPrefix(host, "*."):
		d := strings.ToLower(host[2:])
		if err := checkDomain(d); err != nil {
			return err
		}
		h.suffix = "." + d
	case strings.Contains(host, "/"):
		p, err := netip.ParsePrefix(host)
		if err != nil {
			if _, _, cidrErr := net.ParseCIDR(host); cidrErr != nil {
				return errors.New("contains a path or an invalid IP CIDR (entries are scheme://host[:port] only)")
			}
			return fmt.Errorf("invalid IP CIDR %q", host)
		}
		h.prefix = p.Masked()
	default:
		if ip, err := netip.ParseAddr(host); err == nil {
			h.prefix = netip.PrefixFrom(ip, ip.BitLen())
			return nil
		}
		d := strings.ToLower(host)
		if strings.Contains(d, "*") {
			return errors.New("wildcards are only allowed as '*' or a '*.' prefix of the host")
		}
		if err := checkDomain(d); err != nil {
			return err
		}
		h.name = d
	}
	return nil
}

// setPorts sets the ports an entry allows: the scheme's well-known port when none is
// given, any ("*"), a range "lo..hi" (hi excluded) or one port.
func (h *outboundHost) setPorts(port string) error {
	switch {
	case port == "":
		p, ok := defaultPorts[h.scheme]
		if !ok {
			return fmt.Errorf("no port given and scheme %q has no well-known port; add \":<port>\" or \":*\"", h.scheme)
		}
		h.portLo, h.portHi = p, p+1
	case port == "*":
		h.anyPort = true
	case strings.Contains(port, ".."):
		a, b, _ := strings.Cut(port, "..")
		lo, err1 := parsePort(a)
		hi, err2 := parsePort(b)
		if err1 != nil || err2 != nil || lo >= hi {
			return fmt.Errorf("invalid port range %q (expected start..end with start < end)", port)
		}
		h.portLo, h.portHi = lo, hi
	default:
		p, err := parsePort(port)
		if err != nil {
			return fmt.Errorf("invalid port %q", port)
		}
		h.portLo, h.portHi = p, p+1
	}
	return nil
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 65535 || strings.HasPrefix(s, "+") {
		return 0, fmt.Errorf("invalid port %q", s)
	}
	return n, nil
}

func checkDomain(d string) error {
	if d == "" {
		return fmt.Errorf("empty host name")
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" {
			return fmt.Errorf("invalid host name %q", d)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("invalid host name %q", d)
			}
		}
	}
	return nil
}

// effectivePort returns u's explicit port or its scheme's well-known port (-1 if none).
func effectivePort(u *url.URL) int {
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return -1
		}
		return n
	}
	if p, ok := defaultPorts[strings.ToLower(u.Scheme)]; ok {
		return p
	}
	return -1
}

func sameOrigin(u, origin *url.URL) bool {
	return strings.EqualFold(u.Scheme, origin.Scheme) &&
		strings.EqualFold(u.Hostname(), origin.Hostname()) &&
		effectivePort(u) == effectivePort(origin)
}

// Allows reports whether a request to u (absolute URL) may be made. origin is the incoming
// request's scheme://authority (may be nil), used for "self": when self was granted, a URL
// with the same scheme, host and port as origin is allowed (relative URLs are resolved
// against origin by the caller).
func (a *List) Allows(u *url.URL, origin *url.URL) bool {
	if a == nil || u == nil {
		return false
	}
	if a.self && origin != nil && sameOrigin(u, origin) {
		return true
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if a.version == 1 {
		if a.allowAll {
			return true // AllowedHttpHosts::AllowAll allows any URL
		}
		if scheme != "http" && scheme != "https" {
			return false
		}
		port := u.Port()
		if port != "" {
			if n, err := strconv.Atoi(port); err == nil {
				port = strconv.Itoa(n)
				if n == defaultPorts[scheme] {
					port = ""
				}
			}
		}
		for _, h := range a.v1 {
			if h.host == host && h.port == port {
				return true
			}
		}
		return false
	}
	port := effectivePort(u)
	ip, ipErr := netip.ParseAddr(host)
	for _, h := range a.v2 {
		if h.scheme != "*" && h.scheme != scheme {
			continue
		}
		if !h.anyPort && (port < h.portLo || port >= h.portHi) {
			continue
		}
		switch {
		case h.anyHost:
		case h.suffix != "":
			if !(strings.HasSuffix(host, h.suffix) && len(host) > len(h.suffix)) {
				continue
			}
		case h.prefix.IsValid():
			if ipErr != nil || !h.prefix.Contains(ip.Unmap()) {
				continue
			}
		default:
			if h.name != host {
				continue
			}
		}
		return true
	}
	return false
}

// AllowsRelative reports whether "self" was granted. v1 "insecure:allow-all" and a v2 "*"
// host imply it, as in Spin.
func (a *List) AllowsRelative() bool { return a != nil && a.self }

// AllowsAll reports whether v1 "insecure:allow-all" was given.
func (a *List) AllowsAll() bool { return a != nil && a.allowAll }
