package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func resolverApp(t *testing.T, dotenv string) *App {
	t.Helper()
	files := map[string]string{}
	if dotenv != "" {
		files[".env"] = dotenv
	}
	dir := writeTree(t, files)
	return &App{Dir: dir, Variables: map[string]Variable{
		"a":          {Default: ptr("default-a")},
		"b":          {Default: ptr("default-b")},
		"c":          {Default: ptr("default-c")},
		"d":          {Default: ptr("default-d")},
		"jwt_secret": {Required: true, Secret: true},
		"token":      {Default: ptr("tok"), Secret: true},
		"empty":      {Default: ptr("")},
	}}
}

func TestResolverPrecedence(t *testing.T) {
	app := resolverApp(t, "# comment\nSPIN_VARIABLE_A=dotenv-a\nSPIN_CONFIG_B = 'dotenv-b'\nexport SPIN_VARIABLE_C=\"dotenv c\" # trailing\nSPIN_CONFIG_C=dotenv-config-c\n\nSPIN_VARIABLE_JWT_SECRET=from-dotenv\nD=bare-name-ignored\n")
	env := map[string]string{
		"SPIN_VARIABLE_A": "env-var-a",
		"SPIN_CONFIG_A":   "env-config-a",
		"SPIN_CONFIG_B":   "env-config-b",
	}
	r, err := NewResolver(app, envMap(env))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a":          "env-var-a",    // SPIN_VARIABLE over SPIN_CONFIG over .env
		"b":          "env-config-b", // SPIN_CONFIG env over .env
		"c":          "dotenv c",     // .env SPIN_VARIABLE over .env SPIN_CONFIG
		"d":          "default-d",    // default; bare names in .env are not used
		"jwt_secret": "from-dotenv",
		"empty":      "",
	}
	for k, v := range want {
		got, err := r.Get(k)
		if err != nil || got != v {
			t.Errorf("Get(%q) = %q, %v; want %q", k, got, err, v)
		}
	}
	_, err = r.Get("nope")
	wantErr(t, err, `unknown variable "nope"`)
	if err := r.CheckRequired(); err != nil {
		t.Fatal(err)
	}
}

func TestResolverRequiredMissing(t *testing.T) {
	app := resolverApp(t, "")
	app.Variables["api_key"] = Variable{Required: true}
	r, err := NewResolver(app, envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = r.CheckRequired()
	if err == nil || err.Error() != `variable "api_key" is required but has no value; set SPIN_VARIABLE_API_KEY; variable "jwt_secret" is required but has no value; set SPIN_VARIABLE_JWT_SECRET` {
		t.Fatalf("CheckRequired = %v", err)
	}
	_, err = r.Get("jwt_secret")
	wantErr(t, err, `variable "jwt_secret" is required but has no value; set SPIN_VARIABLE_JWT_SECRET`)
	_, err = r.Render("Bearer {{ jwt_secret }}")
	wantErr(t, err, `variable "jwt_secret" is required`)
	// SPIN_CONFIG_ satisfies it too.
	r, _ = NewResolver(app, envMap(map[string]string{"SPIN_CONFIG_JWT_SECRET": "x", "SPIN_VARIABLE_API_KEY": "k"}))
	if err := r.CheckRequired(); err != nil {
		t.Fatal(err)
	}
}

func TestRender(t *testing.T) {
	r, err := NewResolver(resolverApp(t, ""), envMap(map[string]string{"SPIN_VARIABLE_JWT_SECRET": "j"}))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ in, out, err string }{
		{"plain", "plain", ""},
		{"", "", ""},
		{"{{a}}", "default-a", ""},
		{"x-{{ a }}-{{  b  }}-y", "x-default-a-default-b-y", ""},
		{"}} {{a}} }}", "}} default-a }}", ""},
		{"{{ a }", "", "unmatched '{{'"},
		{"x {{", "", "unmatched '{{'"},
		{"{{ zz }}", "", `unknown variable "zz"`},
		{"{{ A }}", "", "invalid variable reference"},
		{"{{}}", "", "invalid variable reference"},
	}
	for _, c := range cases {
		got, err := r.Render(c.in)
		if c.err != "" {
			wantErr(t, err, c.err)
			continue
		}
		if err != nil || got != c.out {
			t.Errorf("Render(%q) = %q, %v; want %q", c.in, got, err, c.out)
		}
	}
}

func TestRedact(t *testing.T) {
	r, err := NewResolver(resolverApp(t, ""), envMap(map[string]string{"SPIN_VARIABLE_JWT_SECRET": "hunter2", "SPIN_VARIABLE_A": "public"}))
	if err != nil {
		t.Fatal(err)
	}
	if !r.IsSecret("jwt_secret") || !r.IsSecret("token") || r.IsSecret("a") || r.IsSecret("nope") {
		t.Fatal("IsSecret")
	}
	got := r.Redact("auth hunter2 with tok and public; hunter2hunter2")
	if got != "auth *** with *** and public; ******" {
		t.Fatalf("Redact = %q", got)
	}
	// An empty secret value never redacts.
	app := resolverApp(t, "")
	app.Variables["blank"] = Variable{Default: ptr(""), Secret: true}
	r, _ = NewResolver(app, envMap(nil))
	if got := r.Redact("abc"); got != "abc" {
		t.Fatalf("Redact = %q", got)
	}
}

func TestDotenvErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ".env"), []byte("OK=1\nnot a pair\n"), 0o644)
	_, err := NewResolver(&App{Dir: dir}, envMap(nil))
	wantErr(t, err, ".env:2: expected KEY=VALUE")
	os.WriteFile(filepath.Join(dir, ".env"), []byte("A=\"open\n"), 0o644)
	_, err = NewResolver(&App{Dir: dir}, envMap(nil))
	wantErr(t, err, ".env:1: unterminated quoted value for A")
	m, err := ReadDotenv(writeTree(t, map[string]string{".env": "X=\"a\\nb \\\"q\\\"\"\nY='raw\\n'\nZ=v#nocomment\n"}) + "/.env")
	if err != nil || m["X"] != "a\nb \"q\"" || m["Y"] != `raw\n` || m["Z"] != "v#nocomment" {
		t.Fatalf("%q %v", m, err)
	}
	if !strings.Contains(EnvKeys("site_url")[0], "SPIN_VARIABLE_SITE_URL") || EnvKeys("site_url")[1] != "SPIN_CONFIG_SITE_URL" {
		t.Fatal(EnvKeys("site_url"))
	}
}

func TestResolverProviders(t *testing.T) {
	app := resolverApp(t, "SPIN_VARIABLE_B=dotenv-b\n")
	envFile := filepath.Join(t.TempDir(), "site.env")
	os.WriteFile(envFile, []byte("SITE_C=file-c\nSITE_JWT_SECRET=file-jwt\n"), 0o644)
	env := map[string]string{"SITE_A": "site-a", "SITE_B": "site-b", "SITE_C": "env-c", "OTHER_D": "other-d", "SITE_D": "site-d"}
	r, err := NewResolverWithProviders(app, envMap(env), []ConfigProvider{
		{Type: "env", Prefix: "SITE", DotenvPath: envFile},
		{Type: "env", Prefix: "OTHER"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a":          "site-a",   // provider env over default
		"b":          "dotenv-b", // default provider (.env) first
		"c":          "env-c",    // provider env over provider dotenv
		"d":          "site-d",   // first provider wins
		"jwt_secret": "file-jwt", // provider dotenv
	}
	for k, v := range want {
		if got, err := r.Get(k); err != nil || got != v {
			t.Errorf("Get(%q) = %q, %v; want %q", k, got, err, v)
		}
	}
	_, err = NewResolverWithProviders(app, envMap(nil), []ConfigProvider{{Type: "vault"}})
	wantErr(t, err, `config_provider[0]: type "vault" is not supported`)
}
