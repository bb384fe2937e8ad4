package migration

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/resp"
)

// paceBytes bounds what the snapshot walker lets accumulate for the
// target: the source's memory overhead of a migration (issue 7 asks
// for at most 5% of the bytes moved; 1 MiB plus the free blocks is 2.4%
// of a 100 MiB job). Loopback still runs at hundreds of MB/s with it:
// the target applying the stream is the bottleneck, not the window.
const paceBytes = 1 << 20

// exportJob is the source side of one job: run is its goroutine.
type exportJob struct {
	m     *Manager
	job   *Job
	slots []int
	out   *outBuf

	ctrl     chan string   // control messages read from the target
	linkDown chan struct{} // closed when the link fails (setLinkDown)
	downOnce sync.Once
	aborted  chan struct{} // closed by abort
	abortOne sync.Once
	hsMu     sync.Mutex
	hsConn   net.Conn // the link during the handshake (setHandshakeConn)
	endState State
	endMsg   string

	// hoMu guards the hand-over state that the link's reader shares with
	// run: the reader applies the target's CLAIMED and ends the pause
	// itself, a goroutine hop less in the write pause (claimFromLink).
	hoMu     sync.Mutex
	paused   bool
	granted  bool      // FAILOVER-GRANTED sent (or about to be): watch the topology closely
	tClaimed time.Time // CLAIMED read (zero when the gossip came first)
	deadline time.Time // end of the write pause
	lastAck  time.Time // last ACK sent during the snapshot
	// When REQUEST-FAILOVER was read, for the log line that explains a
	// long write pause.
	tRequest time.Time
	// After the grant (export_grant.go): the link broke (or was closed at
	// the pause deadline: gaveUp), and when the target was last asked.
	linkLost   bool
	gaveUp     bool
	lastAsk    time.Time
	lastCheck  time.Time // checkAlive's last run
	graceUntil time.Time // no timeout before this, after a stall
	rate       int64     // bytes per second of snapshot, 0 = unlimited
	started    time.Time
}

// throttle holds the walker back so that the snapshot stays under the
// job's rate (a Shoal extension: MIGRATESLOTS ... NODE id RATE bytes/s).
// Only the snapshot's records count: the writes streamed meanwhile are as
// fast as the clients make them, and counting them would starve the walk
// under load. The wait goes on ACKing: the target gives up on a source
// silent for repl-timeout, and one wait can be longer than that.
func (e *exportJob) throttle() {
	if e.started.IsZero() {
		e.started = time.Now()
	}
	due := e.started.Add(time.Duration(float64(e.out.snapshotBytes()) / float64(e.rate) * float64(time.Second)))
	for {
		d := time.Until(due)
		if d <= 0 {
			return
		}
		select {
		case <-time.After(min(d, 250*time.Millisecond)):
		case <-e.aborted:
			return
		}
		e.snapshotAck()
	}
}

// snapshotAck sends an ACK if a second has passed since the last one.
func (e *exportJob) snapshotAck() {
	if now := time.Now(); now.Sub(e.lastAck) >= time.Second {
		e.lastAck = now // the target times out a silent source
		e.out.control("ACK")
	}
}

func (e *exportJob) inScope(s int) bool { return e.out.inScope(s) }

// setLinkDown records that the link failed (read or write).
func (e *exportJob) setLinkDown() { e.downOnce.Do(func() { close(e.linkDown) }) }

// abort ends the job from outside run (cancel, shutdown).
func (e *exportJob) abort(st State, msg string) {
	e.abortOne.Do(func() {
		e.endState, e.endMsg = st, msg
		close(e.aborted)
	})
	e.setHandshakeConn(nil, false)
}

// setHandshakeConn records the link while the handshake reads from it
// (c, or nil once it is over); an abort closes it meanwhile, so that a
// cancel or a shutdown does not wait up to repl-timeout for a silent
// target's reply.
func (e *exportJob) setHandshakeConn(c net.Conn, set bool) {
	e.hsMu.Lock()
	defer e.hsMu.Unlock()
	if set {
		e.hsConn = c
	}
	select {
	case <-e.aborted:
		if e.hsConn != nil {
			e.hsConn.Close()
		}
	default:
	}
}

// fail ends the job with a message; run cleans up.
func (e *exportJob) fail(msg string) error { return &jobError{StateFailed, msg} }

type jobError struct {
	state State
	msg   string
}

func (e *jobError) Error() string { return e.msg }

func (e *exportJob) run() {
	defer e.m.wg.Done()
	conn, err := e.runLink()
	var je *jobError
	switch {
	case err == nil:
		e.job.setState(StateSuccess, "")
	case errors.As(err, &je):
		e.job.setState(je.state, je.msg)
	default:
		e.job.setState(StateFailed, err.Error())
	}
	e.out.close()
	if conn != nil {
		conn.Close()
	}
	e.m.env.KS.RemoveSink(e.out)
	e.endPause()
	e.job.updateProgress(func(p *Progress) { p.Bytes, p.Buffered, p.PeakBuffer = e.out.sentBytes(), 0, e.out.peakBytes() })
	e.m.mu.Lock()
	delete(e.m.exports, e.job)
	e.m.mu.Unlock()
	info := e.job.Info(time.Now())
	e.m.env.Log.Info("slot migration export ended", "job", e.job.Name, "state", info.State,
		"message", info.Message, "keys", info.Progress.Keys, "bytes", info.Progress.Bytes,
		"pause_us", info.Progress.PauseMicros, "elapsed", info.Progress.Elapsed,
		"request_failover_after_us", e.sincePause(e.tRequest), "claimed_after_us", e.sincePause(e.claimedAt()),
		"pause_start_unix_us", e.pauseStartUnixMicro(),
		"peak_buffer", e.out.peakBytes(), "blocks_allocated", e.out.blocksMade())
}

// pauseStartUnixMicro is when the pause began, in Unix µs (0: never), to
// line up with the target's log.
func (e *exportJob) pauseStartUnixMicro() int64 {
	e.job.mu.Lock()
	defer e.job.mu.Unlock()
	if e.job.pauseStart.IsZero() {
		return 0
	}
	return e.job.pauseStart.UnixMicro()
}

// sincePause is how long after the pause began t happened, in µs (-1: it
// did not happen).
func (e *exportJob) sincePause(t time.Time) int64 {
	e.job.mu.Lock()
	start := e.job.pauseStart
	e.job.mu.Unlock()
	if t.IsZero() || start.IsZero() {
		return -1
	}
	return t.Sub(start).Microseconds()
}

// runLink drives the job; it returns the link so run can close it.
func (e *exportJob) runLink() (net.Conn, error) {
	conn, rr, err := e.handshake()
	e.setHandshakeConn(nil, true)
	if err != nil {
		select {
		case <-e.aborted: // the abort closed the link under the handshake
			return conn, &jobError{e.endState, e.endMsg}
		default:
		}
		return conn, err
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer conn.Close() // stops the reader and the writer
	defer e.out.close()
	writeErr := make(chan error, 1)
	e.linkDown = make(chan struct{})
	wg.Add(2)
	go func() {
		defer wg.Done()
		err := e.out.writeTo(conn, func() { conn.SetWriteDeadline(time.Now().Add(e.m.replTimeout())) })
		if err != nil {
			e.setLinkDown()
		}
		writeErr <- err
	}()
	go func() {
		defer wg.Done()
		defer e.setLinkDown()
		e.readControl(rr)
	}()
	if err := e.snapshot(); err != nil {
		return conn, err
	}
	return conn, e.finalize(conn, writeErr)
}

// handshake connects, authenticates and establishes the import.
func (e *exportJob) handshake() (net.Conn, *resp.ReplyReader, error) {
	addr, ok := e.m.nodeAddr(e.job.Target)
	if !ok {
		return nil, nil, e.fail("Unable to connect to target node: target node not found")
	}
	conn, err := e.m.env.Dial(addr, 5*time.Second)
	if err != nil {
		return nil, nil, e.fail("Unable to connect to target node: " + dialReason(err))
	}
	e.setHandshakeConn(conn, true)
	boundSendBuffer(conn)
	rr := resp.NewReplyReader(conn)
	conn.SetDeadline(time.Now().Add(e.m.replTimeout()))
	if pass, _ := e.m.env.Config.Get("primaryauth"); pass != "" {
		e.job.setState(StateSendingAuth, "")
		args := [][]byte{[]byte("AUTH")}
		if user, _ := e.m.env.Config.Get("primaryuser"); user != "" {
			args = append(args, []byte(user))
		}
		if _, err := conn.Write(appendArgv(nil, append(args, []byte(pass)))); err != nil {
			return conn, nil, e.fail("Failed to send AUTH command to target node: " + err.Error())
		}
		e.job.setState(StateReadingAuth, "")
		r, err := rr.ReadReply()
		if err != nil {
			return conn, nil, e.fail("Target node did not respond to AUTH command")
		}
		if r.Type == resp.TypeError {
			return conn, nil, e.fail("Failed to AUTH to target node: " + r.Str)
		}
	}
	e.job.setState(StateSendingEstablish, "")
	if _, err := conn.Write(appendArgv(nil, e.establishArgs())); err != nil {
		return conn, nil, e.fail(MsgConnLostTarget)
	}
	e.job.setState(StateReadingEstablish, "")
	r, err := rr.ReadReply()
	if err != nil {
		return conn, nil, e.fail(MsgConnLostTarget)
	}
	if r.Type == resp.TypeError {
		return conn, nil, e.fail("Received error during handshake to target: " + r.Str)
	}
	conn.SetDeadline(time.Time{})
	e.job.ack(time.Now())
	return conn, rr, nil
}

func dialReason(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	if msg == "connection refused" {
		return "Connection refused"
	}
	return msg
}

func (e *exportJob) establishArgs() [][]byte {
	args := [][]byte{[]byte("CLUSTER"), []byte("SYNCSLOTS"), []byte("ESTABLISH"),
		[]byte("SOURCE"), []byte(e.job.Source), []byte("NAME"), []byte(e.job.Name), []byte("SLOTSRANGE")}
	for _, r := range e.job.Ranges {
		args = append(args, []byte(strconv.Itoa(r.Start)), []byte(strconv.Itoa(r.End)))
	}
	// Shoal extension: the size of what will move, so that a target
	// without room refuses at once instead of running out of memory.
	size := e.m.env.KS.SlotsMemory(e.slots)
	return append(args, []byte("SIZE"), []byte(strconv.FormatInt(size, 10)))
}

// readControl forwards the target's CLUSTER SYNCSLOTS messages to run; a
// closed or broken link is reported as "".
func (e *exportJob) readControl(rr *resp.ReplyReader) {
	defer close(e.ctrl)
	for {
		r, err := rr.ReadReply()
		if err != nil {
			return
		}
		if len(r.Elems) >= 3 && strings.EqualFold(r.Elems[1].Str, "SYNCSLOTS") {
			msg := strings.ToUpper(r.Elems[2].Str)
			for _, a := range r.Elems[3:] {
				msg += " " + a.Str
			}
			if msg == "ACK" {
				// Recorded here, not by run: during the snapshot nobody
				// reads ctrl, and the target's liveness still counts.
				e.job.ack(time.Now())
				continue
			}
			if epoch, ok := strings.CutPrefix(msg, "CLAIMED "); ok {
				// Applied here; run still hears of it (and returns).
				e.claimFromLink(epoch)
			}
			select {
			case e.ctrl <- msg:
			case <-e.aborted:
				return
			}
		}
	}
}

// snapshot streams the slots' contents; writes made meanwhile follow in
// the same buffer.
func (e *exportJob) snapshot() error {
	e.job.setState(StateSnapshotting, "")
	ks := e.m.env.KS
	sn := ks.StartSnapshot(keyspace.SnapshotOptions{
		Slots:    e.slots,
		Consumer: e.out,
		AtCut:    func() { ks.AddSink(e.out) },
		Pace:     e.pace,
	})
	defer sn.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-e.aborted:
			cancel()
		case <-ctx.Done():
		}
	}()
	err := sn.Run(ctx)
	p := sn.Progress()
	e.job.updateProgress(func(pr *Progress) { pr.Keys = p.Keys })
	if err != nil {
		if e.endState != "" {
			return &jobError{e.endState, e.endMsg}
		}
		var je *jobError
		if errors.As(err, &je) {
			return je
		}
		return e.fail(MsgSnapshotFailed)
	}
	e.out.control("SNAPSHOT-EOF")
	e.job.transition(StateSnapshotting, StateReplicating)
	return nil
}

// pace keeps the snapshot from outrunning the link and notices the end of
// the job while the walk runs.
func (e *exportJob) pace() error {
	e.snapshotAck()
	if e.rate > 0 {
		e.throttle()
	}
	for e.out.pending() > paceBytes {
		if err := e.checkAlive(); err != nil {
			return err
		}
		e.out.waitBelow(paceBytes, 100*time.Millisecond)
	}
	return e.checkAlive()
}

// checkAlive fails the job on abort, a dead or silent link, buffer
// overrun or lost ownership. The snapshot's walker calls it too: a target
// that dies or freezes mid-snapshot must not leave it waiting for room in
// a buffer nobody drains.
func (e *exportJob) checkAlive() error {
	select {
	case <-e.aborted:
		return &jobError{e.endState, e.endMsg}
	case <-e.linkDown:
		return e.fail(MsgConnLostTarget)
	default:
	}
	// A source that was itself frozen (SIGSTOP) or starved for a while
	// waits a second before judging the target's silence: the link may
	// say what happened meanwhile (the target gave up and closed it),
	// which is the better message.
	now := time.Now()
	if !e.lastCheck.IsZero() && now.Sub(e.lastCheck) > time.Second {
		e.graceUntil = now.Add(time.Second)
	}
	e.lastCheck = now
	if now.After(e.graceUntil) && e.job.sinceAck(now) > e.m.replTimeout() {
		return e.fail(MsgTimeout)
	}
	if e.out.overrunNow() {
		return e.fail(MsgBufferOverrun)
	}
	if e.out.flushedNow() {
		return e.fail(MsgFlushed)
	}
	e.job.updateProgress(func(p *Progress) {
		p.Bytes = e.out.sentBytes()
		p.Buffered = e.out.pending()
		p.PeakBuffer = e.out.peakBytes()
	})
	if !e.m.ownsAll(e.slots) {
		return e.fail(MsgNotOwnedMyself)
	}
	return nil
}

// finalize follows the target's requests: pause, grant, and wait to see it
// own the slots.
func (e *exportJob) finalize(link net.Conn, writeErr <-chan error) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	lastAck := time.Now()
	for {
		st := e.job.State()
		if st == StateFailoverGranted {
			if e.m.targetOwnsAll(e.job.Target, e.slots) {
				e.endPause() // now, not after the link's teardown
				return nil
			}
			// Never resume the writes on a timer once granted: the
			// target may have claimed the slots (export_grant.go).
			if !e.linkLost && time.Now().After(e.deadline) {
				e.giveUp(link)
			}
			if e.linkLost {
				if err := e.settleGrant(); err != nil {
					return err
				}
			}
		} else if err := e.checkAlive(); err != nil {
			return err
		}
		if e.isPaused() && st == StateFailoverPaused && time.Now().After(e.deadline) {
			return e.fail(MsgPauseTimeout)
		}
		if st == StateWaitingPause {
			e.tryPause()
		}
		select {
		case <-e.aborted:
			return &jobError{e.endState, e.endMsg}
		case err := <-writeErr:
			if st == StateFailoverGranted {
				e.linkLost = true // the grant is out: wait for the topology or the target's word
				continue
			}
			_ = err
			return e.fail(MsgConnLostTarget)
		case msg, ok := <-e.ctrl:
			if !ok {
				if st == StateFailoverGranted {
					e.ctrl, e.linkLost = nil, true // keep waiting for the topology
					continue
				}
				return e.fail(MsgConnLostTarget)
			}
			e.job.ack(time.Now())
			if err := e.onControl(msg); err != nil {
				return err
			}
			if e.isGranted() || e.job.State() == StateWaitingPause {
				// The pause is due as soon as the queue drains, and once
				// granted, writers wait for the target's claim: watch both
				// every millisecond rather than every tick.
				tick.Reset(time.Millisecond)
			}
		case now := <-tick.C:
			if now.Sub(lastAck) >= time.Second {
				lastAck = now
				e.out.control("ACK")
			}
		}
	}
}

func (e *exportJob) onControl(msg string) error {
	switch msg {
	case "ACK":
	case "REQUEST-PAUSE":
		e.job.transition(StateReplicating, StateWaitingPause)
		e.tryPause()
	case "REQUEST-FAILOVER":
		if e.m.PreventFailover.Load() {
			return nil // held paused until the deadline (tests)
		}
		if !e.isPaused() || time.Now().After(e.deadline) {
			return e.fail(MsgUnpausedEarly)
		}
		if min := time.Now().Add(2 * time.Second); e.deadline.Before(min) {
			e.deadline = min
		}
		e.tRequest = time.Now()
		// Granted before the grant can reach the target: its CLAIMED may
		// come back at once, to the reader goroutine.
		e.hoMu.Lock()
		e.granted = true
		e.hoMu.Unlock()
		e.out.controlNow("FAILOVER-GRANTED")
		// Writes to the slots are paused, so the stream is complete; the
		// DELs of the slots' keys once the target owns them must not
		// follow it.
		e.m.env.KS.RemoveSink(e.out)
		e.job.transition(StateFailoverPaused, StateFailoverGranted)
	default:
		if strings.HasPrefix(msg, "CLAIMED ") && e.isGranted() {
			return nil // applied by the reader (claimFromLink)
		}
		return e.fail(MsgUnknownSyncSlot)
	}
	return nil
}

// adoptClaim applies the target's claim (CLAIMED epoch, a Shoal
// extension) to our topology at once, so that the paused writers are
// released to -MOVED without waiting for the target's gossip — as soon as
// our routes show it, before nodes.conf is saved. A claim that cannot be
// applied is only logged: the gossip still delivers it.
func (e *exportJob) adoptClaim(epoch string) {
	release := func() {
		if e.m.targetOwnsAll(e.job.Target, e.slots) {
			e.endPause()
		}
	}
	n, err := strconv.ParseUint(epoch, 10, 64)
	if err == nil && e.m.env.AdoptClaim != nil {
		err = e.m.env.AdoptClaim(e.job.Target, n, e.slots, release)
	}
	if err != nil {
		e.m.env.Log.Warn("slot migration: adopting the target's claim failed", "job", e.job.Name, "err", err)
	}
	release() // no AdoptClaim, or the claim was already known
}

// tryPause pauses writes to the slots once the target has (almost) all of
// the stream, then marks the point in the stream with PAUSED.
func (e *exportJob) tryPause() {
	if e.isPaused() || e.m.PreventPause.Load() {
		return
	}
	if e.m.pause.any.Load() != 0 {
		return // another export is handing over: one at a time (handover.go)
	}
	limit := e.m.env.Config.Int("slot-migration-max-failover-repl-bytes")
	if limit >= 0 && e.out.pending() > limit {
		return
	}
	e.m.pause.pause(e.slots)
	// The barrier: a write that took its slot lock before the pause is
	// applied and streamed before PAUSED; every later one sees the pause.
	ks := e.m.env.KS
	for _, s := range e.slots {
		ks.LockSlot(s)
		ks.UnlockSlot(s) //nolint:staticcheck // an empty critical section is the point
	}
	e.hoMu.Lock()
	e.paused = true
	e.hoMu.Unlock()
	start := time.Now()
	e.deadline = start.Add(e.m.pauseLength())
	e.out.controlNow("PAUSED")
	e.job.mu.Lock()
	e.job.pauseStart = start
	e.job.mu.Unlock()
	e.job.transition(StateWaitingPause, StateFailoverPaused)
}

// endPause releases the writers of the job's slots and records how long
// they waited. Once the target owns the slots they get -MOVED, so the
// pause ends as soon as our routes say so.
func (e *exportJob) endPause() {
	e.hoMu.Lock()
	was := e.paused
	e.paused = false
	e.hoMu.Unlock()
	if !was {
		return
	}
	e.job.recordPause(time.Now())
	e.m.pause.unpause(e.slots)
}

func (e *exportJob) isPaused() bool {
	e.hoMu.Lock()
	defer e.hoMu.Unlock()
	return e.paused
}

func (e *exportJob) isGranted() bool {
	e.hoMu.Lock()
	defer e.hoMu.Unlock()
	return e.granted
}

func (e *exportJob) claimedAt() time.Time {
	e.hoMu.Lock()
	defer e.hoMu.Unlock()
	return e.tClaimed
}

// claimFromLink applies the target's CLAIMED on the reader goroutine:
// our topology learns the claim and, once it shows the target owning the
// slots, the paused writers are released to -MOVED — without waiting
// for run to be scheduled (under load each goroutine hop of the
// hand-over cost up to milliseconds of the pause). It reports whether it
// handled the message; one that came before the grant is left to run,
// which fails the job.
func (e *exportJob) claimFromLink(epoch string) bool {
	e.hoMu.Lock()
	ok := e.granted
	if ok {
		e.tClaimed = time.Now()
	}
	e.hoMu.Unlock()
	if !ok {
		return false
	}
	e.adoptClaim(epoch)
	return true
}

func (j *Job) recordPause(end time.Time) {
	j.mu.Lock()
	if !j.pauseStart.IsZero() {
		j.progress.PauseMicros = end.Sub(j.pauseStart).Microseconds()
	}
	j.mu.Unlock()
}

// String names a job for logs.
func (e *exportJob) String() string {
	return fmt.Sprintf("export %s %s -> %s", e.job.Name, FormatRanges(e.job.Ranges), e.job.Target)
}

// linkKernelBuffer bounds the link's socket buffers (the target bounds
// its receive side). The pause starts once the output queue is empty, but
// bytes in the kernel's buffers are not applied yet either: autotuned on
// loopback they held megabytes under load, and the target applied them
// inside the write pause (PAUSED to REQUEST-FAILOVER took 5-9 ms). Small
// buffers keep that backlog in the queue, where the pause waits it out.
const linkKernelBuffer = 256 << 10

// boundSendBuffer applies linkKernelBuffer to a TCP link.
func boundSendBuffer(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(linkKernelBuffer)
	}
}
