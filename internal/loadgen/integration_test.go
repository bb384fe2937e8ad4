package loadgen

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/difftest"
	"github.com/shoal-db/shoal/internal/testutil"
)

// loadConfig is a small closed-loop run: 2 threads × 3 clients, pipeline
// 8, 1:1 over 1000 keys.
func loadConfig(port int) Config {
	cfg := DefaultConfig()
	cfg.Port = port
	cfg.Threads, cfg.Clients, cfg.Pipeline = 2, 3, 8
	cfg.Requests = 2000
	cfg.RatioSet, cfg.RatioGet = 1, 1
	cfg.KeyMin, cfg.KeyMax = 1, 1000
	cfg.DataSize = 100
	return cfg
}

// checkLoad verifies the accounting of a loadConfig run: every request
// answered, the ratio kept, hits and misses adding up, and the timeline
// summing to the totals.
func checkLoad(t *testing.T, res *Result, cfg Config) {
	t.Helper()
	want := int64(cfg.Conns()) * cfg.Requests
	if res.Errors != 0 {
		t.Fatalf("%d errors: %v", res.Errors, res.ErrorMessages)
	}
	if res.Totals.Ops != want || res.Sets.Ops != want/2 || res.Gets.Ops != want/2 {
		t.Fatalf("ops %d (sets %d, gets %d), want %d at 1:1", res.Totals.Ops, res.Sets.Ops, res.Gets.Ops, want)
	}
	if res.Gets.Hits+res.Gets.Misses != res.Gets.Ops || res.Gets.Hits == 0 {
		t.Fatalf("gets %d = hits %d + misses %d?", res.Gets.Ops, res.Gets.Hits, res.Gets.Misses)
	}
	if res.Totals.P50Ms <= 0 || res.Totals.P99Ms < res.Totals.P50Ms || res.Totals.MaxMs < res.Totals.P999Ms {
		t.Fatalf("latencies p50 %v p99 %v p99.9 %v max %v", res.Totals.P50Ms, res.Totals.P99Ms, res.Totals.P999Ms, res.Totals.MaxMs)
	}
	// A SET of a 100-byte value to "memtier-NNNN" is at least 130 bytes
	// with its +OK.
	if res.Sets.Bytes < res.Sets.Ops*130 || res.Totals.KBSec <= 0 {
		t.Fatalf("set bytes %d for %d sets", res.Sets.Bytes, res.Sets.Ops)
	}
	var ops, hits int64
	for _, s := range res.Timeline {
		ops += s.Ops
		hits += s.Hits
	}
	if ops != res.Totals.Ops || hits != res.Gets.Hits {
		t.Fatalf("timeline sums to %d ops / %d hits, totals say %d / %d", ops, hits, res.Totals.Ops, res.Gets.Hits)
	}
}

func TestAgainstShoalNode(t *testing.T) {
	srv := testutil.StartServer(t)
	cfg := loadConfig(srv.Port())
	res := runBench(t, cfg)
	checkLoad(t, res, cfg)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	n, err := rdb.DBSize(context.Background()).Result()
	if err != nil || n < 1 || n > 1000 {
		t.Fatalf("dbsize %d, %v: want the benchmark's keys, at most 1000", n, err)
	}
	v, err := rdb.Get(context.Background(), "memtier-"+firstKey(t, rdb)).Result()
	if err != nil || v != strings.Repeat("x", 100) {
		t.Fatalf("value %q, %v", v, err)
	}
}

func firstKey(t *testing.T, rdb *redis.Client) string {
	keys, _, err := rdb.Scan(context.Background(), 0, "memtier-*", 10).Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("no benchmark keys: %v", err)
	}
	return strings.TrimPrefix(keys[0], "memtier-")
}

func TestAgainstRedisServer(t *testing.T) {
	rs := difftest.StartRedis(t, difftest.RequireBinary(t, "redis-server"))
	_, port, _ := strings.Cut(rs.Addr, ":")
	p, _ := strconv.Atoi(port)
	cfg := loadConfig(p)
	res := runBench(t, cfg)
	checkLoad(t, res, cfg)

	// Open loop, time-bounded, Zipf keys: the run lasts its test time and
	// sends at the rate asked.
	cfg = loadConfig(p)
	cfg.Requests, cfg.TestTime, cfg.Rate = 0, 1500*time.Millisecond, 2000
	cfg.SetPattern, cfg.GetPattern = PatternZipf, PatternZipf
	res = runBench(t, cfg)
	if res.Errors != 0 || res.Totals.OpsSec < 1500 || res.Totals.OpsSec > 2300 {
		t.Fatalf("open loop at 2000/s: %.0f ops/sec, %d errors", res.Totals.OpsSec, res.Errors)
	}
	if res.Duration < 1500*time.Millisecond || res.Duration > 2*time.Second {
		t.Fatalf("a 1.5 s run took %v", res.Duration)
	}
}

func TestAuthAndSelect(t *testing.T) {
	srv := testutil.StartServer(t, "--requirepass", "sesame")
	cfg := loadConfig(srv.Port())
	cfg.Requests = 50
	cfg.DB = 3
	if _, err := New(cfg); err != nil {
		t.Fatal(err)
	}
	b, _ := New(cfg)
	if _, err := b.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Fatalf("without a password: %v, want NOAUTH at preflight", err)
	}
	cfg.Password = "sesame"
	checkLoad(t, runBench(t, cfg), cfg)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: "sesame", DB: 3})
	defer rdb.Close()
	if n, err := rdb.DBSize(context.Background()).Result(); err != nil || n == 0 {
		t.Fatalf("db 3 has %d keys (%v): SELECT was not applied", n, err)
	}
}

func TestUnreachableServerFailsFast(t *testing.T) {
	cfg := loadConfig(1) // nothing listens on port 1
	cfg.ConnectTimeout = time.Second
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Run(context.Background()); err == nil {
		t.Fatal("a run against a closed port succeeded")
	}
}

// TestServerGoesAway kills the server mid-run: the requests in flight and
// the reconnection attempts count as errors, and the run still ends at its
// test time with its results.
func TestServerGoesAway(t *testing.T) {
	srv := testutil.StartServer(t)
	cfg := loadConfig(srv.Port())
	cfg.Requests, cfg.TestTime, cfg.Rate = 0, 1500*time.Millisecond, 1000
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan *Result)
	go func() {
		res, _ := b.Run(context.Background())
		done <- res
	}()
	testutil.WaitFor(t, 5*time.Second, "load", func() bool { return b.Live().Ops > 100 })
	_ = srv.Close()
	res := <-done
	if res == nil || res.Errors == 0 || res.Totals.Ops < 100 {
		t.Fatalf("result %+v", res)
	}
	found := false
	for m := range res.ErrorMessages {
		found = found || strings.HasPrefix(m, "connection: ")
	}
	if !found {
		t.Fatalf("errors %v, want connection errors", res.ErrorMessages)
	}
}

// TestCommandLine runs shoal-benchmark's Main end to end: progress,
// summary, --out files and the events drawn on the chart.
func TestCommandLine(t *testing.T) {
	srv := testutil.StartServer(t)
	dir := t.TempDir()
	events := filepath.Join(dir, "driver-events.csv")
	start := time.Now()
	if err := AppendEvent(events, "migration start", start.Add(300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if err := AppendEvent(events, "hand-over", start.Add(900*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	args := []string{"-s", "127.0.0.1", "-p", strconv.Itoa(srv.Port()), "-t", "1", "-c", "2",
		"--test-time", "1.5", "--rate", "1000", "--ratio", "1:10", "--key-maximum", "500",
		"--out", out, "--events", events, "--json-out-file", filepath.Join(dir, "s.json")}
	if rc := Main(args, &stdout, &stderr); rc != ExitOK {
		t.Fatalf("rc %d\nstdout:\n%s\nstderr:\n%s", rc, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "ALL STATS") || !strings.Contains(stderr.String(), "[RUN #1") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	f, err := os.Open(filepath.Join(out, "timeline.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := ReadTimelineCSV(f)
	f.Close()
	if err != nil || len(rows) < 2 || rows[0].Ops == 0 {
		t.Fatalf("timeline %+v, %v", rows, err)
	}
	img, err := os.Open(filepath.Join(out, "timeline.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if cfg, err := png.DecodeConfig(img); err != nil || cfg.Width < 500 {
		t.Fatalf("png: %+v, %v", cfg, err)
	}
	svg, err := os.ReadFile(filepath.Join(out, "timeline.svg"))
	if err != nil || !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("hand-over")) {
		t.Fatalf("svg without the event label (%v)", err)
	}
	ev, err := ReadEventsFile(filepath.Join(out, "events.csv"))
	if err != nil || len(ev) != 2 || ev[0].Label != "migration start" {
		t.Fatalf("events.csv: %+v, %v", ev, err)
	}
	for _, name := range []string{"summary.json", "../s.json"} {
		if b, err := os.ReadFile(filepath.Join(out, name)); err != nil || !bytes.Contains(b, []byte(`"totals"`)) {
			t.Fatalf("%s: %v", name, err)
		}
	}
}
