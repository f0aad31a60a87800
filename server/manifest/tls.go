package manifest

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// TLS is the runtime config's [tls] table (a wasmsite extension; the host's --tls-*
// flags override it): HTTPS with certificates obtained over ACME for Domains, or read
// from CertFile and KeyFile. Zero fields are unset.
type TLS struct {
	// Domains are the names to obtain and renew certificates for over ACME (domains),
	// lower-case.
	Domains []string
	// Email is the ACME account's contact address (email).
	Email string
	// CA is the ACME directory URL (ca), https.
	CA string
	// CARoot is a PEM file of root certificates trusted for the ACME server's own
	// certificate (ca_root), for private or test CAs.
	CARoot string
	// CertFile and KeyFile are a PEM certificate chain and its private key (cert_file,
	// key_file), the alternative to ACME.
	CertFile, KeyFile string
	// HSTS sends Strict-Transport-Security on HTTPS responses (hsts); nil when unset.
	HSTS *bool
	// HTTPListen and HTTPSListen are the addresses (host:port) to serve HTTP and HTTPS
	// on (http_listen, https_listen).
	HTTPListen, HTTPSListen string
}

// Enabled reports whether HTTPS is configured: domains for ACME, or certificate files.
func (t TLS) Enabled() bool { return len(t.Domains) > 0 || t.CertFile != "" || t.KeyFile != "" }

// TLSFields are the [tls] keys, in file order; CheckTLS names a field by one of them.
var TLSFields = []string{"domains", "email", "ca", "ca_root", "cert_file", "key_file", "hsts", "http_listen", "https_listen"}

// CheckTLS checks one source of TLS settings (the [tls] table, or the flags) on its own:
// domains are host names (no scheme, port, path or wildcard), cert_file and key_file
// come together, ACME's settings (domains, email, ca, ca_root) do not come with
// cert_file, ca is an https URL and the listen addresses are host:port. Errors name the
// field through name, which maps a TLSFields key to how the source spells it.
func CheckTLS(t TLS, name func(field string) string) error {
	for _, d := range t.Domains {
		if err := checkDomain(d); err != nil {
			return fmt.Errorf("%s: %w", name("domains"), err)
		}
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		if t.CertFile == "" {
			return fmt.Errorf("%s needs %s", name("key_file"), name("cert_file"))
		}
		return fmt.Errorf("%s needs %s", name("cert_file"), name("key_file"))
	}
	if t.CertFile != "" {
		for _, f := range []struct {
			field string
			set   bool
		}{{"domains", len(t.Domains) > 0}, {"email", t.Email != ""}, {"ca", t.CA != ""}, {"ca_root", t.CARoot != ""}} {
			if f.set {
				return fmt.Errorf("%s is for ACME certificates; it does not go with %s", name(f.field), name("cert_file"))
			}
		}
	}
	if t.CA != "" {
		if u, err := url.Parse(t.CA); err != nil || u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("%s: %q is not an https URL (an ACME directory, such as https://acme-v02.api.letsencrypt.org/directory)", name("ca"), t.CA)
		}
	}
	for _, f := range []struct{ field, addr string }{{"http_listen", t.HTTPListen}, {"https_listen", t.HTTPSListen}} {
		if _, _, err := net.SplitHostPort(f.addr); f.addr != "" && err != nil {
			return fmt.Errorf("%s: %q is not host:port (such as :443 or 203.0.113.7:443)", name(f.field), f.addr)
		}
	}
	return nil
}

// checkDomain accepts a DNS name of letters, digits, hyphens and dots.
func checkDomain(d string) error {
	if d == "" || len(d) > 253 || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..") {
		return fmt.Errorf("%q is not a domain name", d)
	}
	for _, c := range d {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return fmt.Errorf("%q is not a domain name (letters, digits, hyphens and dots; no scheme, port, path or wildcard)", d)
		}
	}
	return nil
}

type rawTLS struct {
	Domains     []string `toml:"domains"`
	Email       string   `toml:"email"`
	CA          string   `toml:"ca"`
	CARoot      string   `toml:"ca_root"`
	CertFile    string   `toml:"cert_file"`
	KeyFile     string   `toml:"key_file"`
	HSTS        *bool    `toml:"hsts"`
	HTTPListen  string   `toml:"http_listen"`
	HTTPSListen string   `toml:"https_listen"`
}

// convert reads [tls]: domains are lower-cased, file paths made absolute against dir
// (the config file's directory), then CheckTLS names a faulty field as tls.<field>.
func (r *rawTLS) convert(file, dir string) (TLS, error) {
	t := TLS{Email: r.Email, CA: r.CA, CARoot: relAbs(dir, r.CARoot), CertFile: relAbs(dir, r.CertFile),
		KeyFile: relAbs(dir, r.KeyFile), HSTS: r.HSTS, HTTPListen: r.HTTPListen, HTTPSListen: r.HTTPSListen}
	for _, d := range r.Domains {
		t.Domains = append(t.Domains, strings.ToLower(d))
	}
	if err := CheckTLS(t, func(field string) string { return "tls." + field }); err != nil {
		return TLS{}, fmt.Errorf("%s: %w", file, err)
	}
	return t, nil
}
