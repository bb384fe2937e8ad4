package repl

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-db/shoal/internal/command"
	"github.com/shoal-db/shoal/internal/resp"
)

// The primary side: replicas announce themselves with REPLCONF, then
// PSYNC turns their connection into a replica link, served by a sender
// goroutine that owns the connection's output from then on.

// Replica capabilities (REPLCONF capa).
const (
	capaEOF uint8 = 1 << iota
	capaPSYNC2
	// capaShoal: the replica understands Shoal's full synchronization (a
	// snapshot streamed as commands, see fullsync.go).
	capaShoal
)

// replicaConf is what a connection announced with REPLCONF before PSYNC.
type replicaConf struct {
	port int
	ip   string
	capa uint8
}

// Replica connection states, named as INFO replication shows them.
const (
	stateWaitBgsave int32 = iota // full sync: waiting for the snapshot cut
	stateSendBulk                // full sync: snapshot streaming
	stateOnline                  // streaming the backlog
)

var stateNames = [...]string{"wait_bgsave", "send_bulk", "online"}

// replica is one replica connection of this node.
type replica struct {
	r      *Repl
	client *command.Client
	ip     string
	port   int
	capa   uint8

	state   atomic.Int32
	ackOff  atomic.Int64
	ackTime atomic.Int64 // unix ms of the last ACK (or of the link's start)

	connMu sync.Mutex
	conn   net.Conn // the socket once detached; guarded by connMu
	killed bool     // guarded by connMu

	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
}

// detacher is implemented by the server's connections: it sends the
// replies buffered in w and hands the socket's output over (the
// connection keeps reading the replica's REPLCONF ACKs).
type detacher interface {
	DetachOutput(w *resp.Writer) net.Conn
}

// closedNotifier is implemented by the server's connections.
type closedNotifier interface {
	Closed() <-chan struct{}
}

func (r *Repl) conf(c *command.Client) *replicaConf {
	rc := r.pending[c]
	if rc == nil {
		rc = &replicaConf{}
		r.pending[c] = rc
	}
	return rc
}

// ReplConfListeningPort implements command.Replication.
func (r *Repl) ReplConfListeningPort(c *command.Client, port int) {
	r.mu.Lock()
	r.conf(c).port = port
	r.mu.Unlock()
}

// ReplConfIPAddress implements command.Replication.
func (r *Repl) ReplConfIPAddress(c *command.Client, ip string) {
	r.mu.Lock()
	r.conf(c).ip = ip
	r.mu.Unlock()
}

// ReplConfCapa implements command.Replication.
func (r *Repl) ReplConfCapa(c *command.Client, capa string) {
	var bit uint8
	switch capa {
	case "eof":
		bit = capaEOF
	case "psync2":
		bit = capaPSYNC2
	case "shoal":
		bit = capaShoal
	default:
		return // unknown capabilities are ignored, as in Valkey
	}
	r.mu.Lock()
	r.conf(c).capa |= bit
	r.mu.Unlock()
}

// ReplConfAck implements command.Replication.
func (r *Repl) ReplConfAck(c *command.Client, offset int64) {
	r.mu.Lock()
	rep := r.replicas[c]
	r.mu.Unlock()
	if rep == nil {
		return
	}
	for {
		old := rep.ackOff.Load()
		if offset <= old || rep.ackOff.CompareAndSwap(old, offset) {
			break
		}
	}
	rep.ackTime.Store(time.Now().UnixMilli())
	r.refreshGood()
	r.notifyAcks()
}

// Sync implements command.Replication: PSYNC continues from the backlog
// when the replica's history is ours and still buffered (+CONTINUE), or
// else starts a full synchronization (+FULLRESYNC, then the snapshot).
func (r *Repl) Sync(c *command.Ctx, psync bool, replid string, offset int64) {
	cl := c.C
	d, ok := cl.Conn.(detacher)
	if !psync || !ok {
		c.Error(command.ErrSyncNotShoal)
		return
	}
	r.mu.Lock()
	conf := r.pending[cl]
	if conf == nil {
		conf = &replicaConf{}
	}
	if r.replica && (r.link == nil || r.link.stateNow() != linkConnected) {
		r.mu.Unlock()
		c.Error(command.ErrSyncNoPrimaryLink)
		return
	}
	var rd *reader
	if r.bl != nil && replid != "?" && r.ids.continues(replid, offset) {
		rd = r.bl.newReader(offset-1, nil)
	}
	if rd == nil {
		if replid != "?" {
			r.stats.partialErr.Add(1)
			r.log.Info("Partial resynchronization not accepted", "reason", r.partialRefusedLocked(replid, offset))
		}
		if conf.capa&capaShoal == 0 {
			r.mu.Unlock()
			c.Error(command.ErrSyncNotShoal)
			return
		}
		r.stats.full.Add(1)
		r.createBacklogLocked(true)
	} else {
		r.stats.partialOK.Add(1)
	}
	delete(r.pending, cl)
	rep := r.addReplicaLocked(cl, conf)
	myID, bl := r.ids.replid, r.bl
	r.mu.Unlock()
	if rd != nil {
		bl.setDrop(rd, rep.kill)
	}

	rep.setConn(d.DetachOutput(c.W))
	cl.SetFlag(command.ClientReplica|command.ClientReplyOff, true)
	if rd == nil {
		r.log.Info("Replica asks for synchronization: starting a full synchronization", "replica", rep.name())
		go rep.run(bl, nil, myID)
		return
	}
	rep.state.Store(stateOnline)
	reply := "+CONTINUE\r\n"
	if rep.capa&capaPSYNC2 != 0 {
		reply = "+CONTINUE " + myID + "\r\n"
	}
	r.log.Info("Partial resynchronization request accepted", "replica", rep.name(), "offset", offset)
	if _, err := rep.conn.Write([]byte(reply)); err != nil {
		rep.kill()
	}
	go rep.run(bl, rd, myID)
}

// addReplicaLocked registers a replica connection; mu is held.
func (r *Repl) addReplicaLocked(cl *command.Client, conf *replicaConf) *replica {
	rep := &replica{r: r, client: cl, ip: conf.ip, port: conf.port, capa: conf.capa,
		stop: make(chan struct{}), done: make(chan struct{})}
	if rep.ip == "" {
		rep.ip = hostOf(cl.Addr)
	}
	rep.ackTime.Store(time.Now().UnixMilli())
	r.replicas[cl] = rep
	r.wg.Add(1)
	return rep
}

func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

func (rep *replica) name() string {
	return net.JoinHostPort(rep.ip, strconv.Itoa(rep.port))
}

// kill stops the replica's sender and closes its connection. It never
// blocks, so the backlog may call it under its lock (buffer limit).
func (rep *replica) kill() {
	rep.stopOnce.Do(func() {
		close(rep.stop)
		rep.connMu.Lock()
		rep.killed = true
		c := rep.conn
		rep.connMu.Unlock()
		if c != nil {
			c.Close()
		} else if rep.client.Conn != nil {
			rep.client.Conn.Close()
		}
	})
}

// setConn records the detached socket (closing it if kill came first).
func (rep *replica) setConn(c net.Conn) {
	rep.connMu.Lock()
	rep.conn = c
	killed := rep.killed
	rep.connMu.Unlock()
	if killed {
		c.Close()
	}
}

// replicaList returns the replica connections; mu is held.
func (r *Repl) replicaList() []*replica {
	out := make([]*replica, 0, len(r.replicas))
	for _, rep := range r.replicas {
		out = append(out, rep)
	}
	return out
}

// killReplicas disconnects replicas and waits for their senders.
func (r *Repl) killReplicas(reps []*replica) {
	for _, rep := range reps {
		rep.kill()
	}
	for _, rep := range reps {
		<-rep.done
	}
}

// removeReplica forgets a replica whose sender ended.
func (r *Repl) removeReplica(rep *replica) {
	r.mu.Lock()
	if r.replicas[rep.client] == rep {
		delete(r.replicas, rep.client)
		if rep.state.Load() == stateOnline {
			r.rememberDepartedLocked(rep.ackOff.Load())
		}
		if len(r.replicas) == 0 {
			r.noReplicasSince = time.Now()
		}
	}
	r.mu.Unlock()
	r.refreshGood()
	r.notifyAcks()
}

// refreshGood counts the online replicas whose last ACK is at most
// min-replicas-max-lag old (refreshGoodReplicasCount) and updates the
// NOREPLICAS gate.
func (r *Repl) refreshGood() {
	now := time.Now().UnixMilli()
	r.mu.Lock()
	var good int64
	for _, rep := range r.replicas {
		if rep.state.Load() == stateOnline && (now-rep.ackTime.Load())/1000 <= r.set.minMaxLag {
			good++
		}
	}
	r.good.Store(good)
	r.updateGateLocked()
	r.mu.Unlock()
}

// notifyAcks wakes the WAITs.
func (r *Repl) notifyAcks() {
	r.ackMu.Lock()
	close(r.ackCh)
	r.ackCh = make(chan struct{})
	r.ackMu.Unlock()
}

// WaitTarget implements command.Replication.
func (r *Repl) WaitTarget() int64 { return r.Offset() }

// Acked implements command.Replication.
func (r *Repl) Acked(offset int64) (int, <-chan struct{}) {
	r.ackMu.Lock()
	ch := r.ackCh
	r.ackMu.Unlock()
	n := 0
	r.mu.Lock()
	for _, rep := range r.replicas {
		if rep.state.Load() == stateOnline && rep.ackOff.Load() >= offset {
			n++
		}
	}
	cutoff := time.Now().Add(-departedFor)
	for _, d := range r.departed {
		if d.at.After(cutoff) && d.off >= offset {
			n++
		}
	}
	r.mu.Unlock()
	return n, ch
}

// departedAck is what a replica that left had acknowledged, and when it
// left.
type departedAck struct {
	off int64
	at  time.Time
}

// departedFor is how long a departed replica's acknowledgement counts:
// long enough for a waiter to wake, far shorter than any offset it could
// wrongly satisfy (a later wait's offset lies past what the replica had).
const departedFor = time.Second

// rememberDepartedLocked records a leaving replica's acknowledgement,
// keeping only recent ones (r.mu held).
func (r *Repl) rememberDepartedLocked(off int64) {
	cutoff := time.Now().Add(-departedFor)
	kept := r.departed[:0]
	for _, d := range r.departed {
		if d.at.After(cutoff) {
			kept = append(kept, d)
		}
	}
	r.departed = append(kept, departedAck{off: off, at: time.Now()})
}

// RequestAck implements command.Replication: it appends REPLCONF GETACK
// to the stream unless one already follows offset.
func (r *Repl) RequestAck(offset int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bl == nil || r.replica || len(r.replicas) == 0 || r.lastGetAck >= offset || r.mfPaused.Load() {
		return
	}
	r.bl.appendCommand(-1, getAckArgv)
	r.lastGetAck = r.bl.end.Load()
}

var (
	getAckArgv = [][]byte{[]byte("REPLCONF"), []byte("GETACK"), []byte("*")}
	pingArgv   = [][]byte{[]byte("PING")}
)

// pruneConfs forgets the REPLCONF state of connections that closed
// without PSYNC.
func (r *Repl) pruneConfs() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range r.pending {
		if cn, ok := c.Conn.(closedNotifier); ok {
			select {
			case <-cn.Closed():
				delete(r.pending, c)
			default:
			}
		}
	}
}

// partialRefusedLocked says why a PSYNC for replid at offset cannot
// continue, in Valkey's words: an operator reading why a replica needed a
// full sync wants the ids and offsets both sides had.
func (r *Repl) partialRefusedLocked(replid string, offset int64) string {
	x := r.ids
	switch {
	case !strings.EqualFold(replid, x.replid) && !strings.EqualFold(replid, x.replid2):
		return fmt.Sprintf("Replication ID mismatch (Replica asked for '%s', my replication IDs are '%s' and '%s')",
			replid, x.replid, x.replid2)
	case !strings.EqualFold(replid, x.replid) && offset > x.secondOffset:
		return fmt.Sprintf("Requested offset for second ID was %d, but I can reply up to %d", offset, x.secondOffset)
	case r.bl == nil:
		return "no backlog"
	default:
		return fmt.Sprintf("the backlog does not hold offset %d", offset)
	}
}
