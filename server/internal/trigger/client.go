package trigger

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// TrustedProxies are the addresses of reverse proxies whose forwarding headers the host
// believes. The zero value trusts none.
type TrustedProxies []netip.Prefix

// ParseTrustedProxies reads a comma-separated list of CIDR prefixes and addresses
// ("10.0.0.0/8,127.0.0.1,::1"). It fails naming the first entry that is neither.
func ParseTrustedProxies(list string) (TrustedProxies, error) {
	var out TrustedProxies
	for entry := range strings.SplitSeq(list, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if p, err := netip.ParsePrefix(entry); err == nil {
			out = append(out, p.Masked())
			continue
		}
		addr, err := netip.ParseAddr(entry)
		if err != nil {
			return nil, &proxyEntryError{entry: entry}
		}
		out = append(out, netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
	}
	return out, nil
}

type proxyEntryError struct{ entry string }

func (e *proxyEntryError) Error() string {
	return "trusted proxies: " + strconv.Quote(e.entry) + " is neither an address nor a CIDR prefix"
}

func (t TrustedProxies) contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr returns the client's address (ip:port) for r: the socket peer, unless the
// peer is a trusted proxy; then the rightmost address of the forwarding chain
// (Forwarded's for=, else X-Forwarded-For) that is not a trusted proxy, since every hop
// appends the address it received from and only the trusted ones can be believed. An
// address the chain does not give a port gets port 0. A malformed or obfuscated entry
// ends the walk at the last trusted hop.
func (t TrustedProxies) ClientAddr(r *http.Request) string {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil || len(t) == 0 || !t.contains(peer.Addr()) {
		return r.RemoteAddr
	}
	chain := forwardedFor(r.Header)
	client := peer
	for i := len(chain) - 1; i >= 0; i-- {
		hop, ok := parseHop(chain[i])
		if !ok {
			break
		}
		client = hop
		if !t.contains(hop.Addr()) {
			break
		}
	}
	return client.String()
}

// forwardedFor lists the chain's addresses, first hop first: Forwarded's for= values
// (RFC 7239) if the request has Forwarded, else X-Forwarded-For's entries.
func forwardedFor(h http.Header) []string {
	var out []string
	if lines := h.Values("Forwarded"); len(lines) > 0 {
		for _, line := range lines {
			for element := range strings.SplitSeq(line, ",") {
				for pair := range strings.SplitSeq(element, ";") {
					name, value, _ := strings.Cut(strings.TrimSpace(pair), "=")
					if strings.EqualFold(name, "for") {
						out = append(out, strings.Trim(value, `"`))
					}
				}
			}
		}
		return out
	}
	for _, line := range h.Values("X-Forwarded-For") {
		for entry := range strings.SplitSeq(line, ",") {
			out = append(out, strings.TrimSpace(entry))
		}
	}
	return out
}

// parseHop reads one chain entry: an address, [v6] or with a port.
func parseHop(s string) (netip.AddrPort, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), true
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil && a.Zone() == "" {
		return netip.AddrPortFrom(a.Unmap(), 0), true
	}
	return netip.AddrPort{}, false
}

// clientIP returns the IP part of a host:port address.
func clientIP(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}
