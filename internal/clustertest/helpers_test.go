package clustertest

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/testutil"
)

// rawConn speaks RESP by hand so replies can be checked byte for byte.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	rd *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, c: c, rd: bufio.NewReader(c)}
}

// in returns the connection reporting failures to t (a subtest).
func (r *rawConn) in(t *testing.T) *rawConn { return &rawConn{t: t, c: r.c, rd: r.rd} }

func (r *rawConn) send(args ...string) {
	r.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := r.c.Write([]byte(b.String())); err != nil {
		r.t.Fatal(err)
	}
}

// line reads one reply line (CRLF included).
func (r *rawConn) line() string {
	r.t.Helper()
	_ = r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	s, err := r.rd.ReadString('\n')
	if err != nil {
		r.t.Fatalf("read: %v (got %q)", err, s)
	}
	return s
}

// expect sends a command and checks that the reply is exactly one line.
func (r *rawConn) expect(want string, args ...string) {
	r.t.Helper()
	r.send(args...)
	if got := r.line(); got != want {
		r.t.Fatalf("%v: got %q, want %q", args, got, want)
	}
}

// keyOwnedBy returns a key (with prefix) whose slot node i of c serves,
// and that slot.
func keyOwnedBy(c *testutil.Cluster, i int, prefix string) (string, int) {
	per := 16384 / len(c.Nodes)
	for n := 0; ; n++ {
		k := fmt.Sprintf("%s%d", prefix, n)
		s := slot.Of([]byte(k))
		owner := s / per
		if owner >= len(c.Nodes) {
			owner = len(c.Nodes) - 1
		}
		if owner == i {
			return k, s
		}
	}
}

// keyOwnedByOtherSlot returns a key served by node i in a slot other than avoid.
func keyOwnedByOtherSlot(c *testutil.Cluster, i int, prefix string, avoid int) string {
	for n := 0; ; n++ {
		k, s := keyOwnedBy(c, i, fmt.Sprintf("%s%d-", prefix, n))
		if s != avoid {
			return k
		}
	}
}

func slotOf(key string) int { return slot.Of([]byte(key)) }
