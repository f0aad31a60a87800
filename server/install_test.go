package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"wasmsite/server/internal/testenv"
)

// make install PREFIX=… puts the binaries, the application and the systemd unit in
// place, and the unit passes systemd-analyze verify (where systemd is installed) with
// no warnings.
func TestMakeInstall(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	prefix := t.TempDir()
	cmd := exec.Command("make", "install", "PREFIX="+prefix)
	cmd.Dir = testenv.Root(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	for _, f := range []string{"bin/server", "bin/ssg", "share/wasmsite/spin.toml", "share/wasmsite/build/static.wasm",
		"share/wasmsite/build/likes.wasm", "share/wasmsite/public", "lib/systemd/system/wasmsite.service"} {
		if _, err := os.Stat(filepath.Join(prefix, f)); err != nil {
			t.Error(err)
		}
	}
	if out, err := exec.Command(filepath.Join(prefix, "bin/server"), "--version").CombinedOutput(); err != nil || !strings.Contains(string(out), "commit") {
		t.Errorf("installed server --version: %v %s", err, out)
	}
	unit := filepath.Join(prefix, "lib/systemd/system/wasmsite.service")
	b, _ := os.ReadFile(unit)
	if !strings.Contains(string(b), "ExecStart="+prefix+"/bin/server up --from "+prefix+"/share/wasmsite/spin.toml") {
		t.Errorf("unit's ExecStart does not use the prefix:\n%s", b)
	}
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Log("systemd-analyze is not installed: the unit is not verified")
		return
	}
	out, err := exec.Command("systemd-analyze", "verify", unit).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
