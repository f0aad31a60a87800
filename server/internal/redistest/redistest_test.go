package redistest

import "testing"

func TestStartRestart(t *testing.T) {
	s := Start(t)
	if err := ping(s.Addr()); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if err := ping(s.Addr()); err == nil {
		t.Fatal("server still answers after Stop")
	}
	s.Start()
	if err := ping(s.Addr()); err != nil {
		t.Fatal(err)
	}
	s.Restart()
	if err := ping(s.Addr()); err != nil {
		t.Fatal(err)
	}
}
