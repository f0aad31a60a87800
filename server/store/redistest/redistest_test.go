package redistest

import (
	"bufio"
	"net"
	"testing"
)

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

func TestAppendOnlySurvivesRestart(t *testing.T) {
	s := StartWith(t, Options{AppendOnly: true})
	send := func(cmd string) string {
		t.Helper()
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return line
	}
	if got := send("SET k v"); got != "+OK\r\n" {
		t.Fatalf("SET = %q", got)
	}
	s.Restart()
	if got := send("EXISTS k"); got != ":1\r\n" {
		t.Fatalf("EXISTS after restart = %q; want :1", got)
	}
}
