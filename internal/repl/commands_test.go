package repl_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// TestChainPromotion: replicas A and B follow P; A is promoted with
// REPLICAOF NO ONE and B moves to A, continuing partially thanks to
// replid2; then P (the old primary) follows A too.
func TestChainPromotion(t *testing.T) {
	p, a, b := start(t), start(t), start(t)
	for i := 0; i < 100; i++ {
		p.c.Set(ctx, fmt.Sprintf("k%d", i), i, 0)
	}
	follow(t, a, p)
	follow(t, b, p)
	waitSynced(t, p, a)
	waitSynced(t, p, b)
	oldID := info(t, p, "replication", "master_replid")
	offset := infoInt(t, p, "replication", "master_repl_offset")

	if err := a.c.Do(ctx, "REPLICAOF", "NO", "ONE").Err(); err != nil {
		t.Fatal(err)
	}
	if got := info(t, a, "replication", "master_replid2"); got != oldID {
		t.Fatalf("promoted replica's replid2 = %s, want the old primary's %s", got, oldID)
	}
	if got := infoInt(t, a, "replication", "second_repl_offset"); got != offset+1 {
		t.Fatalf("second_repl_offset = %d, want %d", got, offset+1)
	}
	if err := a.c.Set(ctx, "after", "promotion", 0).Err(); err != nil {
		t.Fatalf("write on the promoted node: %v", err)
	}
	follow(t, b, a)
	waitSynced(t, a, b)
	if got := b.c.Get(ctx, "after").Val(); got != "promotion" {
		t.Fatalf("B did not get the new primary's write: %q", got)
	}
	if full, ok := infoInt(t, a, "stats", "sync_full"), infoInt(t, a, "stats", "sync_partial_ok"); full != 0 || ok != 1 {
		t.Fatalf("on the new primary sync_full=%d sync_partial_ok=%d, want 0 and 1", full, ok)
	}
	// The old primary, which took no write since, continues partially too.
	follow(t, p, a)
	waitSynced(t, a, p)
	if full, ok := infoInt(t, a, "stats", "sync_full"), infoInt(t, a, "stats", "sync_partial_ok"); full != 0 || ok != 2 {
		t.Fatalf("on the new primary sync_full=%d sync_partial_ok=%d, want 0 and 2", full, ok)
	}
	compareData(t, a, p, 1)
	compareData(t, a, b, 1)
}

func TestWait(t *testing.T) {
	p, r := start(t), start(t)
	if n, err := p.c.Do(ctx, "WAIT", 0, 0).Int(); err != nil || n != 0 {
		t.Fatalf("WAIT 0 0 without replicas = %d, %v", n, err)
	}
	began := time.Now()
	if n, err := p.c.Do(ctx, "WAIT", 1, 100).Int(); err != nil || n != 0 {
		t.Fatalf("WAIT 1 100 without replicas = %d, %v", n, err)
	}
	if time.Since(began) < 90*time.Millisecond {
		t.Fatal("WAIT returned before its timeout")
	}
	follow(t, r, p)
	waitSynced(t, p, r)
	for i := 0; i < 50; i++ {
		p.c.Incr(ctx, "n")
		if n, err := p.c.Do(ctx, "WAIT", 1, 5000).Int(); err != nil || n != 1 {
			t.Fatalf("WAIT 1 after a write = %d, %v", n, err)
		}
		if got := r.c.Get(ctx, "n").Val(); got != fmt.Sprint(i+1) {
			t.Fatalf("WAIT acknowledged but the replica has n=%s, want %d", got, i+1)
		}
	}
	if n, err := p.c.Do(ctx, "WAIT", 2, 50).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT 2 50 with one replica = %d, %v", n, err)
	}
	for _, c := range []struct {
		args []any
		err  string
	}{
		{[]any{"WAIT", "x", 0}, "ERR value is not an integer or out of range"},
		{[]any{"WAIT", 0, -1}, "ERR timeout is negative"},
	} {
		if err := p.c.Do(ctx, c.args...).Err(); err == nil || err.Error() != c.err {
			t.Errorf("%v: %v, want %s", c.args, err, c.err)
		}
	}
	if err := r.c.Do(ctx, "WAIT", 1, 0).Err(); err == nil || !strings.HasPrefix(err.Error(), "ERR WAIT cannot be used with replica instances.") {
		t.Errorf("WAIT on a replica: %v", err)
	}
}

func TestRoleAndInfo(t *testing.T) {
	p, r := start(t), start(t)
	role, err := p.c.Do(ctx, "ROLE").Slice()
	if err != nil || len(role) != 3 || role[0] != "master" || role[1] != int64(0) {
		t.Fatalf("ROLE on a lone primary = %v, %v", role, err)
	}
	follow(t, r, p)
	waitSynced(t, p, r)
	p.c.Do(ctx, "WAIT", 1, 1000)
	role, _ = p.c.Do(ctx, "ROLE").Slice()
	reps, _ := role[2].([]any)
	if len(reps) != 1 {
		t.Fatalf("ROLE on the primary lists %v", role)
	}
	rep := reps[0].([]any)
	if rep[0] != "127.0.0.1" || rep[1] != fmt.Sprint(r.s.Port()) {
		t.Fatalf("ROLE replica entry %v, want 127.0.0.1 %d", rep, r.s.Port())
	}
	role, _ = r.c.Do(ctx, "ROLE").Slice()
	if len(role) != 5 || role[0] != "slave" || role[1] != "127.0.0.1" || role[2] != int64(p.s.Port()) || role[3] != "connected" {
		t.Fatalf("ROLE on the replica = %v", role)
	}
	if line := info(t, p, "replication", "slave0"); !strings.HasPrefix(line, fmt.Sprintf("ip=127.0.0.1,port=%d,state=online,offset=", r.s.Port())) {
		t.Fatalf("slave0 = %q", line)
	}
	for field, want := range map[string]string{"role": "master", "connected_slaves": "1", "repl_backlog_active": "1"} {
		if got := info(t, p, "replication", field); got != want {
			t.Errorf("primary %s = %q, want %q", field, got, want)
		}
	}
	for field, want := range map[string]string{"role": "slave", "master_host": "127.0.0.1", "master_link_status": "up",
		"master_sync_in_progress": "0", "slave_read_only": "1", "slave_priority": "100", "replica_announced": "1",
		"master_replid": info(t, p, "replication", "master_replid")} {
		if got := info(t, r, "replication", field); got != want {
			t.Errorf("replica %s = %q, want %q", field, got, want)
		}
	}
	for _, field := range []string{"master_last_io_seconds_ago", "slave_read_repl_offset", "slave_repl_offset"} {
		if info(t, r, "replication", field) == "" {
			t.Errorf("replica INFO lacks %s", field)
		}
	}
}

func TestReadOnlyReplica(t *testing.T) {
	p, r := start(t), start(t)
	follow(t, r, p)
	waitSynced(t, p, r)
	if err := r.c.Set(ctx, "k", "v", 0).Err(); err == nil || err.Error() != "READONLY You can't write against a read only replica." {
		t.Fatalf("SET on a replica: %v", err)
	}
	tx := r.c.TxPipeline()
	tx.Set(ctx, "k", "v", 0)
	if _, err := tx.Exec(ctx); err == nil || !strings.HasPrefix(err.Error(), "EXECABORT") {
		t.Fatalf("MULTI SET EXEC on a replica: %v", err)
	}
	if err := r.c.Get(ctx, "k").Err(); err == nil || err.Error() != "redis: nil" {
		t.Fatalf("GET on a replica: %v", err)
	}
	r.c.ConfigSet(ctx, "replica-read-only", "no")
	if err := r.c.Set(ctx, "local", "v", 0).Err(); err != nil {
		t.Fatalf("SET on a writable replica: %v", err)
	}
	if p.c.Exists(ctx, "local").Val() != 0 {
		t.Fatal("a writable replica's write reached its primary")
	}
}

func TestMinReplicas(t *testing.T) {
	p, r := start(t, "--min-replicas-to-write", "1", "--min-replicas-max-lag", "10"), start(t)
	if err := p.c.Set(ctx, "k", "v", 0).Err(); err == nil || err.Error() != "NOREPLICAS Not enough good replicas to write." {
		t.Fatalf("SET without replicas: %v", err)
	}
	if err := p.c.Get(ctx, "k").Err(); err == nil || err.Error() != "redis: nil" {
		t.Fatalf("reads must go on: %v", err)
	}
	follow(t, r, p)
	waitSynced(t, p, r)
	testutil.WaitFor(t, 5*time.Second, "writes accepted with a good replica", func() bool {
		return p.c.Set(ctx, "k", "v", 0).Err() == nil
	})
	if got := info(t, p, "replication", "min_slaves_good_slaves"); got != "1" {
		t.Errorf("min_slaves_good_slaves = %q", got)
	}
	r.c.Do(ctx, "REPLICAOF", "NO", "ONE")
	testutil.WaitFor(t, 5*time.Second, "NOREPLICAS once the replica left", func() bool {
		err := p.c.Set(ctx, "k", "v", 0).Err()
		return err != nil && strings.HasPrefix(err.Error(), "NOREPLICAS")
	})
}

func TestReplicaofCommand(t *testing.T) {
	p, r := start(t), start(t)
	for _, c := range []struct {
		args []any
		err  string
	}{
		{[]any{"REPLICAOF", "127.0.0.1", "abc"}, "ERR Invalid master port"},
		{[]any{"REPLICAOF", "127.0.0.1", 70000}, "ERR Invalid master port"},
		{[]any{"REPLICAOF", "127.0.0.1"}, "ERR wrong number of arguments for 'replicaof' command"},
		{[]any{"REPLCONF", "a"}, "ERR syntax error"},
		{[]any{"REPLCONF", "foo", "bar"}, "ERR Unrecognized REPLCONF option: foo"},
		{[]any{"REPLCONF", "listening-port", "x"}, "ERR value is not an integer or out of range"},
		{[]any{"PSYNC", "?", "x"}, "ERR value is not an integer or out of range"},
	} {
		if err := r.c.Do(ctx, c.args...).Err(); err == nil || err.Error() != c.err {
			t.Errorf("%v: %v, want %s", c.args, err, c.err)
		}
	}
	if got, err := r.c.Do(ctx, "SLAVEOF", "127.0.0.1", p.s.Port()).Text(); err != nil || got != "OK" {
		t.Fatalf("SLAVEOF: %q %v", got, err)
	}
	if got, err := r.c.Do(ctx, "REPLICAOF", "127.0.0.1", p.s.Port()).Text(); err != nil || got != "OK Already connected to specified master" {
		t.Fatalf("REPLICAOF again: %q %v", got, err)
	}
	waitSynced(t, p, r)
	if got, err := r.c.Do(ctx, "REPLICAOF", "no", "one").Text(); err != nil || got != "OK" {
		t.Fatalf("REPLICAOF NO ONE: %q %v", got, err)
	}
	if got := info(t, r, "replication", "role"); got != "master" {
		t.Fatalf("role after REPLICAOF NO ONE: %s", got)
	}
}

func TestPrimaryAuth(t *testing.T) {
	p := start(t, "--requirepass", "secret")
	p.c = redis.NewClient(&redis.Options{Addr: p.s.Addr(), Password: "secret"})
	defer p.c.Close()
	r := start(t)
	follow(t, r, p)
	testutil.WaitFor(t, 10*time.Second, "the replica tried to connect", func() bool {
		return infoInt(t, p, "stats", "total_connections_received") >= 3
	})
	if got := info(t, r, "replication", "master_link_status"); got != "down" {
		t.Fatalf("link without primaryauth: %s", got)
	}
	if err := r.c.ConfigSet(ctx, "primaryauth", "secret").Err(); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 10*time.Second, "link up with primaryauth", func() bool {
		return info(t, r, "replication", "master_link_status") == "up"
	})
}

// TestSubReplica: B follows A, which follows P. B's full sync comes from
// A's snapshot while A applies P's stream, and B then gets P's stream
// through A byte for byte (same offsets).
func TestSubReplica(t *testing.T) {
	p, a, b := start(t), start(t), start(t)
	for i := 0; i < 20000; i++ {
		p.c.Set(ctx, fmt.Sprintf("k%d", i), i, 0)
	}
	follow(t, a, p)
	waitSynced(t, p, a)
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		n := 0
		defer func() { done <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if p.c.Incr(ctx, "ctr").Err() != nil {
				return
			}
			n++
			p.c.Incr(ctx, fmt.Sprintf("k%d", n%20000))
		}
	}()
	follow(t, b, a)
	waitSynced(t, a, b)
	close(stop)
	n := <-done
	waitSynced(t, p, a)
	waitSynced(t, a, b)
	if got := b.c.Get(ctx, "ctr").Val(); got != fmt.Sprint(n) {
		t.Fatalf("ctr = %s on the sub-replica, want %d", got, n)
	}
	if pi, bi := info(t, p, "replication", "master_repl_offset"), info(t, b, "replication", "master_repl_offset"); pi != bi {
		t.Fatalf("offsets differ: primary %s, sub-replica %s", pi, bi)
	}
	compareData(t, p, b, 1)
}

// TestBacklogTTL: a primary frees its backlog repl-backlog-ttl seconds
// after its last replica left, and starts a new history.
func TestBacklogTTL(t *testing.T) {
	p, r := start(t, "--repl-backlog-ttl", "1"), start(t)
	follow(t, r, p)
	waitSynced(t, p, r)
	id := info(t, p, "replication", "master_replid")
	r.c.Do(ctx, "REPLICAOF", "NO", "ONE")
	testutil.WaitFor(t, 10*time.Second, "backlog freed", func() bool {
		return info(t, p, "replication", "repl_backlog_active") == "0"
	})
	if info(t, p, "replication", "master_replid") == id {
		t.Fatal("freeing the backlog kept the replication id")
	}
}

// TestServeStaleData: with replica-serve-stale-data no, a replica whose
// link is down answers MASTERDOWN except for the stale-allowed commands.
func TestServeStaleData(t *testing.T) {
	r := start(t, "--replica-serve-stale-data", "no")
	p := start(t)
	follow(t, r, p)
	waitSynced(t, p, r)
	if err := r.c.Get(ctx, "k").Err(); err == nil || err.Error() != "redis: nil" {
		t.Fatalf("GET with the link up: %v", err)
	}
	r.c.Do(ctx, "REPLICAOF", "127.0.0.1", testutil.Port(t))
	testutil.WaitFor(t, 10*time.Second, "MASTERDOWN", func() bool {
		err := r.c.Get(ctx, "k").Err()
		return err != nil && err.Error() == "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
	})
	if err := r.c.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING is allowed on a stale replica: %v", err)
	}
}
