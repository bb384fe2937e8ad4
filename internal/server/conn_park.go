package server

import (
	"errors"
	"net"
	"os"
	"time"

	"github.com/shoal-db/shoal/internal/resp"
)

// Parking: while a client waits in a blocking command (BLPOP...), its
// connection goroutine is parked inside Exec and nobody reads its socket,
// so a peer that hangs up would only be noticed when the wait ends — with
// timeout 0, never, and a push could even be served to the dead client.
// Valkey notices at once because its event loop keeps reading a blocked
// client's socket into the query buffer. Park does the same: a watcher
// goroutine reads the socket into a side buffer, which the connection's
// reader consumes first once the command completes, so no input is lost
// or reordered; end of file or a read error closes the connection, which
// unblocks the client. The watcher stops reading (but the wait goes on)
// after parkedInputLimit bytes, leaving further input to TCP flow control.

// parkedInputLimit bounds what a parked client's watcher buffers.
const parkedInputLimit = 1 << 20

// parkedInput is the connection's read side: the bytes a watcher read
// while the client was parked, then the socket. Only the connection
// goroutine reads it, and only when no watcher runs (Park's unpark waits
// for the watcher to stop), so it needs no lock.
type parkedInput struct {
	nc   net.Conn
	c    *conn
	side []byte
}

func (p *parkedInput) Read(b []byte) (int, error) {
	if len(p.side) > 0 {
		n := copy(b, p.side)
		p.side = p.side[n:]
		if len(p.side) == 0 {
			p.side = nil
		}
		return n, nil
	}
	if p.c.raw == nil {
		p.c.waited = true // unknown: never counted as a busy streak
		return p.nc.Read(b)
	}
	if p.c.spins > 0 {
		if n, err, ok := p.c.readWhileBusy(b); ok {
			return n, err
		}
	}
	return p.c.readSocket(b, true)
}

// Park implements the command package's parking hook. It sends the
// replies buffered so far (those of commands pipelined before the blocking
// one, which the client may be waiting for) and starts the watcher; the
// returned function stops it and restores the socket for normal reads.
func (c *conn) Park(w *resp.Writer) (unpark func()) {
	c.flush()
	// Everything buffered was sent: the blocking command's reply will be
	// the only content of the writer, whatever mark serve took before.
	c.parkFlushed = true
	stop := make(chan struct{})
	done := make(chan struct{})
	go c.watchPeer(stop, done)
	return func() {
		close(stop)
		_ = c.nc.SetReadDeadline(time.Now()) // wake the watcher's Read
		<-done
		_ = c.nc.SetReadDeadline(time.Time{})
	}
}

// watchPeer reads the parked client's socket until stop, closing the
// connection when the peer goes away.
func (c *conn) watchPeer(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	var buf [4096]byte
	for len(c.input.side) < parkedInputLimit {
		n, err := c.nc.Read(buf[:])
		c.input.side = append(c.input.side, buf[:n]...)
		if err == nil {
			continue
		}
		select {
		case <-stop:
			return
		default:
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return
		}
		if !errors.Is(err, net.ErrClosed) {
			c.s.log.Debug("blocked client went away", "client", c.client.Addr, "err", err)
		}
		c.Close()
		return
	}
}
