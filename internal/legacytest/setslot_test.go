package legacytest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/testutil"
)

// CLUSTER SETSLOT's replies, in Valkey's order of checks
// (clusterParseSetSlotCommand): slot, action and target, then options.
func TestSetSlotErrors(t *testing.T) {
	c := startPrimaries(t, 2, 2)
	r := dial(t, c.Addr(0))
	id0, id1 := c.NodeID(0), c.NodeID(1)
	mine, theirs := "100", "16000"
	unknown := strings.Repeat("f", 40)
	for _, tc := range []struct {
		want string
		args []string
	}{
		{"-ERR Invalid or out of range slot", []string{"abc", "STABLE"}},
		{"-ERR Invalid or out of range slot", []string{"16384", "STABLE"}},
		{"-ERR Invalid or out of range slot", []string{"-1", "NODE", id0}},
		{"-ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP", []string{mine, "FOO"}},
		{"-ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP", []string{mine, "MIGRATING"}},
		{"-ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP", []string{mine, "NODE"}},
		{"-ERR I'm not the owner of hash slot " + theirs, []string{theirs, "MIGRATING", id1}},
		{"-ERR I'm already the owner of hash slot " + mine, []string{mine, "IMPORTING", id1}},
		{"-ERR I don't know about node " + unknown, []string{mine, "MIGRATING", unknown}},
		{"-ERR I don't know about node " + unknown, []string{theirs, "IMPORTING", unknown}},
		{"-ERR Unknown node " + unknown, []string{mine, "NODE", unknown}},
		// The target is checked before the options.
		{"-ERR I'm not the owner of hash slot " + theirs, []string{theirs, "MIGRATING", id1, "TIMEOUT"}},
		{"-ERR Missing timeout value", []string{mine, "MIGRATING", id1, "TIMEOUT"}},
		{"-ERR timeout is not an integer or out of range", []string{mine, "STABLE", "TIMEOUT", "x"}},
		{"-ERR timeout is negative", []string{mine, "NODE", id0, "TIMEOUT", "-1"}},
		{"+OK", []string{mine, "STABLE", "TIMEOUT", "0"}},
		{"+OK", []string{mine, "STABLE", "whatever"}},
		{"+OK", []string{theirs, "IMPORTING", id1, "TIMEOUT", "500"}},
		{"+OK", []string{theirs, "STABLE"}},
	} {
		r.expect(tc.want, append([]string{"CLUSTER", "SETSLOT"}, tc.args...)...)
	}
	r.expect("-ERR wrong number of arguments for 'cluster|setslot' command", "CLUSTER", "SETSLOT", mine)

	// NODE is refused on the owner while it holds keys of the slot.
	key := fmt.Sprintf("{%s}k", tagForSlot(100))
	r.expect("+OK", "SET", key, "v")
	r.expect("-ERR Can't assign hashslot 100 to a different node while I still hold keys for this hash slot.",
		"CLUSTER", "SETSLOT", mine, "NODE", id1)
	// ...but not on another node, nor to itself.
	r.expect("+OK", "CLUSTER", "SETSLOT", mine, "NODE", id0)
}

// Keys that expired but were not reclaimed still count: GETKEYSINSLOT
// lists them, MIGRATE answers NOKEY and reclaims them, and the slot can
// then be handed over.
func TestMigrateExpiredKeys(t *testing.T) {
	c := startPrimaries(t, 2, 2, "--enable-debug-command", "yes")
	r := dial(t, c.Addr(0))
	r.expect("+OK", "DEBUG", "SET-ACTIVE-EXPIRE", "0")
	tag := tagForSlot(200)
	for i := 0; i < 3; i++ {
		r.expect("+OK", "SET", fmt.Sprintf("{%s}%d", tag, i), "v", "PX", "1")
	}
	// Wait on the server's clock: touching the keys would reclaim them.
	set := serverMillis(t, c, 0)
	testutil.WaitFor(t, 5*time.Second, "the keys to expire", func() bool { return serverMillis(t, c, 0) > set+2 })
	r.expect(":3", "CLUSTER", "COUNTKEYSINSLOT", "200")
	id0, id1 := c.NodeID(0), c.NodeID(1)
	c.Do(1, "CLUSTER", "SETSLOT", 200, "IMPORTING", id0)
	r.expect("+OK", "CLUSTER", "SETSLOT", "200", "MIGRATING", id1)
	keys := c.Client(0).ClusterGetKeysInSlot(context.Background(), 200, 10).Val()
	if len(keys) != 3 {
		t.Fatalf("GETKEYSINSLOT = %v, want the 3 expired keys", keys)
	}
	args := append([]string{"MIGRATE", "127.0.0.1", strconv.Itoa(c.Nodes[1].Port()), "", "0", "1000", "KEYS"}, keys...)
	r.expect("+NOKEY", args...)
	r.expect(":0", "CLUSTER", "COUNTKEYSINSLOT", "200")
	c.Do(1, "CLUSTER", "SETSLOT", 200, "NODE", id1)
	r.expect("+OK", "CLUSTER", "SETSLOT", "200", "NODE", id1)
}

// serverMillis is node i's clock (TIME) in milliseconds.
func serverMillis(t *testing.T, c *testutil.Cluster, i int) int64 {
	t.Helper()
	tm, err := c.Client(i).Time(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	return tm.UnixMilli()
}

// raw is a hand-made RESP connection for byte-exact single-line replies.
type raw struct {
	t  *testing.T
	c  net.Conn
	rd *bufio.Reader
}

func dial(t *testing.T, addr string) *raw {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &raw{t: t, c: c, rd: bufio.NewReader(c)}
}

// expect sends a command and checks its one-line reply (without CRLF).
func (r *raw) expect(want string, args ...string) {
	r.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := r.c.Write([]byte(b.String())); err != nil {
		r.t.Fatal(err)
	}
	_ = r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := r.rd.ReadString('\n')
	if err != nil {
		r.t.Fatalf("%v: %v", args, err)
	}
	if got := strings.TrimSuffix(line, "\r\n"); got != want {
		r.t.Fatalf("%q: got %q, want %q", args, got, want)
	}
}
