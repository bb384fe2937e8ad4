package server

import (
	"net"
	"sync"
	"syscall"

	"github.com/shoal-db/shoal/internal/netyield"
)

// writeCombiner sends the replies of the connections that finished a
// batch of commands in the same scheduling round back to back, from one
// goroutine, the way Valkey's event loop writes every pending client in
// beforeSleep.
//
// Why: a client process (redis-benchmark, a proxy, an application's
// event loop) sleeps in epoll_wait between replies. A write that finds it
// asleep wakes it, and on a virtual machine that wake-up is an
// inter-processor interrupt costing microseconds of the writer's own CPU.
// With one goroutine per connection each connection wrote its reply as
// soon as its batch ran, between other connections' batches, so the
// client went back to sleep between replies and nearly every write paid
// the wake-up: half of the server's kernel time under redis-benchmark -P
// 16, against a tenth for Valkey. Written in a burst, the first write
// wakes the client and the rest find it running.
//
// A connection submits itself after its batch and waits until its bytes
// were handed to the kernel. The combiner then yields once, so that the
// other connections that were ready in this round run their batches and
// join, and writes them all. A write never blocks the combiner: the
// socket is non-blocking, and what the kernel does not take is written by
// the connection goroutine itself, blocking as before.
type writeCombiner struct {
	mu     sync.Mutex
	queue  []*conn // guarded by mu
	closed bool    // guarded by mu
	wake   chan struct{}
	stop   <-chan struct{}
	// yield ends the loop's wait for a round (nil: runtime.Gosched).
	yield *netyield.Yielder
}

func newWriteCombiner(stop <-chan struct{}) *writeCombiner {
	wc := &writeCombiner{wake: make(chan struct{}, 1), stop: stop}
	// Without descriptors the combiner yields with Gosched, as it did
	// before: correct, only slower to notice parked connections.
	wc.yield, _ = netyield.New()
	return wc
}

// submit queues c's buffered replies and waits until the combiner wrote
// what the kernel would take (c.sent, c.sendErr).
func (wc *writeCombiner) submit(c *conn, write bool) submitResult {
	c.combineWrite = write
	wc.mu.Lock()
	if wc.closed {
		wc.mu.Unlock()
		return submitStopped
	}
	wc.queue = append(wc.queue, c)
	first := len(wc.queue) == 1
	wc.mu.Unlock()
	if first {
		select {
		case wc.wake <- struct{}{}:
		default:
		}
	}
	select {
	case <-c.flushed:
		return submitWritten
	case <-c.closed:
		return submitClosed
	}
}

type submitResult int

const (
	submitWritten submitResult = iota
	submitStopped              // the combiner is stopping; nothing was queued
	submitClosed               // the connection closed while queued
)

// loop is the combiner goroutine, owned by the Server (wg) and stopped by
// its stop channel. Connections still queued at that point are released
// by their own close (Server.Close closes every connection).
func (wc *writeCombiner) loop(done func()) {
	defer done()
	defer wc.yield.Close()
	var batch []*conn
	for {
		select {
		case <-wc.stop:
			wc.mu.Lock()
			wc.closed = true
			wc.mu.Unlock()
			return
		case <-wc.wake:
		}
		// Let the connections that are runnable now finish their batches
		// and queue behind the first. The yield is to the network
		// (netyield), not Gosched: it ends with a poll of the network,
		// which also wakes the connections parked in the runtime's
		// poller whose clients have sent more. While the combiner's rounds
		// keep the one P busy nothing else polls but sysmon, every 10 ms:
		// a Go trace of redis-benchmark -P 16 showed 279 connections
		// parked 3-27 ms with input waiting, woken by sysmon, which was
		// the test's p99 (design 0011).
		wc.yield.Yield()
		wc.mu.Lock()
		batch, wc.queue = wc.queue, batch[:0]
		wc.mu.Unlock()
		writes := 0
		for _, c := range batch {
			if c.combineWrite {
				c.sendNonBlocking()
				writes++
			}
		}
		for i, c := range batch {
			c.roundWrites = writes
			batch[i] = nil
			c.flushed <- struct{}{}
		}
	}
}

// sendNonBlocking writes as much of c's buffered replies as the socket
// takes without waiting, recording the count in c.sent. It runs on the
// combiner goroutine while the connection goroutine waits in submit, so
// the two never touch the buffer at once.
func (c *conn) sendNonBlocking() {
	c.sent, c.sendErr = 0, nil
	if err := c.raw.Write(c.rawWrite); err != nil && c.sendErr == nil {
		c.sendErr = err
	}
}

// doRawWrite is sendNonBlocking's callback, bound once per connection as a
// method value (a closure per call would allocate, and garbage here is
// what wakes the collector in a workload that otherwise makes none).
func (c *conn) doRawWrite(fd uintptr) bool {
	if e := rawWriteFrom(fd, c.w.Bytes(), &c.sent); e != 0 && e != syscall.EAGAIN {
		c.sendErr = e
	}
	return true
}

// busyRoundSpins is how many rounds a connection whose replies went out in
// a busy round (more than one connection writing) keeps polling its
// socket through the combiner before it parks in the runtime's network
// poller. Why: the Go scheduler consults the network poller only when it
// has nothing else to run, or every 10 ms from sysmon, so while the
// combiner's rounds keep a P busy, a connection parked there waited up to
// 17 ms for input that had long arrived (redis-benchmark -P 16: p99 8.6 ms
// against Valkey's 2.4). A client in a request-reply loop sends its next
// request about one round after its reply; two rounds cover it, and a
// connection that goes quiet costs two empty reads.
const busyRoundSpins = 2

// readWhileBusy is the connection's read while the server is busy: a
// non-blocking read, and on EAGAIN a turn in the combiner's next round
// instead of the runtime's poller, at most c.spins times. ok is false when
// the caller should do a normal (blocking) read.
func (c *conn) readWhileBusy(b []byte) (n int, err error, ok bool) {
	for c.spins > 0 {
		c.spins--
		n, err = c.readSocket(b, false)
		if err != syscall.EAGAIN {
			c.spins = 0
			return n, err, true
		}
		c.waited = true // a turn in the round: the others ran
		switch c.s.combiner.submit(c, false) {
		case submitClosed:
			return 0, net.ErrClosed, true
		case submitStopped:
			c.spins = 0
		}
	}
	return 0, nil, false
}
