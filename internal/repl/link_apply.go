package repl

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/shoal-db/shoal/internal/command"
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/resp"
)

// applier applies the primary's stream on the link goroutine: every
// command runs through the dispatcher as the "primary client" (no
// read-only, routing or memory checks, expired keys seen as they are),
// and its raw bytes go into this node's own backlog once applied, so this
// node's offset is its primary's and its replicas get the same stream.
//
// A MULTI block is applied and fed as a whole at EXEC (Valkey updates a
// replica's offset only outside MULTI): a link that breaks in the middle
// resumes from before the block.
type applier struct {
	l      *link
	conn   net.Conn
	bl     *backlog
	client *command.Client // the primary client
	snap   *command.Client // applies snapshot records
	w      *resp.Writer    // replies, discarded
	// pending holds the raw bytes of a MULTI block until EXEC; pendingDB
	// is the last database it selects (-1: none).
	pending   []byte
	pendingDB int
	held      bool // applyMu is held (a command or MULTI block in progress)
	argv      [][]byte
}

func (l *link) newApplier(conn net.Conn) *applier {
	r := l.r
	ap := &applier{l: l, conn: conn, w: resp.NewWriter(io.Discard), pendingDB: -1}
	ap.client = r.newPrimaryClient(conn, l)
	ap.snap = r.newPrimaryClient(conn, l)
	r.node.Clients.Add(ap.client)
	return ap
}

// newPrimaryClient builds a client that applies what the primary sends.
func (r *Repl) newPrimaryClient(conn net.Conn, l *link) *command.Client {
	tx := r.ks.NewTx()
	tx.FromPrimary = true
	c := command.NewClient(r.node.Clients.NextID(), linkConn{l}, conn.RemoteAddr().String(), conn.LocalAddr().String(), tx)
	c.Authenticated = true
	c.SetFlag(command.ClientPrimary, true)
	return c
}

// close releases what a session held: an unfinished MULTI block is
// dropped (the next PSYNC resumes before it) and the clients go away.
func (ap *applier) close() {
	if ap.held {
		ap.l.r.applyMu.Unlock()
		ap.held = false
	}
	ap.pending, ap.pendingDB = ap.pending[:0], -1
	node := ap.l.r.node
	for _, c := range []*command.Client{ap.client, ap.snap} {
		c.ResetTransaction(node)
		node.ClientGone(c)
	}
	node.Clients.Remove(ap.client)
}

// loop applies the stream until the link fails.
func (ap *applier) loop(sr *streamReader) error {
	for {
		argv, raw, err := sr.next()
		if err != nil {
			return err
		}
		if len(argv) >= 2 && bytes.EqualFold(argv[0], []byte("REPLCONF")) {
			done, err := ap.replconf(argv, raw)
			if err != nil {
				return err
			}
			if done {
				continue
			}
		}
		ap.l.readOff.Add(int64(len(raw)))
		if len(argv) == 1 && bytes.EqualFold(argv[0], []byte("PING")) {
			ap.feed(raw, -1) // keeps the offsets equal; nothing to run
			continue
		}
		ap.apply(argv, raw)
	}
}

// apply runs one command of the stream and feeds its bytes.
func (ap *applier) apply(argv [][]byte, raw []byte) {
	r := ap.l.r
	if !ap.held {
		r.applyMu.Lock()
		ap.held = true
	}
	r.node.ExecPrimary(ap.client, ap.w, argv)
	ap.w.Reset()
	db := -1
	if len(argv) == 2 && bytes.EqualFold(argv[0], []byte("SELECT")) {
		if n, err := strconv.Atoi(string(argv[1])); err == nil {
			db = n
		}
	}
	if ap.client.Flag(command.ClientMulti) {
		ap.pending = append(ap.pending, raw...)
		if db >= 0 {
			ap.pendingDB = db
		}
		return
	}
	if len(ap.pending) > 0 {
		ap.pending = append(ap.pending, raw...)
		if db >= 0 {
			ap.pendingDB = db
		}
		raw, db = ap.pending, ap.pendingDB
	}
	ap.bl.appendRaw(raw, db)
	ap.pending, ap.pendingDB = ap.pending[:0], -1
	if cap(ap.pending) > 1<<20 {
		ap.pending = nil
	}
	r.applyMu.Unlock()
	ap.held = false
}

// feed puts counted bytes that need no execution into the backlog, in
// order with a MULTI block in progress.
func (ap *applier) feed(raw []byte, db int) {
	if ap.held && ap.client.Flag(command.ClientMulti) {
		ap.pending = append(ap.pending, raw...)
		return
	}
	ap.bl.appendRaw(raw, db)
}

// replconf handles the REPLCONF commands of the stream. done is false for
// the ones that are ordinary stream commands.
func (ap *applier) replconf(argv [][]byte, raw []byte) (done bool, err error) {
	l := ap.l
	switch sub := string(bytes.ToUpper(argv[1])); sub {
	case "GETACK":
		l.readOff.Add(int64(len(raw)))
		ap.feed(raw, -1)
		return true, l.sendAck(ap.conn, ap.bl)
	case "SNAPSHOT":
		// Snapshot frames are not part of the stream: not counted.
		if len(argv) != 4 {
			return true, fmt.Errorf("%w: bad REPLCONF SNAPSHOT frame", errProtocol)
		}
		l.syncRead.Add(int64(len(raw)))
		db, err := strconv.Atoi(string(argv[2]))
		if err != nil {
			return true, fmt.Errorf("%w: bad REPLCONF SNAPSHOT database", errProtocol)
		}
		return true, ap.applySnapshot(db, argv[3])
	case "STREAM-DB":
		if len(argv) == 3 {
			if db, err := strconv.Atoi(string(argv[2])); err == nil {
				ap.client.SetDB(db)
			}
		}
		return true, nil
	case "SNAPSHOT-EOF":
		l.r.snapshotDone()
		l.setState(linkConnected)
		l.r.log.Info("PRIMARY <-> REPLICA sync: Finished with success", "snapshot_bytes", l.syncRead.Load())
		return true, nil
	}
	return false, nil
}

// applySnapshot runs the commands of one snapshot frame on database db.
func (ap *applier) applySnapshot(db int, payload []byte) error {
	node := ap.l.r.node
	ap.snap.SetDB(db)
	for len(payload) > 0 {
		argv, n, _, err := parseCommand(payload, ap.argv[:0])
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: truncated snapshot frame", errProtocol)
		}
		ap.argv = argv
		node.ExecPrimary(ap.snap, ap.w, argv)
		ap.w.Reset()
		payload = payload[n:]
	}
	return nil
}

// linkConn is the command.Conn of the primary client: nothing is pushed to
// a primary, and closing it (CLIENT KILL) drops the link, which reconnects.
type linkConn struct{ l *link }

func (c linkConn) Push(func(w *resp.Writer)) {}
func (c linkConn) Sync(w *resp.Writer)       { w.Reset() }
func (c linkConn) Close() {
	c.l.connMu.Lock()
	if c.l.conn != nil {
		_ = c.l.conn.SetDeadline(time.Now())
	}
	c.l.connMu.Unlock()
}
func (c linkConn) BufferSizes() (qbuf, qbufFree, obuf int) { return 0, 0, 0 }

var _ keyspace.Sink = (*sink)(nil)
