package loadgen

import (
	"testing"
	"time"
)

func TestPacerSchedule(t *testing.T) {
	ms := int64(time.Millisecond)
	p := newPacer(0, 1000, 0) // one request per ms from t=0
	if n, wait := p.ready(-ms/2, 10); n != 0 || wait != 500*time.Microsecond {
		t.Fatalf("before start: n=%d wait=%v, want 0 and 500µs", n, wait)
	}
	if n, _ := p.ready(0, 10); n != 1 {
		t.Fatalf("at start: %d due, want 1", n)
	}
	p.take(1)
	if n, wait := p.ready(ms/2, 10); n != 0 || wait != 500*time.Microsecond {
		t.Fatalf("between slots: n=%d wait=%v", n, wait)
	}
	// 5.5 ms in: requests 1..5 are due.
	if n, _ := p.ready(5*ms+ms/2, 10); n != 5 {
		t.Fatalf("5.5ms: %d due, want 5", n)
	}
	// The cap is the pipeline depth.
	if n, _ := p.ready(5*ms+ms/2, 3); n != 3 {
		t.Fatalf("capped: %d due, want 3", n)
	}
}

// A client that stalls keeps its schedule: after the stall everything that
// was due is sent at once, each request keeping its own due time, so the
// stall is charged to all of them (coordinated-omission correction).
func TestPacerKeepsScheduleAcrossStall(t *testing.T) {
	ms := int64(time.Millisecond)
	p := newPacer(0, 1000, 0)
	p.take(1) // request 0 sent at t=0, then the server stalls 100 ms
	now := 100 * ms
	var lat []int64
	for {
		n, _ := p.ready(now, 16)
		if n == 0 {
			break
		}
		for i := 0; i < n; i++ {
			lat = append(lat, now-p.due(i))
		}
		p.take(n)
	}
	if len(lat) != 100 {
		t.Fatalf("%d requests due after a 100 ms stall, want 100", len(lat))
	}
	if lat[0] != 99*ms || lat[99] != 0 {
		t.Fatalf("latencies from %v to %v, want 99ms down to 0", time.Duration(lat[0]), time.Duration(lat[99]))
	}
}

func TestPacerLongRunRate(t *testing.T) {
	p := newPacer(0, 3333.3, 0.5)
	sent := 0
	end := int64(10 * time.Second)
	for now := int64(0); now < end; now += int64(137 * time.Microsecond) {
		n, _ := p.ready(now, 4)
		p.take(n)
		sent += n
	}
	if sent < 33320 || sent > 33340 {
		t.Fatalf("sent %d in 10 s at 3333.3/s", sent)
	}
}

func TestPacerPhaseSpreadsClients(t *testing.T) {
	a, b := newPacer(0, 100, 0), newPacer(0, 100, 0.5)
	if d := b.due(0) - a.due(0); d != int64(5*time.Millisecond) {
		t.Fatalf("phase offset %v, want 5ms", time.Duration(d))
	}
}
