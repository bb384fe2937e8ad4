package clustertest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/testutil"
)

// The link's messages are refused on ordinary connections with Valkey's
// error (Shoal's CLAIMED extension included), and the connection stays
// usable.
func TestSyncSlotsLinkOnly(t *testing.T) {
	c := testutil.StartCluster(t, 1)
	ctx := context.Background()
	cl := c.Client(0)
	for _, sub := range []string{"ACK", "SNAPSHOT-EOF", "PAUSED", "FAILOVER-GRANTED", "REQUEST-PAUSE", "REQUEST-FAILOVER", "CLAIMED"} {
		err := cl.Do(ctx, "CLUSTER", "SYNCSLOTS", sub).Err()
		want := "ERR CLUSTER SYNCSLOTS " + sub + " should only be used by slot migration clients"
		if err == nil || err.Error() != want {
			t.Errorf("SYNCSLOTS %s: %v, want %q", sub, err, want)
		}
	}
	if err := cl.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
}

// A command of an import link that fails inside its handler, holding its
// slot's lock, fails the import without deadlocking on that lock when the
// staged keys are dropped: the target reports the failure and keeps
// serving the slot.
func TestImportLinkCommandFailsUnderLock(t *testing.T) {
	c := testutil.StartCluster(t, 2, "--enable-debug-command", "yes")
	ctx := context.Background()
	key := "{b}k" // slot 3300
	s := slot.OfString(key)
	if s > 8191 {
		t.Fatalf("slot %d of %s is not node 0's", s, key)
	}
	nc, err := net.Dial("tcp", c.Addr(1))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	name := strings.Repeat("f", 40)
	send := func(args ...string) {
		t.Helper()
		cmd := fmt.Sprintf("*%d\r\n", len(args))
		for _, a := range args {
			cmd += fmt.Sprintf("$%d\r\n%s\r\n", len(a), a)
		}
		if _, err := nc.Write([]byte(cmd)); err != nil {
			t.Fatal(err)
		}
	}
	send("CLUSTER", "SYNCSLOTS", "ESTABLISH", "SOURCE", c.NodeID(0), "NAME", name,
		"SLOTSRANGE", strconv.Itoa(s), strconv.Itoa(s))
	line, err := bufio.NewReader(nc).ReadString('\n')
	if err != nil || line != "+OK\r\n" {
		t.Fatalf("ESTABLISH: %v %q", err, line)
	}
	send("SET", key, "v")
	send("LPUSH", key, "x") // WRONGTYPE, raised with the slot locked
	var job map[string]any
	testutil.WaitFor(t, 10*time.Second, "the import failed", func() bool {
		jobs := asmJobs(t, c, 1)
		if len(jobs) == 0 {
			return false
		}
		job = jobs[0]
		return fmt.Sprint(job["state"]) == "failed"
	})
	if msg := fmt.Sprint(job["message"]); msg != "Failed to process command during slot migration. Check logs for more information" {
		t.Fatalf("message %q", msg)
	}
	// The slot's lock is free: a keyed command on it runs (and is
	// redirected, the slot being node 0's).
	err = c.Client(1).Set(ctx, key, "w", 0).Err()
	if err == nil || !strings.HasPrefix(err.Error(), "MOVED") {
		t.Fatalf("SET on the target after the failure: %v", err)
	}
	if n, _ := c.Client(1).ClusterCountKeysInSlot(ctx, s).Result(); n != 0 {
		t.Fatalf("%d staged keys left", n)
	}
}
