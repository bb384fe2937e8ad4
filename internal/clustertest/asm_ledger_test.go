package clustertest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// The workload of the fault tests (kill -9, SIGSTOP, partition): counters
// in the migrating slots, incremented through a minimal router that
// follows -MOVED and never retries a command whose fate it does not know.
// Its ledger keeps, per key, the INCRs a client saw acknowledged and the
// ones whose outcome is unknown (a timeout or a connection lost after the
// command was sent): afterwards a counter must hold at least the
// acknowledged ones — a lost acknowledged write is a failure — and at
// most those plus the unknown ones.

// asmOutcome is what a client knows about a command it sent.
type asmOutcome int

const (
	asmApplied asmOutcome = iota // acknowledged
	asmRefused                   // an error reply or no connection: not applied
	asmUnknown                   // sent, no answer: maybe applied
)

// asmClassify tells what err says about the command's fate.
func asmClassify(err error) asmOutcome {
	if err == nil {
		return asmApplied
	}
	var rerr redis.Error
	if errors.As(err, &rerr) {
		return asmRefused
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return asmRefused
	}
	return asmUnknown
}

// asmRouter sends each key to the node it last learned owns its slot.
type asmRouter struct {
	mu      sync.Mutex
	def     string
	route   map[int]string
	clients map[string]*redis.Client
}

func newASMRouter(def string) *asmRouter {
	return &asmRouter{def: def, route: map[int]string{}, clients: map[string]*redis.Client{}}
}

func (r *asmRouter) client(slot int) *redis.Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	addr, ok := r.route[slot]
	if !ok {
		addr = r.def
	}
	cl := r.clients[addr]
	if cl == nil {
		cl = redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, PoolSize: 4,
			DialTimeout: 300 * time.Millisecond, ReadTimeout: time.Second, WriteTimeout: time.Second})
		r.clients[addr] = cl
	}
	return cl
}

// moved reads a -MOVED error and records the new owner.
func (r *asmRouter) moved(err error) bool {
	var rerr redis.Error
	if !errors.As(err, &rerr) || !strings.HasPrefix(rerr.Error(), "MOVED ") {
		return false
	}
	var slot int
	var addr string
	if _, e := fmt.Sscanf(rerr.Error(), "MOVED %d %s", &slot, &addr); e != nil {
		return false
	}
	r.mu.Lock()
	r.route[slot] = addr
	r.mu.Unlock()
	return true
}

// do runs a command on its key's owner, following up to 5 redirects.
func (r *asmRouter) do(key string, args ...any) *redis.Cmd {
	for i := 0; ; i++ {
		cmd := r.client(slotOf(key)).Do(context.Background(), args...)
		if i == 5 || !r.moved(cmd.Err()) {
			return cmd
		}
	}
}

func (r *asmRouter) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, cl := range r.clients {
		cl.Close()
	}
}

// asmCounters is the workload and its ledger.
type asmCounters struct {
	keys []string
	r    *asmRouter

	mu    sync.Mutex
	acked map[string]int64
	maybe map[string]int64
	seen  map[asmOutcome]int64
	last  map[asmOutcome]string // the last error of each kind, for failures
	// lastSent is when the latest acknowledged INCR was sent: one sent
	// after a write pause began cannot have been applied before it.
	lastSent time.Time

	stop chan struct{}
	wg   sync.WaitGroup
}

// newASMCounters picks n counter keys in slots lo..hi; start sends them
// to def until they are redirected.
func newASMCounters(def string, lo, hi, n int) *asmCounters {
	w := &asmCounters{r: newASMRouter(def), acked: map[string]int64{}, maybe: map[string]int64{},
		seen: map[asmOutcome]int64{}, last: map[asmOutcome]string{}, stop: make(chan struct{})}
	for i := 0; len(w.keys) < n; i++ {
		if k := fmt.Sprintf("ctr:%d", i); slotOf(k) >= lo && slotOf(k) <= hi {
			w.keys = append(w.keys, k)
		}
	}
	return w
}

// start runs workers goroutines until halt.
func (w *asmCounters) start(workers int) {
	for g := 0; g < workers; g++ {
		w.wg.Add(1)
		go w.run(g, workers)
	}
}

func (w *asmCounters) run(g, workers int) {
	defer w.wg.Done()
	for i := g; ; i += workers {
		select {
		case <-w.stop:
			return
		default:
		}
		k := w.keys[i%len(w.keys)]
		sent := time.Now()
		err := w.r.do(k, "INCR", k).Err()
		o := asmClassify(err)
		w.mu.Lock()
		w.seen[o]++
		if err != nil {
			w.last[o] = err.Error()
		}
		switch o {
		case asmApplied:
			w.acked[k]++
			if sent.After(w.lastSent) {
				w.lastSent = sent
			}
		case asmUnknown:
			w.maybe[k]++
		}
		w.mu.Unlock()
		if o != asmApplied {
			// The owner is down or paused: do not spin on it.
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// acks is how many INCRs have been acknowledged so far.
func (w *asmCounters) acks() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen[asmApplied]
}

// ackedSentAfter reports whether an INCR sent after t was acknowledged.
func (w *asmCounters) ackedSentAfter(t time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastSent.After(t)
}

// waitAcks waits until n more INCRs are acknowledged: the workload is
// running against whoever serves the slots now.
func (w *asmCounters) waitAcks(t testing.TB, n int64) {
	t.Helper()
	base := w.acks()
	asmWait(t, 20*time.Second, fmt.Sprintf("%d more acknowledged writes", n), func() (bool, string) {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.seen[asmApplied] >= base+n, fmt.Sprintf("last errors %v", w.last)
	})
}

// halt stops the workers and waits for them.
func (w *asmCounters) halt() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	w.wg.Wait()
}

// check stops the workload and compares every counter with the ledger.
// lost means the slots' only copy died with a killed node that restarted
// empty (nothing is persisted yet): then no node may serve any of it,
// not even a stale staged copy.
func (w *asmCounters) check(t testing.TB, lost bool) {
	t.Helper()
	w.halt()
	defer w.r.close()
	w.mu.Lock()
	defer w.mu.Unlock()
	t.Logf("workload: %d acknowledged, %d unknown, %d refused", w.seen[asmApplied], w.seen[asmUnknown], w.seen[asmRefused])
	if w.seen[asmApplied] == 0 {
		t.Fatal("the workload never got a write acknowledged")
	}
	for _, k := range w.keys {
		var got int64
		testutil.WaitFor(t, 10*time.Second, "read "+k, func() bool {
			v, err := w.r.do(k, "GET", k).Text()
			if err == redis.Nil {
				got = 0
				return true
			}
			if err != nil {
				return false
			}
			_, err = fmt.Sscan(v, &got)
			return err == nil
		})
		acked, maybe := w.acked[k], w.maybe[k]
		switch {
		case lost && got != 0:
			t.Errorf("%s = %d served after its only copy died (acknowledged %d)", k, got, acked)
		case !lost && got < acked:
			t.Errorf("%s = %d: %d acknowledged INCRs lost (acknowledged %d, unknown %d)", k, got, acked-got, acked, maybe)
		case !lost && got > acked+maybe:
			t.Errorf("%s = %d: more than the %d acknowledged + %d unknown INCRs", k, got, acked, maybe)
		}
	}
}

// asmJobsOn is CLUSTER GETSLOTMIGRATIONS of a node, as maps.
func asmJobsOn(cl *redis.Client) ([]map[string]any, error) {
	res, err := cl.Do(context.Background(), "CLUSTER", "GETSLOTMIGRATIONS").Slice()
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for _, j := range res {
		m := map[string]any{}
		switch v := j.(type) {
		case map[any]any:
			for k, val := range v {
				m[fmt.Sprint(k)] = val
			}
		case []any:
			for k := 0; k+1 < len(v); k += 2 {
				m[fmt.Sprint(v[k])] = v[k+1]
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// waitJobNamed waits until the node's job name is in state want and
// returns it.
func waitJobNamed(t testing.TB, cl *redis.Client, name, want string, timeout time.Duration) map[string]any {
	t.Helper()
	var job map[string]any
	asmWait(t, timeout, fmt.Sprintf("job %.8s %s on %s", name, want, cl.Options().Addr), func() (bool, string) {
		jobs, err := asmJobsOn(cl)
		if err != nil {
			return false, err.Error()
		}
		for _, j := range jobs {
			if j["name"] == name {
				job = j
				return j["state"] == want, fmt.Sprintf("%v %q", j["state"], j["message"])
			}
		}
		return false, "no such job"
	})
	return job
}

// expectMessage checks a job's message against Valkey's wording (a
// prefix: the messages about a lost link go on with advice).
func expectMessage(t testing.TB, job map[string]any, prefix string) {
	t.Helper()
	if msg := fmt.Sprint(job["message"]); !strings.HasPrefix(msg, prefix) {
		t.Errorf("job %v ended %v with message %q, want %q", job["operation"], job["state"], msg, prefix)
	}
}

// Valkey's messages, as the tests expect them.
const (
	asmLostSource = "Connection lost to source. Check CLUSTER GETSLOTMIGRATIONS on the source node for more information."
	asmLostTarget = "Connection lost to target. Check CLUSTER GETSLOTMIGRATIONS on the target node for more information."
	asmTimedOut   = "Timed out after too long with no interaction"
	// The pause lapsed after the grant: Valkey's words. Shoal reports it
	// once the target confirmed it did not claim: nothing was lost.
	asmPauseLapsed = "Unpaused before migration completed (migration may have succeeded with lost writes)"
)

// slotOwners reads a node's view of who owns each slot (CLUSTER NODES).
func slotOwners(cl *redis.Client) ([]string, error) {
	out, err := cl.ClusterNodes(context.Background()).Result()
	if err != nil {
		return nil, err
	}
	owners := make([]string, 16384)
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 8 || !strings.Contains(f[2], "master") {
			continue
		}
		for _, r := range f[8:] {
			if strings.HasPrefix(r, "[") {
				continue
			}
			var lo, hi int
			if _, err := fmt.Sscanf(r, "%d-%d", &lo, &hi); err != nil {
				if _, err := fmt.Sscanf(r, "%d", &lo); err != nil {
					return nil, fmt.Errorf("slot range %q: %w", r, err)
				}
				hi = lo
			}
			for s := lo; s <= hi; s++ {
				if owners[s] != "" {
					return nil, fmt.Errorf("slot %d owned by %s and %s", s, owners[s], f[0])
				}
				owners[s] = f[0]
			}
		}
	}
	return owners, nil
}

// waitOneOwner waits until every node agrees on the owner of every slot,
// every slot has one, and slots lo..hi belong to want.
func waitOneOwner(t testing.TB, nodes []*redis.Client, lo, hi int, want string) {
	t.Helper()
	asmWait(t, 20*time.Second, "one owner per slot, agreed by every node", func() (bool, string) {
		var first []string
		for i, cl := range nodes {
			owners, err := slotOwners(cl)
			if err != nil {
				return false, err.Error()
			}
			if i == 0 {
				first = owners
				continue
			}
			for s := range owners {
				if owners[s] != first[s] {
					return false, fmt.Sprintf("slot %d: %s says %.8s, %s says %.8s", s, nodes[0].Options().Addr,
						first[s], cl.Options().Addr, owners[s])
				}
			}
		}
		for s, o := range first {
			if o == "" || (s >= lo && s <= hi && o != want) {
				return false, fmt.Sprintf("slot %d owned by %q, want %.8s", s, o, want)
			}
		}
		return true, ""
	})
}

// waitNoKeys waits until a node holds no key, staged or live, in slots
// lo..hi (sampled).
func waitNoKeys(t testing.TB, cl *redis.Client, lo, hi int) {
	t.Helper()
	testutil.WaitFor(t, 20*time.Second, "no key of slots "+fmt.Sprint(lo, "-", hi)+" on "+cl.Options().Addr, func() bool {
		return countKeys(cl, lo, hi) == 0
	})
}

// countKeys sums COUNTKEYSINSLOT over a sample of slots lo..hi, or -1.
func countKeys(cl *redis.Client, lo, hi int) int64 {
	var n int64
	for s := lo; s <= hi; s += 7 {
		c, err := cl.ClusterCountKeysInSlot(context.Background(), s).Result()
		if err != nil {
			return -1
		}
		n += c
	}
	return n
}

// asmWait polls cond until it holds or timeout passes, then fails the
// test with what and cond's last explanation.
func asmWait(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s: %s", timeout, what, why)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
