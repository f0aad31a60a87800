package main

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"wasmsite/server/manifest"
)

func TestTLSFlags(t *testing.T) {
	u := newUpFlags(io.Discard)
	err := u.parse([]string{"--tls-domain", "Example.com, www.example.com", "--tls-email", "me@example.com",
		"--tls-ca", "https://ca.test/dir", "--tls-ca-root", "root.pem", "--hsts", "--https-listen", ":8443"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := u.options()
	if err != nil {
		t.Fatal(err)
	}
	on := true
	want := manifest.TLS{Domains: []string{"example.com", "www.example.com"}, Email: "me@example.com", CA: "https://ca.test/dir",
		CARoot: "root.pem", HSTS: &on, HTTPSListen: ":8443"}
	if !reflect.DeepEqual(o.TLS, want) {
		t.Errorf("TLS options %+v, want %+v", o.TLS, want)
	}
	u = newUpFlags(io.Discard)
	if err := u.parse([]string{"--listen", ":8080"}); err != nil || u.tls.Enabled() || u.tls.HSTS != nil || u.listen != ":8080" {
		t.Errorf("without TLS flags: %+v %v", u.tls, err)
	}
}

func TestTLSFlagErrors(t *testing.T) {
	for args, msg := range map[string]string{
		"--tls-key k.pem":  "--tls-key needs --tls-cert",
		"--tls-cert c.pem": "--tls-cert needs --tls-key",
		"--tls-domain a.test --tls-cert c.pem --tls-key k": "--tls-domain is for ACME certificates; it does not go with --tls-cert",
		"--tls-ca-root r.pem --tls-cert c.pem --tls-key k": "--tls-ca-root is for ACME certificates",
		"--tls-domain https://a.test":                      `--tls-domain: "https://a.test" is not a domain name`,
		"--tls-domain a.test,":                             `--tls-domain: "" is not a domain name`,
		"--tls-domain a.test --tls-ca http://ca.test/dir":  `--tls-ca: "http://ca.test/dir" is not an https URL`,
		"--tls-domain a.test --https-listen 443":           `--https-listen: "443" is not host:port`,
		"--tls-domain a.test --hsts=maybe":                 `invalid boolean value "maybe" for -hsts`,
	} {
		err := newUpFlags(io.Discard).parse(strings.Fields(args))
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", args, err, msg)
		}
	}
}
