package loadgen

import (
	"context"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/shoal-db/shoal/internal/slot"
)

// op is one request of a batch, followed through its redirections.
type op struct {
	kind           uint8
	res            uint8
	asking         bool // the next send is preceded by ASKING
	moved, ask, tg uint8
	redirects      int
	keyOff, keyLen int32
	slot           int
	askNode        int32 // node named by the last -ASK, or -1
	start, done    int64 // ns since the run started
	bytes          int32
	errMsg         string
}

// client is one logical client: a goroutine, its connections (one per
// node: the slot owners are dialled before the load starts, other nodes
// and lost connections when a request needs them) and its key/ratio
// state. Nothing in it is
// shared; results leave through its sink.
type client struct {
	run  *runState
	idx  int
	cfg  *Config
	sink *sink

	rng        *rand.Rand
	setKeys    keyGen
	getKeys    keyGen
	value      []byte
	ratioPos   int
	pacer      *pacer
	remaining  int64 // requests left, or -1 when the run is bounded by time
	conns      []*wconn
	ops        []op
	keys       []byte
	send, next []int
	samples    []sample
	errs       []string
	connFailed bool
}

func newClient(rs *runState, idx int, s *sink) *client {
	cfg := rs.cfg
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(idx)))
	c := &client{run: rs, idx: idx, cfg: cfg, sink: s, rng: rng, remaining: -1}
	n := cfg.Conns()
	c.setKeys = newKeyGen(cfg, cfg.SetPattern, idx, n, rng)
	c.getKeys = newKeyGen(cfg, cfg.GetPattern, idx, n, rng)
	c.value = make([]byte, cfg.DataSize)
	for i := range c.value {
		if cfg.RandomData {
			c.value[i] = byte(rng.Uint32())
		} else {
			c.value[i] = 'x'
		}
	}
	if cfg.Requests > 0 {
		c.remaining = cfg.Requests
	}
	return c
}

// loop connects, then runs batches until the run ends or the client's
// requests are done.
func (c *client) loop(ctx context.Context) {
	defer c.closeAll()
	c.connectAll(ctx)
	if n := c.cfg.Conns(); c.cfg.Rate > 0 {
		// The schedule starts once connected: dialling is not latency.
		c.pacer = newPacer(c.run.now(), c.cfg.Rate/float64(n), float64(c.idx)/float64(n))
	}
	for ctx.Err() == nil && c.remaining != 0 {
		n := c.cfg.Pipeline
		if c.remaining > 0 && int64(n) > c.remaining {
			n = int(c.remaining)
		}
		if c.pacer != nil {
			k, wait := c.pacer.ready(c.run.now(), n)
			if k == 0 {
				if !sleepCtx(ctx, wait) {
					return
				}
				continue
			}
			n = k
		}
		c.build(n)
		if !c.execute(ctx) {
			return // the run ended mid-batch: these requests are not counted
		}
		c.report()
		if c.remaining > 0 {
			c.remaining -= int64(n)
		}
		if c.connFailed {
			// A node is unreachable: do not spin on dial errors.
			c.connFailed = false
			if !sleepCtx(ctx, 100*time.Millisecond) {
				return
			}
		}
	}
}

// build prepares the next n requests, following the SET:GET cycle.
func (c *client) build(n int) {
	c.ops = c.ops[:0]
	c.keys = c.keys[:0]
	for i := 0; i < n; i++ {
		o := op{askNode: -1, keyOff: int32(len(c.keys))}
		var num int64
		if c.ratioPos < c.cfg.RatioSet {
			o.kind, num = kindSet, c.setKeys.next()
		} else {
			o.kind, num = kindGet, c.getKeys.next()
		}
		if c.ratioPos++; c.ratioPos >= c.cfg.RatioSet+c.cfg.RatioGet {
			c.ratioPos = 0
		}
		c.keys = append(c.keys, c.cfg.KeyPrefix...)
		c.keys = strconv.AppendInt(c.keys, num, 10)
		o.keyLen = int32(len(c.keys)) - o.keyOff
		if c.cfg.Cluster { // standalone: everything goes to node 0 anyway
			o.slot = slot.Of(c.keys[o.keyOff:])
		}
		o.start = -1 // closed loop: set when first sent
		if c.pacer != nil {
			o.start = c.pacer.due(i)
		}
		c.ops = append(c.ops, o)
	}
	if c.pacer != nil {
		c.pacer.take(n)
	}
}

func (c *client) key(o *op) []byte { return c.keys[o.keyOff : o.keyOff+o.keyLen] }

// execute sends the batch and follows redirections until every request
// has a final outcome. It returns false when the run ended meanwhile.
func (c *client) execute(ctx context.Context) bool {
	c.send = c.send[:0]
	for i := range c.ops {
		c.send = append(c.send, i)
	}
	for round := 0; len(c.send) > 0; round++ {
		c.write(ctx)
		c.next = c.next[:0]
		backoff := c.read()
		if ctx.Err() != nil {
			return false
		}
		c.send, c.next = c.next, c.send
		if backoff > 0 && len(c.send) > 0 {
			// The slot is mid-migration (-TRYAGAIN) or the nodes do not
			// agree yet: give them a moment, longer each round.
			if !sleepCtx(ctx, time.Millisecond<<min(round, 6)) {
				return false
			}
		}
	}
	return true
}

// write routes and encodes every request of c.send, one write per node.
func (c *client) write(ctx context.Context) {
	now := c.run.now()
	for _, i := range c.send {
		o := &c.ops[i]
		if o.start < 0 {
			o.start = now // closed loop: from the first send
		}
		node := o.askNode
		if node < 0 {
			node = c.run.topo.route(o.slot)
		}
		w, err := c.conn(ctx, node)
		if err != nil {
			c.fail(o, "connection: "+err.Error())
			continue
		}
		before := len(w.out)
		if o.askNode >= 0 {
			w.out = append(w.out, askingPrefix...)
			o.asking = true
		}
		if o.kind == kindSet {
			w.out = append(w.out, setPrefix...)
			w.out = appendBulk(w.out, c.key(o))
			w.out = appendBulk(w.out, c.value)
		} else {
			w.out = append(w.out, getPrefix...)
			w.out = appendBulk(w.out, c.key(o))
		}
		o.bytes += int32(len(w.out) - before)
		w.pending = append(w.pending, i)
	}
	for n, w := range c.conns {
		if w == nil || len(w.out) == 0 {
			continue
		}
		if err := w.flush(); err != nil {
			c.dropConn(int32(n), err)
		}
	}
}

// read collects the replies of every connection with requests pending,
// classifying each; requests to resend go to c.next. It returns how many
// of those should wait before they are resent.
func (c *client) read() (backoff int) {
	var r reply
	for n, w := range c.conns {
		if w == nil {
			continue
		}
		for j, i := range w.pending {
			o := &c.ops[i]
			err := c.readOne(w, o, &r)
			if err != nil {
				w.pending = w.pending[j:]
				c.dropConn(int32(n), err)
				break
			}
			o.done = c.run.now()
			again, wait := c.classify(o, &r, w.addr)
			if again {
				c.next = append(c.next, i)
			}
			if wait {
				backoff++
			}
		}
		if c.conns[n] != nil {
			w.pending = w.pending[:0]
		}
	}
	return backoff
}

// readOne reads o's reply (after the +OK of its ASKING, if any).
func (c *client) readOne(w *wconn, o *op, r *reply) error {
	if o.asking {
		o.asking = false
		if err := readReply(w.br, r); err != nil {
			return err
		}
		o.bytes += int32(r.bytes)
	}
	if err := readReply(w.br, r); err != nil {
		return err
	}
	o.bytes += int32(r.bytes)
	return nil
}

// classify records r as o's outcome and reports whether o must be sent
// again (a redirection), and whether that should wait (-TRYAGAIN).
func (c *client) classify(o *op, r *reply, from string) (again, wait bool) {
	o.askNode = -1
	if r.err == "" {
		switch {
		case o.kind == kindSet:
			o.res = resOK
		case r.null:
			o.res = resMiss
		default:
			o.res = resHit
		}
		return false, false
	}
	var redirect bool
	switch {
	case hasPrefix(r.err, "MOVED ") && c.cfg.Cluster:
		if s, addr, ok := parseRedirect(r.err, from); ok {
			o.moved = sat(o.moved)
			c.run.topo.moved(s, addr)
			redirect = true
		}
	case hasPrefix(r.err, "ASK ") && c.cfg.Cluster:
		if _, addr, ok := parseRedirect(r.err, from); ok {
			o.ask = sat(o.ask)
			o.askNode = c.run.topo.nodeIndex(addr)
			redirect = true
		}
	case hasPrefix(r.err, "TRYAGAIN"):
		o.tg = sat(o.tg)
		redirect, wait = true, true
	}
	if !redirect {
		c.fail(o, r.err)
		return false, false
	}
	if o.redirects++; o.redirects > c.cfg.MaxRedirects {
		c.fail(o, "too many redirections, last: "+errorKind(r.err))
		return false, false
	}
	// Nodes can disagree for a moment while ownership propagates (A says
	// B, B still says A): after a few hops, back off instead of spinning
	// through the redirection budget.
	return true, wait || o.redirects > 3
}

func sat(n uint8) uint8 {
	if n == 255 {
		return n
	}
	return n + 1
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

// fail gives o a final error outcome. Errors are reported by their first
// word plus text, so "MOVED 12 a:1" and "MOVED 13 a:1" do not flood the
// error table: only the kind matters there.
func (c *client) fail(o *op, msg string) {
	o.res = resErr
	o.done = c.run.now()
	o.askNode = -1
	o.errMsg = errorKind(msg)
}

// errorKind shortens an error reply to what the summary groups by.
func errorKind(msg string) string {
	for _, p := range []string{"MOVED", "ASK", "connection: "} {
		if hasPrefix(msg, p) {
			if p == "connection: " {
				return msg
			}
			return p
		}
	}
	if len(msg) > 120 {
		return msg[:120]
	}
	return msg
}

// connectAll dials every node that serves slots before the load starts,
// as memtier does; a node that cannot be reached now is retried by the
// batches that need it.
func (c *client) connectAll(ctx context.Context) {
	for _, n := range c.run.owners {
		_, _ = c.conn(ctx, n)
	}
	c.connFailed = false
}

// conn returns the connection to node n, dialling it when needed.
func (c *client) conn(ctx context.Context, n int32) (*wconn, error) {
	for int(n) >= len(c.conns) {
		c.conns = append(c.conns, nil)
	}
	if w := c.conns[n]; w != nil {
		return w, nil
	}
	w, err := dial(ctx, c.run.topo.addr(n), c.run.dialOpts)
	if err != nil {
		c.connFailed = true
		if c.cfg.Cluster {
			c.run.topo.requestRefresh("")
		}
		return nil, err
	}
	c.conns[n] = w
	return w, nil
}

// dropConn closes node n's connection after an I/O error; the requests
// still waiting on it fail.
func (c *client) dropConn(n int32, err error) {
	w := c.conns[n]
	c.conns[n] = nil
	c.connFailed = true
	for _, i := range w.pending {
		c.fail(&c.ops[i], "connection: "+err.Error())
	}
	w.pending = w.pending[:0]
	w.close()
	if c.cfg.Cluster {
		c.run.topo.requestRefresh("")
	}
}

func (c *client) closeAll() {
	for i, w := range c.conns {
		if w != nil {
			w.close()
			c.conns[i] = nil
		}
	}
}

// report hands the batch's outcomes to the collector.
func (c *client) report() {
	c.samples = c.samples[:0]
	c.errs = c.errs[:0]
	for i := range c.ops {
		o := &c.ops[i]
		c.samples = append(c.samples, sample{
			done: o.done, lat: o.done - o.start, bytes: o.bytes,
			kind: o.kind, res: o.res, moved: o.moved, ask: o.ask, tryagain: o.tg,
		})
		if o.res == resErr {
			c.errs = append(c.errs, o.errMsg)
		}
	}
	c.sink.push(c.samples, c.errs)
}

// sleepCtx sleeps for d or until ctx is done; it reports whether ctx is
// still alive.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
