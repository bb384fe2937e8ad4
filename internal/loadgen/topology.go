package loadgen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-db/shoal/internal/resp"
	"github.com/shoal-db/shoal/internal/slot"
)

// topology is the slot → node map every client routes by. Slots are
// updated in place (a MOVED patches one slot; a refresh rewrites all) so a
// storm of redirections during a migration costs an atomic store each, not
// a copy of the map. Node addresses are append-only: an index, once given
// out, names the same address for the whole run.
type topology struct {
	owner [slot.Count]atomic.Int32 // node index (0, the seed, until known)

	mu    sync.RWMutex
	addrs []string
	index map[string]int32

	// refresh asks the refresher for a CLUSTER SLOTS; the value is the
	// node to ask first (the one a MOVED pointed at knows the news).
	refresh   chan string
	refreshes atomic.Int64
}

// newTopology starts with every slot on the seed: standalone mode never
// changes that; cluster mode loads CLUSTER SLOTS before the run.
func newTopology(seed string) *topology {
	t := &topology{index: map[string]int32{}, refresh: make(chan string, 1)}
	t.nodeIndex(seed)
	return t
}

// route is the node index serving slot s.
func (t *topology) route(s int) int32 { return t.owner[s].Load() }

// owners lists the distinct nodes that serve slots.
func (t *topology) owners() []int32 {
	seen := map[int32]bool{}
	var out []int32
	for i := range t.owner {
		if n := t.owner[i].Load(); !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// addr is node n's address.
func (t *topology) addr(n int32) string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.addrs[n]
}

// nodeIndex returns addr's index, adding it when new.
func (t *topology) nodeIndex(addr string) int32 {
	t.mu.RLock()
	n, ok := t.index[addr]
	t.mu.RUnlock()
	if ok {
		return n
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if n, ok := t.index[addr]; ok {
		return n
	}
	n = int32(len(t.addrs))
	t.addrs = append(t.addrs, addr)
	t.index[addr] = n
	return n
}

// moved records a -MOVED: slot s now lives at addr. The whole map is
// refreshed in the background, since one moved slot rarely moves alone.
func (t *topology) moved(s int, addr string) {
	t.owner[s].Store(t.nodeIndex(addr))
	t.requestRefresh(addr)
}

// requestRefresh asks for a CLUSTER SLOTS without waiting; requests made
// while one is pending collapse into it.
func (t *topology) requestRefresh(hint string) {
	select {
	case t.refresh <- hint:
	default:
	}
}

// slotRange is one CLUSTER SLOTS entry: slots [start, end] served by addr.
type slotRange struct {
	start, end int
	addr       string
}

// apply installs a full map. Slots missing from it keep their owner: a
// node that is mid-handover may briefly report a slot as unowned.
func (t *topology) apply(ranges []slotRange) {
	for _, r := range ranges {
		n := t.nodeIndex(r.addr)
		for s := r.start; s <= r.end; s++ {
			t.owner[s].Store(n)
		}
	}
}

// fetchSlots asks addr for CLUSTER SLOTS.
func fetchSlots(ctx context.Context, addr string, o dialOptions) ([]slotRange, error) {
	c, err := dial(ctx, addr, o)
	if err != nil {
		return nil, err
	}
	defer c.close()
	_ = c.nc.SetDeadline(time.Now().Add(5 * time.Second))
	c.out = appendCommand(c.out, "CLUSTER", "SLOTS")
	if err := c.flush(); err != nil {
		return nil, err
	}
	r, err := resp.NewReplyReader(c.br).ReadReply()
	if err != nil {
		return nil, fmt.Errorf("CLUSTER SLOTS from %s: %w", addr, err)
	}
	host, _, _ := net.SplitHostPort(addr)
	return parseSlots(r, host)
}

// parseSlots reads a CLUSTER SLOTS reply: [start, end, [ip, port, id,
// ...], replicas...]. An empty or "?" ip means "the address you reached me
// at" (Valkey's convention for an unknown endpoint).
func parseSlots(r *resp.Reply, host string) ([]slotRange, error) {
	if r.IsError() {
		return nil, fmt.Errorf("CLUSTER SLOTS: %s", r.Str)
	}
	if r.Type != resp.TypeArray {
		return nil, errors.New("CLUSTER SLOTS: not an array")
	}
	out := make([]slotRange, 0, len(r.Elems))
	for _, e := range r.Elems {
		if len(e.Elems) < 3 || len(e.Elems[2].Elems) < 2 {
			return nil, fmt.Errorf("CLUSTER SLOTS: bad entry %s", e)
		}
		start, end := int(e.Elems[0].Int), int(e.Elems[1].Int)
		if start < 0 || end >= slot.Count || start > end {
			return nil, fmt.Errorf("CLUSTER SLOTS: bad range %d-%d", start, end)
		}
		ip, port := e.Elems[2].Elems[0].Text(), e.Elems[2].Elems[1].Text()
		if ip == "" || ip == "?" {
			ip = host
		}
		out = append(out, slotRange{start: start, end: end, addr: net.JoinHostPort(ip, port)})
	}
	return out, nil
}

// load fetches the map from the first of addrs that answers.
func (t *topology) load(ctx context.Context, addrs []string, o dialOptions) error {
	var errs []error
	for _, a := range addrs {
		ranges, err := fetchSlots(ctx, a, o)
		if err == nil {
			t.apply(ranges)
			t.refreshes.Add(1)
			return nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return errors.Join(errs...)
}

// known lists hint first, then every node seen so far.
func (t *topology) known(hint string) []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]string, 0, len(t.addrs)+1)
	if hint != "" {
		out = append(out, hint)
	}
	for _, a := range t.addrs {
		if a != hint {
			out = append(out, a)
		}
	}
	return out
}

// refresher serves refresh requests until ctx is done, at most one
// CLUSTER SLOTS per minGap so a redirection storm does not become a
// CLUSTER SLOTS storm. It is owned by the run, which waits for it.
func (t *topology) refresher(ctx context.Context, o dialOptions, minGap time.Duration, log *slog.Logger) {
	for {
		var hint string
		select {
		case <-ctx.Done():
			return
		case hint = <-t.refresh:
		}
		if err := t.load(ctx, t.known(hint), o); err != nil && ctx.Err() == nil {
			log.Warn("cluster topology refresh failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(minGap):
		}
	}
}

// parseRedirect splits "MOVED 3999 127.0.0.1:6381" (or ASK). An address
// without a host (":6381", a node that does not know its own IP) is
// completed with from's host.
func parseRedirect(msg, from string) (s int, addr string, ok bool) {
	f := strings.Fields(msg)
	if len(f) != 3 {
		return 0, "", false
	}
	s, err := strconv.Atoi(f[1])
	if err != nil || s < 0 || s >= slot.Count {
		return 0, "", false
	}
	host, port, err := net.SplitHostPort(f[2])
	if err != nil {
		return 0, "", false
	}
	if host == "" || host == "?" {
		host, _, _ = net.SplitHostPort(from)
	}
	return s, net.JoinHostPort(host, port), true
}
