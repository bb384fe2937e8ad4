package loadgen

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func sampleResult(cluster bool) *Result {
	return &Result{
		Duration: 10 * time.Second, Seconds: 10, Threads: 4, Clients: 50, TestTime: 10, Cluster: cluster,
		Sets:   TypeStats{Ops: 1000, OpsSec: 100, AvgMs: 0.5, P50Ms: 0.4, P99Ms: 1.2, P999Ms: 2.5, KBSec: 12.5, Moved: 3, MovedSec: 0.3},
		Gets:   TypeStats{Ops: 10000, OpsSec: 1000, Hits: 9000, HitsSec: 900, Misses: 1000, MissesSec: 100, AvgMs: 0.25, P50Ms: 0.2, P99Ms: 1, P999Ms: 2, KBSec: 50},
		Totals: TypeStats{Ops: 11000, OpsSec: 1100, HitsSec: 900, MissesSec: 100, AvgMs: 0.27, P50Ms: 0.2, P99Ms: 1.1, P999Ms: 2.2, KBSec: 62.5, Moved: 3, MovedSec: 0.3},
	}
}

func TestSummaryLooksLikeMemtier(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSummary(&buf, sampleResult(false)); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, want := range []string{
		"4         Threads\n50        Connections per thread\n10        Seconds\n",
		"\n\nALL STATS\n" + strings.Repeat("=", 124) + "\n",
		"Type         Ops/sec     Hits/sec   Misses/sec    Avg. Latency     p50 Latency     p99 Latency   p99.9 Latency       KB/sec \n" + strings.Repeat("-", 124) + "\n",
		"Sets          100.00          ---          ---         0.50000         0.40000         1.20000         2.50000        12.50 \n",
		"Gets         1000.00       900.00       100.00         0.25000         0.20000         1.00000         2.00000        50.00 \n",
		"Totals       1100.00       900.00       100.00         0.27000         0.20000         1.10000         2.20000        62.50 \n",
		"Redirections: 3 MOVED, 0 ASK, 0 TRYAGAIN",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Errors") {
		t.Errorf("an error section without errors:\n%s", got)
	}
}

func TestSummaryClusterColumnsAndErrors(t *testing.T) {
	r := sampleResult(true)
	r.Errors = 5
	r.ErrorMessages = map[string]int64{"CLUSTERDOWN The cluster is down": 4, "connection: EOF": 1}
	var buf bytes.Buffer
	if err := WriteSummary(&buf, r); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, want := range []string{
		"Misses/sec    MOVED/sec      ASK/sec    Avg. Latency",
		"Sets          100.00          ---          ---         0.30         0.00         0.50000",
		"Errors: 5\n           4  CLUSTERDOWN The cluster is down\n           1  connection: EOF\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
}

func TestJSONSummary(t *testing.T) {
	var buf bytes.Buffer
	r := sampleResult(true)
	r.Events = []Event{{1, "start"}}
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	gets := m["gets"].(map[string]any)
	if gets["ops_sec"].(float64) != 1000 || gets["p99_latency_ms"].(float64) != 1 || m["cluster_mode"] != true {
		t.Fatalf("json %s", buf.String())
	}
	if _, ok := m["events"]; !ok {
		t.Fatalf("json without events: %s", buf.String())
	}
}
