package likes

import (
	"testing"
	"time"
)

func TestRateLimiter(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 10, 0, time.UTC)
	st := newMemStore(func() time.Time { return now })
	rl := &RateLimiter{Store: st, Now: func() time.Time { return now }}
	for i := 0; i < 3; i++ {
		if ok, _, err := rl.Allow("r:a", 3); !ok || err != nil {
			t.Fatalf("request %d refused: %v", i, err)
		}
	}
	ok, retry, err := rl.Allow("r:a", 3)
	if ok || err != nil || retry != 50 {
		t.Fatalf("4th: ok=%v retry=%d err=%v", ok, retry, err)
	}
	if ok, _, _ := rl.Allow("r:b", 3); !ok {
		t.Error("other key limited")
	}
	now = now.Add(50 * time.Second) // next window
	if ok, _, _ := rl.Allow("r:a", 3); !ok {
		t.Error("next window still limited")
	}
	if ok, _, _ := rl.Allow("r:a", 0); !ok {
		t.Error("limit 0 must mean unlimited")
	}
	// keys expire
	found := false
	for _, c := range st.calls {
		if c == "EXPIRE rl:r:a:29921040 120" {
			found = true
		}
	}
	if !found {
		t.Errorf("no EXPIRE: %v", st.calls)
	}
	st.down = true
	if _, _, err := rl.Allow("r:a", 3); err == nil {
		t.Error("store down: no error")
	}
}
