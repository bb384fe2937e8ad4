package repl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The replica side: a link goroutine connects to the primary, does the
// handshake (PING, AUTH, REPLCONF listening-port / ip-address / capa,
// PSYNC with the cached replication id and offset) and applies the stream
// (link_apply.go), reconnecting with a backoff until the role changes.

// Link states, named as ROLE shows them.
const (
	linkConnect int32 = iota
	linkConnecting
	linkHandshake
	linkSync
	linkConnected
)

var linkStateNames = [...]string{"connect", "connecting", "handshake", "sync", "connected"}

// Reconnection backoff bounds.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = time.Second
)

// link is this replica's connection to its primary. It is owned by the
// Repl (wg) and stopped by close.
type link struct {
	r    *Repl
	host string
	port int

	state     atomic.Int32
	lastIO    atomic.Int64 // unix ms of the last byte from the primary
	downSince atomic.Int64 // unix ms the link went down (0: never up)
	syncRead  atomic.Int64 // snapshot bytes received in the current full sync
	readOff   atomic.Int64 // stream offset read (slave_read_repl_offset)

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	writeMu sync.Mutex // serializes writes to conn (ACKs, handshake)
	connMu  sync.Mutex
	conn    net.Conn // guarded by connMu
}

func newLink(r *Repl, host string, port int) *link {
	l := &link{r: r, host: host, port: port, done: make(chan struct{})}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	return l
}

func (l *link) start() {
	l.r.wg.Add(1)
	go l.run()
}

// close stops the link and waits for its goroutine.
func (l *link) close() {
	l.cancel()
	l.connMu.Lock()
	if l.conn != nil {
		l.conn.Close()
	}
	l.connMu.Unlock()
	<-l.done
}

func (l *link) stateNow() int32 { return l.state.Load() }

func (l *link) addr() string { return net.JoinHostPort(l.host, strconv.Itoa(l.port)) }

func (l *link) run() {
	defer l.r.wg.Done()
	defer close(l.done)
	backoff := minBackoff
	for l.ctx.Err() == nil {
		synced, err := l.session()
		l.setState(linkConnect)
		if l.ctx.Err() != nil {
			return
		}
		if synced {
			backoff = minBackoff
		}
		l.r.log.Warn("replication link with the primary failed", "primary", l.addr(), "err", err)
		t := time.NewTimer(backoff)
		select {
		case <-l.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// setState changes the link state; leaving connected marks the link down.
func (l *link) setState(s int32) {
	old := l.state.Swap(s)
	if old == linkConnected && s != linkConnected {
		l.downSince.Store(time.Now().UnixMilli())
	}
	if (old == linkConnected) != (s == linkConnected) {
		l.r.updateGate()
	}
}

// session runs one connection to the primary. synced reports whether it
// got as far as streaming.
func (l *link) session() (synced bool, err error) {
	l.setState(linkConnecting)
	set := l.r.settings()
	d := net.Dialer{Timeout: set.timeout}
	conn, err := d.DialContext(l.ctx, "tcp", l.addr())
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	l.connMu.Lock()
	if l.ctx.Err() != nil {
		l.connMu.Unlock()
		conn.Close()
		return false, l.ctx.Err()
	}
	l.conn = conn
	l.connMu.Unlock()
	defer func() {
		l.connMu.Lock()
		l.conn = nil
		l.connMu.Unlock()
		conn.Close()
	}()
	l.lastIO.Store(time.Now().UnixMilli())
	sr := newStreamReader(conn)
	sr.onRead = func(n int) {
		l.lastIO.Store(time.Now().UnixMilli())
		l.r.stats.netIn.Add(int64(n))
	}
	l.setState(linkHandshake)
	_ = conn.SetDeadline(time.Now().Add(set.timeout))
	full, id, off, err := l.handshake(conn, sr, set)
	if err != nil {
		return false, err
	}
	_ = conn.SetDeadline(time.Time{})
	ap := l.newApplier(conn)
	defer ap.close()
	if full {
		ap.bl = l.r.beginFullSync(id, off)
		l.syncRead.Store(0)
		l.setState(linkSync)
		l.r.log.Info("PRIMARY <-> REPLICA sync: full resynchronization from the primary's snapshot", "replid", id, "offset", off)
	} else {
		ap.bl = l.r.continueSync(id)
		ap.client.SetDB(max(ap.bl.streamDBNow(), 0))
		l.setState(linkConnected)
		l.r.log.Info("PRIMARY <-> REPLICA sync: Primary accepted a Partial Resynchronization.")
	}
	l.readOff.Store(ap.bl.end.Load())
	stopAcks := l.startAcker(conn, ap)
	defer stopAcks()
	return true, ap.loop(sr)
}

// handshake runs PING, AUTH, REPLCONF and PSYNC; it returns whether the
// primary asked for a full resynchronization, and its replication id and
// offset.
func (l *link) handshake(conn net.Conn, sr *streamReader, set settings) (full bool, id string, off int64, err error) {
	reply, err := l.call(conn, sr, "PING")
	if err != nil {
		return false, "", 0, err
	}
	// Without AUTH yet, a primary with a password may refuse the PING.
	if reply[0] == '-' && !bytes.HasPrefix(reply, []byte("-NOAUTH")) && !bytes.HasPrefix(reply, []byte("-NOPERM")) &&
		!bytes.HasPrefix(reply, []byte("-ERR operation not permitted")) {
		return false, "", 0, fmt.Errorf("error reply to PING from primary: %q", reply)
	}
	if set.primaryAuth != "" {
		args := []string{"AUTH", set.primaryAuth}
		if set.primaryUser != "" {
			args = []string{"AUTH", set.primaryUser, set.primaryAuth}
		}
		if reply, err = l.call(conn, sr, args...); err != nil {
			return false, "", 0, err
		}
		if reply[0] == '-' {
			return false, "", 0, fmt.Errorf("unable to AUTH to PRIMARY: %q", reply)
		}
	}
	port := set.announcePort
	if port == 0 && l.r.port != nil {
		port = l.r.port()
	}
	// These are not critical: an older primary may not know them.
	if _, err = l.call(conn, sr, "REPLCONF", "listening-port", strconv.Itoa(port)); err != nil {
		return false, "", 0, err
	}
	if set.announceIP != "" {
		if _, err = l.call(conn, sr, "REPLCONF", "ip-address", set.announceIP); err != nil {
			return false, "", 0, err
		}
	}
	if _, err = l.call(conn, sr, "REPLCONF", "capa", "eof", "capa", "psync2", "capa", "shoal"); err != nil {
		return false, "", 0, err
	}
	replid, offset := l.r.psyncArgs()
	if reply, err = l.call(conn, sr, "PSYNC", replid, strconv.FormatInt(offset, 10)); err != nil {
		return false, "", 0, err
	}
	return parsePsyncReply(reply)
}

// parsePsyncReply reads +FULLRESYNC <replid> <offset> or +CONTINUE [replid].
func parsePsyncReply(reply []byte) (full bool, id string, off int64, err error) {
	fields := bytes.Fields(reply)
	switch {
	case len(fields) == 3 && string(fields[0]) == "+FULLRESYNC":
		off, err := strconv.ParseInt(string(fields[2]), 10, 64)
		if err != nil || len(fields[1]) != 40 {
			return false, "", 0, fmt.Errorf("bad FULLRESYNC reply from primary: %q", reply)
		}
		return true, string(fields[1]), off, nil
	case len(fields) >= 1 && string(fields[0]) == "+CONTINUE":
		if len(fields) == 2 && len(fields[1]) == 40 {
			id = string(fields[1])
		}
		return false, id, 0, nil
	}
	return false, "", 0, fmt.Errorf("unexpected reply to PSYNC from primary: %q", reply)
}

// call sends a command and reads its one-line reply.
func (l *link) call(conn net.Conn, sr *streamReader, args ...string) ([]byte, error) {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	if err := l.send(conn, appendRESP(nil, argv)); err != nil {
		return nil, err
	}
	for {
		line, err := sr.readLine()
		if err != nil {
			return nil, fmt.Errorf("reading reply to %s: %w", args[0], err)
		}
		if len(line) > 0 { // a bare newline is a keepalive
			return line, nil
		}
	}
}

func (l *link) send(conn net.Conn, p []byte) error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	_ = conn.SetWriteDeadline(time.Now().Add(l.r.timeout()))
	_, err := conn.Write(p)
	return err
}

// startAcker runs the goroutine that sends REPLCONF ACK every second and
// drops the link when the primary stayed silent for repl-timeout.
func (l *link) startAcker(conn net.Conn, ap *applier) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			if time.Since(time.UnixMilli(l.lastIO.Load())) > l.r.timeout() {
				l.r.log.Warn("PRIMARY timeout: no data nor PING received...")
				conn.Close()
				return
			}
			if l.sendAck(conn, ap.bl) != nil {
				return
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// sendAck reports the offset applied so far.
func (l *link) sendAck(conn net.Conn, bl *backlog) error {
	off := strconv.FormatInt(bl.end.Load(), 10)
	return l.send(conn, appendRESP(nil, [][]byte{[]byte("REPLCONF"), []byte("ACK"), []byte(off)}))
}

var errLinkClosed = errors.New("replication link closed")
