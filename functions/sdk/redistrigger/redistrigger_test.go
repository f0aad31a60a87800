package redistrigger

import (
	"errors"
	"testing"
)

func TestDeliver(t *testing.T) {
	Handle(nil)
	if err := Deliver([]byte("x")); err == nil {
		t.Error("nil handler accepted")
	}
	var got string
	Handle(func(p []byte) error {
		got = string(p)
		if got == "panic" {
			panic("boom")
		}
		if got == "fail" {
			return errors.New("fail")
		}
		return nil
	})
	if err := Deliver([]byte("hi")); err != nil || got != "hi" {
		t.Errorf("deliver: %v %q", err, got)
	}
	if Deliver([]byte("fail")) == nil || Deliver([]byte("panic")) == nil {
		t.Error("failures not reported")
	}
}
