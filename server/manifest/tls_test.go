package manifest

import (
	"path/filepath"
	"reflect"
	"testing"
)

func TestRuntimeConfigTLS(t *testing.T) {
	rc, err := ParseRuntimeConfig([]byte(`[tls]
domains = ["Example.com", "www.example.com"]
email = "me@example.com"
ca = "https://acme.internal/directory"
ca_root = "certs/root.pem"
hsts = true
http_listen = ":8080"
https_listen = "203.0.113.7:8443"
`), "/x/rc.toml")
	if err != nil {
		t.Fatal(err)
	}
	on := true
	want := TLS{Domains: []string{"example.com", "www.example.com"}, Email: "me@example.com", CA: "https://acme.internal/directory",
		CARoot: filepath.Join("/x", "certs/root.pem"), HSTS: &on, HTTPListen: ":8080", HTTPSListen: "203.0.113.7:8443"}
	if !reflect.DeepEqual(rc.TLS, want) || !rc.TLS.Enabled() {
		t.Fatalf("tls %+v, want %+v", rc.TLS, want)
	}
	files, err := ParseRuntimeConfig([]byte("[tls]\ncert_file = \"/etc/site/cert.pem\"\nkey_file = \"key.pem\"\n"), "/x/rc.toml")
	if err != nil || files.TLS.CertFile != "/etc/site/cert.pem" || files.TLS.KeyFile != "/x/key.pem" || files.TLS.HSTS != nil {
		t.Fatalf("%+v %v", files.TLS, err)
	}
	none, err := ParseRuntimeConfig(nil, "/x/rc.toml")
	if err != nil || none.TLS.Enabled() {
		t.Fatalf("%+v %v", none.TLS, err)
	}
}

func TestRuntimeConfigTLSErrors(t *testing.T) {
	for in, msg := range map[string]string{
		"[tls]\ndomains = [\"https://example.com\"]\n":                         `rc.toml: tls.domains: "https://example.com" is not a domain name`,
		"[tls]\ndomains = [\"example.com:443\"]\n":                             `rc.toml: tls.domains: "example.com:443" is not a domain name`,
		"[tls]\ndomains = [\"*.example.com\"]\n":                               `tls.domains: "*.example.com" is not a domain name`,
		"[tls]\ndomains = [\"\"]\n":                                            `tls.domains: "" is not a domain name`,
		"[tls]\ndomains = \"example.com\"\n":                                   `rc.toml:2:11: field "tls.domains": expected an array`,
		"[tls]\ncert_file = \"c.pem\"\n":                                       `rc.toml: tls.cert_file needs tls.key_file`,
		"[tls]\nkey_file = \"k.pem\"\n":                                        `rc.toml: tls.key_file needs tls.cert_file`,
		"[tls]\ndomains = [\"a.test\"]\ncert_file = \"c\"\nkey_file = \"k\"\n": `tls.domains is for ACME certificates; it does not go with tls.cert_file`,
		"[tls]\nemail = \"a@b\"\ncert_file = \"c\"\nkey_file = \"k\"\n":        `tls.email is for ACME certificates`,
		"[tls]\nca = \"http://acme.test/dir\"\n":                               `rc.toml: tls.ca: "http://acme.test/dir" is not an https URL`,
		"[tls]\nhttps_listen = \"443\"\n":                                      `rc.toml: tls.https_listen: "443" is not host:port`,
		"[tls]\nhttp_listen = \"localhost\"\n":                                 `tls.http_listen: "localhost" is not host:port`,
		"[tls]\nhsts = \"yes\"\n":                                              `rc.toml:2:8: field "tls.hsts": expected a boolean`,
		"[tls]\ndomain = [\"example.com\"]\n":                                  `rc.toml:2:1: unknown field "domain" (in tls)`,
	} {
		_, err := ParseRuntimeConfig([]byte(in), "/x/rc.toml")
		wantErr(t, err, msg)
	}
}

// CheckTLS names fields as the caller spells them (here, flags).
func TestCheckTLSNames(t *testing.T) {
	flag := map[string]string{"cert_file": "--tls-cert", "key_file": "--tls-key"}
	err := CheckTLS(TLS{KeyFile: "k.pem"}, func(f string) string { return flag[f] })
	wantErr(t, err, "--tls-key needs --tls-cert")
}
