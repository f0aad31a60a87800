package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"wasmsite/server/manifest"
)

// parseUp parses args as `server up`'s flags and checks them, as the command does.
func parseUp(args []string) (*upFlags, error) {
	u := newUpFlags(pflag.NewFlagSet("up", pflag.ContinueOnError))
	if err := u.fs.Parse(args); err != nil {
		return u, err
	}
	return u, u.check()
}

func TestTLSFlags(t *testing.T) {
	u, err := parseUp([]string{"--tls-domain", "Example.com, www.example.com", "--tls-email", "me@example.com",
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
	if u, err = parseUp([]string{"--listen", ":8080"}); err != nil || u.tls.Enabled() || u.tls.HSTS != nil || u.listen != ":8080" {
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
		"--tls-domain a.test --hsts=maybe":                 `invalid argument "maybe" for "--hsts" flag`,
	} {
		_, err := parseUp(strings.Fields(args))
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", args, err, msg)
		}
	}
}
