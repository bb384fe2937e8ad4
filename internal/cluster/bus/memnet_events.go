package bus

import (
	"container/heap"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
)

type event interface{ fire(nw *Network) }

type queued struct {
	at  time.Time
	seq uint64
	e   event
}

// eventQueue orders events by time, then by scheduling order, so runs are
// reproducible.
type eventQueue []*queued

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*queued)) }
func (q *eventQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return x
}

func (nw *Network) schedule(at time.Time, e event) {
	nw.seq++
	heap.Push(&nw.queue, &queued{at: at, seq: nw.seq, e: e})
}

type tickEvent struct {
	node *SimNode
	gen  *cluster.State
}

func (e *tickEvent) fire(nw *Network) {
	n := e.node
	if !n.Alive || n.State != e.gen {
		return // a previous life of the node
	}
	n.apply(n.State.Tick(nw.now))
	nw.schedule(nw.now.Add(nw.TickEvery), e)
}

type connectEvent struct{ link *simLink }

func (e *connectEvent) fire(nw *Network) {
	l := e.link
	from := l.from
	if l.closed || from.out[l.id] != l || !from.Alive {
		return
	}
	if !reachable(from, l.to) {
		l.closed = true
		delete(from.out, l.id)
		from.apply(from.State.LinkDown(nw.now, l.id))
		return
	}
	nw.conns++
	l.conn = nw.conns
	l.up = true
	l.to.in[l.conn] = l
	pending := l.pending
	l.pending = nil
	for _, m := range pending {
		nw.transmit(l, 0, m)
	}
	from.apply(from.State.LinkUp(nw.now, l.id))
}

type deliverEvent struct {
	link *simLink
	dir  int
	msg  *cluster.Message
}

func (e *deliverEvent) fire(nw *Network) {
	l := e.link
	if l.closed {
		return
	}
	src, dst := l.from, l.to
	if e.dir == 1 {
		src, dst = l.to, l.from
	}
	if !reachable(src, dst) {
		return // partitioned or dead: the packet is lost
	}
	var p cluster.Peer
	if e.dir == 0 {
		p = cluster.Peer{Conn: l.conn, IP: src.IP, LocalIP: dst.IP}
	} else {
		p = cluster.Peer{Outbound: true, Link: l.id, IP: src.IP, LocalIP: dst.IP}
	}
	dst.apply(dst.State.Step(nw.now, p, e.msg))
}

type funcEvent struct {
	node *SimNode
	f    func()
}

func (e *funcEvent) fire(*Network) {
	if e.node.Alive {
		e.f()
	}
}
