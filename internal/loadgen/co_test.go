package loadgen

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/resp"
)

// fakeServer is a RESP server whose replies come from handle (raw RESP,
// e.g. "+OK\r\n"); PING is answered for the preflight.
type fakeServer struct {
	ln     net.Listener
	handle func(argv [][]byte) string
	wg     sync.WaitGroup
}

func startFakeServer(t *testing.T, handle func(argv [][]byte) string) *fakeServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeServer{ln: ln, handle: handle}
	var mu sync.Mutex
	var conns []net.Conn
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *fakeServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *fakeServer) addr() string { return s.ln.Addr().String() }

func (s *fakeServer) serve(c net.Conn) {
	rd := resp.NewReader(c)
	bw := bufio.NewWriter(c)
	for {
		argv, err := rd.ReadCommand()
		if err != nil {
			return
		}
		if strings.EqualFold(string(argv[0]), "PING") {
			bw.WriteString("+PONG\r\n")
		} else {
			bw.WriteString(s.handle(argv))
		}
		if rd.Buffered() == 0 {
			if bw.Flush() != nil {
				return
			}
		}
	}
}

// setGet answers SET with +OK and GET with a null.
func setGet(argv [][]byte) string {
	if strings.EqualFold(string(argv[0]), "SET") {
		return "+OK\r\n"
	}
	return "$-1\r\n"
}

// startStallServer is a SET/GET server that stalls for stall before
// answering its stallAt-th request: a server pause at a known point of
// the load.
func startStallServer(t *testing.T, stallAt int64, stall time.Duration) *fakeServer {
	var count atomic.Int64
	return startFakeServer(t, func(argv [][]byte) string {
		if count.Add(1) == stallAt {
			time.Sleep(stall)
		}
		return setGet(argv)
	})
}

func stallConfig(port int) Config {
	cfg := DefaultConfig()
	cfg.Port = port
	cfg.Threads, cfg.Clients = 1, 1
	cfg.Requests = 1000
	cfg.KeyMax = 100
	return cfg
}

// TestCoordinatedOmissionCorrection stalls the server for 300 ms once.
// Closed loop, one client sees one slow request: the stall hides in p99.
// Open loop at 1000/s, the 300 requests that were due during the stall are
// each charged from their due time, so p90 and p99 show it.
func TestCoordinatedOmissionCorrection(t *testing.T) {
	const stall = 300 * time.Millisecond

	closed := startStallServer(t, 300, stall)
	res := runBench(t, stallConfig(closed.port()))
	t.Logf("closed loop: p50 %.2f p90 %.2f p99 %.2f max %.2f ms in %v", res.Totals.P50Ms, res.Totals.P90Ms, res.Totals.P99Ms, res.Totals.MaxMs, res.Duration)
	if res.Totals.Ops != 1000 || res.Errors != 0 {
		t.Fatalf("closed loop: %d ops, %d errors", res.Totals.Ops, res.Errors)
	}
	if res.Totals.MaxMs < 290 || res.Totals.P99Ms > 100 {
		t.Fatalf("closed loop: max %.1f ms, p99 %.1f ms; want max ≈ 300 and p99 unaffected", res.Totals.MaxMs, res.Totals.P99Ms)
	}

	open := startStallServer(t, 300, stall)
	cfg := stallConfig(open.port())
	cfg.Rate = 1000
	cfg.Pipeline = 16 // catching up needs more than one request in flight
	res = runBench(t, cfg)
	t.Logf("open loop: p50 %.2f p90 %.2f p99 %.2f max %.2f ms in %v", res.Totals.P50Ms, res.Totals.P90Ms, res.Totals.P99Ms, res.Totals.MaxMs, res.Duration)
	if res.Totals.Ops != 1000 || res.Errors != 0 {
		t.Fatalf("open loop: %d ops, %d errors", res.Totals.Ops, res.Errors)
	}
	// Latencies of the stalled requests are spread evenly over 0..300 ms
	// and they are 30% of all: p90 ≈ 200 ms, p99 ≈ 290 ms.
	if res.Totals.P99Ms < 250 || res.Totals.P90Ms < 150 {
		t.Fatalf("open loop: p90 %.1f ms, p99 %.1f ms; the stall is not charged to the requests due during it",
			res.Totals.P90Ms, res.Totals.P99Ms)
	}
	if res.Totals.P50Ms > 50 {
		t.Fatalf("open loop: p50 %.1f ms, want the unstalled majority fast", res.Totals.P50Ms)
	}
	// The run took the schedule's 1 s (plus scheduling noise), not 1.3 s:
	// the client caught up.
	if res.Duration > 1280*time.Millisecond {
		t.Fatalf("open loop took %v; it should catch up with its schedule", res.Duration)
	}
}

func runBench(t *testing.T, cfg Config) *Result {
	t.Helper()
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 {
		t.Logf("errors: %v", res.ErrorMessages)
	}
	return res
}
