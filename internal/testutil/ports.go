package testutil

import (
	"errors"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

// FreePort returns a port on 127.0.0.1 that was free a moment ago, for a
// process or a bus that must be told its port before it starts.
//
// The port is drawn below the kernel's ephemeral range: a port from that
// range (what listening on port 0 gives) can become the local end of some
// other test's outgoing connection before the process binds it, or while
// a killed process is restarted on it ("bind: address already in use").
func FreePort() (int, error) {
	lo := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			if n, err := strconv.Atoi(f[0]); err == nil && n > 11000 {
				lo = n
			}
		}
	}
	for range 1000 {
		port := 10000 + rand.IntN(lo-10000)
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			ln.Close()
			return port, nil
		}
	}
	return 0, errors.New("testutil: no free port below the ephemeral range")
}

// Port is FreePort for a test: it fails the test when none is found.
func Port(t testing.TB) int {
	t.Helper()
	p, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}
