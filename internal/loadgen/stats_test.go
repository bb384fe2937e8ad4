package loadgen

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"
)

func ms(n int64) int64 { return n * int64(time.Millisecond) }

func TestCollectorTimeline(t *testing.T) {
	s := &sink{}
	start := time.UnixMilli(1700000000000)
	c := newCollector([]*sink{s}, start)
	s.push([]sample{
		{done: ms(100), lat: ms(1), bytes: 100, kind: kindSet, res: resOK},
		{done: ms(900), lat: ms(3), bytes: 50, kind: kindGet, res: resHit},
		{done: ms(950), lat: ms(2), bytes: 50, kind: kindGet, res: resMiss, moved: 1},
		{done: ms(2500), lat: ms(400), bytes: 70, kind: kindGet, res: resErr, ask: 2, tryagain: 1},
		{done: ms(2600), lat: ms(10), bytes: 60, kind: kindSet, res: resOK},
	}, []string{"ERR boom"})
	c.drain()
	c.finalize(1)
	// A late sample for the finalized second 0: counted, not in its
	// percentiles.
	s.push([]sample{{done: ms(990), lat: ms(50), bytes: 10, kind: kindGet, res: resHit}}, nil)
	c.drain()
	rows := c.timeline(2800 * time.Millisecond)
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3 (an idle second 1 included)", len(rows))
	}
	r0, r1, r2 := rows[0], rows[1], rows[2]
	if r0.Ops != 4 || r0.Sets != 1 || r0.Gets != 3 || r0.Hits != 2 || r0.Misses != 1 || r0.Moved != 1 || r0.Bytes != 210 {
		t.Fatalf("second 0: %+v", r0)
	}
	if r0.P99Ms < 2.9 || r0.P99Ms > 3.1 || r0.MaxMs > 3.1 || r0.AvgMs != 14 {
		t.Fatalf("second 0 latencies: %+v (the late 50 ms sample is in the average, not the percentiles)", r0)
	}
	if r1.Ops != 0 || r1.SpanMs != 1000 || r1.UnixMs != 1700000001000 {
		t.Fatalf("second 1: %+v", r1)
	}
	if r2.Ops != 1 || r2.Errors != 1 || r2.Ask != 2 || r2.TryAgain != 1 || r2.SpanMs != 800 || r2.P50Ms < 9.9 || r2.P50Ms > 10.1 {
		t.Fatalf("second 2: %+v", r2)
	}
	res := &Result{Duration: 2800 * time.Millisecond}
	c.summarize(res)
	if res.Totals.Ops != 5 || res.Sets.Ops != 2 || res.Gets.Ops != 3 || res.Errors != 1 || res.ErrorMessages["ERR boom"] != 1 {
		t.Fatalf("totals %+v", res)
	}
	if res.Gets.Moved != 1 || res.Gets.Ask != 2 || res.Totals.TryAgain != 1 || res.Totals.MaxMs < 49 {
		t.Fatalf("redirections/latency %+v", res.Totals)
	}
	if got := res.Totals.OpsSec; got < 1.78 || got > 1.79 {
		t.Fatalf("ops/sec %v, want 5/2.8", got)
	}
}

func TestChart(t *testing.T) {
	r := &Result{StartMs: 1700000000000, Duration: 3 * time.Second, Timeline: sampleRows(),
		Events: []Event{{1700000000500, "migration start"}, {1700000002000, "hand-over"}, {1699999999000, "before"}}}
	var pngBuf, svgBuf bytes.Buffer
	if err := WriteChart(&pngBuf, r, "title", "png"); err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(&pngBuf)
	if err != nil || cfg.Width < 800 || cfg.Height < 600 {
		t.Fatalf("png %+v, %v", cfg, err)
	}
	if err := WriteChart(&svgBuf, r, "title", "svg"); err != nil {
		t.Fatal(err)
	}
	svg := svgBuf.String()
	for _, want := range []string{"migration start", "hand-over", "ops/sec", "p99", "MOVED", "TRYAGAIN"} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %q", want)
		}
	}
	if strings.Contains(svg, ">before<") {
		t.Error("an event before the run is drawn")
	}
	if err := WriteChart(&svgBuf, r, "t", "bmp"); err == nil {
		t.Error("an unknown format was accepted")
	}
	// An empty run still draws.
	if err := WriteChart(&svgBuf, &Result{}, "", "svg"); err != nil {
		t.Fatal(err)
	}
}
