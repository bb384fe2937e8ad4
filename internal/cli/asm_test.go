package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// events parses NDJSON output.
func events(t *testing.T, out string) []map[string]any {
	t.Helper()
	var evs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("not JSON: %q (%v)", line, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

func findEvent(evs []map[string]any, kind string) map[string]any {
	for _, ev := range evs {
		if ev["event"] == kind {
			return ev
		}
	}
	return nil
}

// migrate sends one MIGRATESLOTS with every range and polls the job to
// success; --json reports the job and the result.
func TestAtomicMigrate(t *testing.T) {
	fc := startFakeCluster(t, 2, 2)
	src, dst := fc.nodes[0].id, fc.nodes[1].id
	r := runCLI(t, "", "--json", "cluster", "migrate", fc.addr(0), "--from", src, "--to", dst[:12],
		"--slots", "0-99,200").must(t, 0)
	want := "CLUSTER MIGRATESLOTS SLOTSRANGE 0 99 200 200 NODE " + dst
	if len(fc.migrateCalls) != 1 || fc.migrateCalls[0] != want {
		t.Fatalf("MIGRATESLOTS calls %q", fc.migrateCalls)
	}
	evs := events(t, r.out)
	start, done, res := findEvent(evs, "job_start"), findEvent(evs, "job_done"), findEvent(evs, "result")
	if start == nil || done == nil || res == nil || res["ok"] != true || done["error"] != nil {
		t.Fatalf("events:\n%s", r.out)
	}
	if start["keys_total"] != float64(303) || done["keys"] != float64(303) || done["slot_ranges"] != "0-99 200-200" {
		t.Fatalf("job counters: start %v done %v", start, done)
	}
	if fc.slotsOf(1) != 8192+101 {
		t.Fatalf("target owns %d slots", fc.slotsOf(1))
	}
	// Text mode: a line per job.
	r = runCLI(t, "", "cluster", "migrate", fc.addr(0), "--from", src, "--to", dst, "--slots", "300-309").must(t, 0)
	mustContain(t, r.out, "Moving 10 slots (300-309) from "+fc.addr(0)+" to "+fc.addr(1)+" via atomic slot migration",
		"[OK] Moved 10 slots, 30 keys", "[OK] Slots moved.")
	// Slots the source does not own are refused before anything starts.
	r = runCLI(t, "", "cluster", "migrate", fc.addr(0), "--from", src, "--to", dst, "--slots", "16000").must(t, 1)
	mustContain(t, r.err, "does not own slots 16000")
	runCLI(t, "", "cluster", "migrate", fc.addr(0), "--from", src, "--slots", "1").must(t, 2)
}

// reshard from all sources: one job per source, all running at once.
func TestAtomicReshardAndRebalance(t *testing.T) {
	fc := startFakeCluster(t, 4, 3)
	fc.reportKeys = true
	r := runCLI(t, "", "cluster", "reshard", fc.addr(0), "--cluster-from", "all", "--cluster-to", fc.nodes[3].id,
		"--cluster-slots", "300", "--cluster-yes").must(t, 0)
	mustContain(t, r.out, "Ready to move 300 slots.", "Moving slot range 0-100 from "+fc.nodes[0].id)
	if len(fc.migrateCalls) != 3 {
		t.Fatalf("MIGRATESLOTS calls %q", fc.migrateCalls)
	}
	if fc.slotsOf(3) != 299 { // 101+99+99: valkey-cli rounds the smaller shares down
		t.Fatalf("target owns %d slots", fc.slotsOf(3))
	}
	fc.migrateCalls = nil
	r = runCLI(t, "", "--json", "cluster", "rebalance", fc.addr(1), "--cluster-use-empty-masters").must(t, 0)
	if len(fc.migrateCalls) != 3 || fc.slotsOf(3) < 4090 || fc.slotsOf(3) > 4100 {
		t.Fatalf("rebalance: calls %q, node 3 owns %d", fc.migrateCalls, fc.slotsOf(3))
	}
	if findEvent(events(t, r.out), "plan") == nil {
		t.Fatalf("no plan event:\n%s", r.out)
	}
}

// A failed job is reported with the server's message (exit status 1).
func TestAtomicFailure(t *testing.T) {
	fc := startFakeCluster(t, 2, 2)
	fc.failWith = "Unable to connect to target node: Connection refused"
	r := runCLI(t, "", "cluster", "migrate", fc.addr(0), "--from", fc.nodes[0].id, "--to", fc.nodes[1].id,
		"--slots", "0-9").must(t, 1)
	mustContain(t, r.out, "slot migration failed: Unable to connect to target node: Connection refused")
	if fc.slotsOf(1) != 8192 {
		t.Fatal("ownership changed on failure")
	}
}

// Ctrl-C cancels the running jobs on their sources (CANCELSLOTMIGRATIONS)
// and exits 130.
func TestAtomicCancel(t *testing.T) {
	fc := startFakeCluster(t, 3, 2)
	fc.neverFinish = true
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan result)
	go func() {
		done <- runCLICtx(ctx, t, IO{}, "cluster", "reshard", fc.addr(0), "--cluster-from", "all",
			"--cluster-to", fc.nodes[2].id, "--cluster-slots", "100", "--cluster-yes")
	}()
	for i := 0; i < 2; i++ {
		select {
		case <-fc.started:
		case <-time.After(30 * time.Second):
			t.Fatal("the jobs did not start")
		}
	}
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("cancel did not stop the reshard")
	}
	r.must(t, ExitInterrupted)
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.cancels != 2 {
		t.Fatalf("%d CANCELSLOTMIGRATIONS, want one per source", fc.cancels)
	}
	for _, j := range fc.jobs {
		if j.state != "cancelled" {
			t.Fatalf("job %s is %s", j.name, j.state)
		}
	}
	mustContain(t, r.out, "Cancelled the slot migrations of")
	mustContain(t, r.err, "Interrupted.")
}

// status merges each job's source and target entries.
func TestAtomicStatus(t *testing.T) {
	fc := startFakeCluster(t, 2, 2)
	fc.neverFinish = true
	fc.reportKeys = true
	c, err := Dial(fc.addr(0), ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.OK(migrateSlotsArgs([]slotRange{{0, 9}}, fc.nodes[1].id, 0)...); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", "cluster", "status", fc.addr(1)).must(t, 0)
	mustContain(t, r.out, "atomic", fc.addr(0), fc.addr(1), "0-9", "snapshotting")
	r = runCLI(t, "", "--json", "cluster", "status", fc.addr(1)).must(t, 0)
	ev := findEvent(events(t, r.out), "status")
	jobs, _ := ev["jobs"].([]any)
	if len(jobs) != 1 {
		t.Fatalf("status: %s", r.out)
	}
	j := jobs[0].(map[string]any)
	if j["state"] != "snapshotting" || j["target_state"] != "snapshotting" || j["source"] != fc.addr(0) || j["active"] != true {
		t.Fatalf("job %v", j)
	}
	// check reports the job without failing.
	r = runCLI(t, "", "cluster", "check", fc.addr(0)).must(t, 0)
	mustContain(t, r.out, "[WARNING] Atomic slot migration in progress")
	// --watch refreshes until no job runs.
	fc.mu.Lock()
	fc.neverFinish = false
	fc.pollsToFinish = fc.jobs[0].polls + 3
	fc.mu.Unlock()
	r = runCLI(t, "", "cluster", "status", fc.addr(1), "--watch", "--interval", "10ms").must(t, 0)
	if strings.Count(r.out, "JOB ") < 2 || !strings.Contains(r.out, "  success  ") {
		t.Fatalf("status --watch:\n%s", r.out)
	}
}

// On a terminal each job gets a bar with its counters; --json has
// progress events with the keys and bytes the server reports.
func TestAtomicProgress(t *testing.T) {
	fc := startFakeCluster(t, 2, 2)
	fc.reportKeys = true
	fc.pollsToFinish = 15 // 1.5 s: a progress event a second
	cols := func(k string) string {
		if k == "COLUMNS" {
			return "200"
		}
		return ""
	}
	r := runCLICtx(context.Background(), t, IO{ErrTTY: true, Getenv: cols}, "cluster", "migrate", fc.addr(0),
		"--from", fc.nodes[0].id, "--to", fc.nodes[1].id, "--slots", "0-99").must(t, 0)
	mustContain(t, r.err, fc.addr(0)+" -> "+fc.addr(1), "/100 slots ", "/300 keys ", "keys/s")
	r = runCLI(t, "", "--json", "cluster", "migrate", fc.addr(0), "--from", fc.nodes[0].id, "--to", fc.nodes[1].id,
		"--slots", "100-199").must(t, 0)
	p := findEvent(events(t, r.out), "progress")
	if p == nil || p["keys"].(float64) <= 0 || p["bytes"].(float64) <= 0 || p["keys_total"] != float64(300) {
		t.Fatalf("progress event %v in\n%s", p, r.out)
	}
}
