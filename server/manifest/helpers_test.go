package manifest

import (
	"strings"
	"testing"
)

func mustParse(t *testing.T, dir, manifest string) *App {
	t.Helper()
	app, err := Parse([]byte(manifest), dir)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return app
}

func wantErr(t *testing.T, err error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected error containing %q, got nil", subs)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Fatalf("error %q does not contain %q", err.Error(), s)
		}
	}
}

func ptr(s string) *string { return &s }
