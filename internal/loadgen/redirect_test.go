package loadgen

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// clusterSlotsReply says addr serves every slot.
func clusterSlotsReply(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	return "*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n$" + strconv.Itoa(len(host)) + "\r\n" + host + "\r\n:" + port + "\r\n"
}

func redirectConfig(port int) Config {
	cfg := DefaultConfig()
	cfg.Port, cfg.Cluster = port, true
	cfg.Threads, cfg.Clients, cfg.Pipeline = 1, 2, 4
	cfg.Requests = 20
	cfg.KeyMax = 50
	return cfg
}

// A node that keeps redirecting to itself (two nodes that disagree look
// the same to a client) costs a bounded number of hops, then an error.
func TestRedirectLoopEndsInError(t *testing.T) {
	var s *fakeServer
	s = startFakeServer(t, func(argv [][]byte) string {
		if strings.EqualFold(string(argv[0]), "CLUSTER") {
			return clusterSlotsReply(s.addr())
		}
		return "-MOVED 7 " + s.addr() + "\r\n"
	})
	cfg := redirectConfig(s.port())
	cfg.MaxRedirects = 5
	res := runBench(t, cfg)
	if res.Errors != 40 || res.Totals.Ops != 0 || res.ErrorMessages["too many redirections, last: MOVED"] != 40 {
		t.Fatalf("errors %d %v, ops %d", res.Errors, res.ErrorMessages, res.Totals.Ops)
	}
	if res.Totals.Moved != 40*6 {
		t.Fatalf("%d MOVED counted, want 6 per request", res.Totals.Moved)
	}
}

// -TRYAGAIN is retried until it succeeds; -ASK is followed with ASKING;
// other errors are final and grouped by message.
func TestTryAgainAskAndErrors(t *testing.T) {
	var mu sync.Mutex
	tries := map[string]int{}
	asking := map[string]bool{} // per key: ASKING seen right before
	var s *fakeServer
	var lastAsking bool
	s = startFakeServer(t, func(argv [][]byte) string {
		mu.Lock()
		defer mu.Unlock()
		cmd := strings.ToUpper(string(argv[0]))
		if cmd == "CLUSTER" {
			return clusterSlotsReply(s.addr())
		}
		if cmd == "ASKING" {
			lastAsking = true
			return "+OK\r\n"
		}
		wasAsking := lastAsking
		lastAsking = false
		key := string(argv[1])
		n, _ := strconv.Atoi(strings.TrimPrefix(key, "memtier-"))
		tries[key]++
		switch {
		case n%3 == 0 && tries[key] <= 2:
			return "-TRYAGAIN Multiple keys request during rehashing of slot\r\n"
		case n%3 == 1 && !wasAsking:
			return "-ASK 9 " + s.addr() + "\r\n"
		case n%3 == 1:
			asking[key] = true
			return setGet(argv)
		case n == 50:
			return "-ERR fifty\r\n"
		}
		return setGet(argv)
	})
	cfg := redirectConfig(s.port())
	cfg.Threads, cfg.Clients = 1, 1
	cfg.SetPattern, cfg.GetPattern = PatternSequential, PatternSequential
	cfg.KeyMin, cfg.KeyMax = 48, 53 // SET 48, then GET 48..52: 48 and 51 TRYAGAIN twice, 49 and 52 ASK, 50 fails
	cfg.Requests = 6
	res := runBench(t, cfg)
	if res.Errors != 1 || res.ErrorMessages["ERR fifty"] != 1 || res.Totals.Ops != 5 {
		t.Fatalf("ops %d, errors %d %v", res.Totals.Ops, res.Errors, res.ErrorMessages)
	}
	if res.Totals.TryAgain != 4 || res.Totals.Ask != 2 || res.Totals.Moved != 0 {
		t.Fatalf("tryagain %d ask %d moved %d", res.Totals.TryAgain, res.Totals.Ask, res.Totals.Moved)
	}
	if !asking["memtier-49"] || !asking["memtier-52"] {
		t.Fatalf("ASK not followed with ASKING: %v", asking)
	}
}

// Without --cluster-mode a redirection is an error, as with memtier.
func TestMovedWithoutClusterModeIsAnError(t *testing.T) {
	var s *fakeServer
	s = startFakeServer(t, func(argv [][]byte) string { return "-MOVED 7 " + s.addr() + "\r\n" })
	cfg := redirectConfig(s.port())
	cfg.Cluster = false
	res := runBench(t, cfg)
	if res.Errors != 40 || res.ErrorMessages["MOVED"] != 40 || res.Totals.Moved != 0 {
		t.Fatalf("errors %d %v, moved %d", res.Errors, res.ErrorMessages, res.Totals.Moved)
	}
}
