package repl

import (
	"errors"
	"math"
	"net"
	"runtime"
	"time"
)

// sendChunk is how much of the backlog a sender writes at once.
const sendChunk = 256 << 10

// errReplicaGone ends a sender whose replica disconnected or was killed.
var errReplicaGone = errors.New("replica connection closed")

// run is the replica's sender goroutine, owned by the Repl (its wg) and
// stopped by kill (or by the connection closing). A full synchronization
// (rd nil) streams the snapshot first; then the backlog streams from the
// replica's position until the link ends.
func (rep *replica) run(bl *backlog, rd *reader, replid string) {
	r := rep.r
	defer r.wg.Done()
	defer close(rep.done)
	defer r.removeReplica(rep)
	defer rep.kill()
	var closed <-chan struct{}
	if cn, ok := rep.client.Conn.(closedNotifier); ok {
		closed = cn.Closed()
	}
	if rd == nil {
		var err error
		if rd, err = rep.fullSync(bl, replid, closed); err != nil {
			if rd != nil {
				bl.dropReader(rd)
			}
			r.log.Warn("full synchronization with replica failed", "replica", rep.name(), "err", err)
			return
		}
		r.log.Info("Synchronization with replica succeeded", "replica", rep.name())
	}
	defer bl.dropReader(rd)
	rep.state.Store(stateOnline)
	rep.ackTime.Store(time.Now().UnixMilli())
	r.refreshGood()
	err := rep.stream(bl, rd, closed)
	if err != nil && !errors.Is(err, errReplicaGone) {
		r.log.Info("Connection with replica lost", "replica", rep.name(), "err", err)
	}
}

// stream sends the backlog from rd's position as it grows.
func (rep *replica) stream(bl *backlog, rd *reader, closed <-chan struct{}) error {
	buf := make([]byte, 0, sendChunk)
	for {
		data, wait, ok := bl.read(rd, math.MaxInt64, buf)
		if !ok {
			return errors.New("replica fell behind the output buffer limit (client-output-buffer-limit replica)")
		}
		if wait != nil {
			if err := rep.park(wait, nil, closed); err != nil {
				return err
			}
			batchRound()
			continue
		}
		if err := rep.write(data); err != nil {
			return err
		}
		rd.pos.Add(int64(len(data)))
	}
}

// batchRound lets the goroutines runnable now (the clients whose writes
// woke the sender, and the others of this scheduling round) run before
// the sender reads the backlog, so that it sends their writes with one
// system call: Valkey writes to its replicas once per event-loop
// iteration. Woken by each write, the sender made a write(2), and woke
// the replica, per command.
func batchRound() { runtime.Gosched() }

// park waits for one of the wake channels, or for the replica to go.
func (rep *replica) park(a, b <-chan struct{}, closed <-chan struct{}) error {
	select {
	case <-a:
	case <-b:
	case <-rep.stop:
		return errReplicaGone
	case <-closed:
		return errReplicaGone
	}
	return nil
}

// write sends p within repl-timeout.
func (rep *replica) write(p []byte) error {
	bufs := net.Buffers{p}
	return rep.writeBuffers(&bufs)
}

// writeErr maps a socket write error to the sender's.
func (rep *replica) writeErr(err error) error {
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return errors.New("timeout writing to replica (repl-timeout)")
		}
		return errReplicaGone
	}
	return nil
}

// writeBuffers sends bufs with one writev (a few when there are many
// pieces) within repl-timeout; bufs is consumed.
func (rep *replica) writeBuffers(bufs *net.Buffers) error {
	rep.connMu.Lock()
	c := rep.conn
	rep.connMu.Unlock()
	if c == nil {
		return errReplicaGone
	}
	_ = c.SetWriteDeadline(time.Now().Add(rep.r.timeout()))
	n, err := bufs.WriteTo(c)
	rep.r.stats.netOut.Add(n)
	return rep.writeErr(err)
}
