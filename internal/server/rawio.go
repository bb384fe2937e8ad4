package server

import (
	"io"
	"syscall"
	"unsafe"
)

// Client socket I/O with raw system calls.
//
// The net package enters every read and write through the runtime's
// syscall gate (entersyscall/exitsyscall). When a call outlasts a sysmon
// tick (20 µs; on this VM a write that must wake the client with an
// inter-processor interrupt often does), sysmon hands the P to another
// thread, waking it with a futex, and the first thread, back from the
// kernel, finds its P gone and parks again. A cluster node serving a
// third of redis-benchmark's clients counted 1.6 context switches, 0.6
// futex calls and 0.36 sysmon sleeps per request that way. The client
// socket is non-blocking, so its calls never wait in the kernel: they are
// made raw (syscall.RawSyscall, no gate), through syscall.RawConn so that
// the runtime's poller still does the waiting, deadlines and close
// included. A write is cut into rawChunk pieces so that one call never
// holds its P for long.

// rawChunk bounds the bytes of one raw write.
const rawChunk = 256 << 10

// rawRW is one read(2) or write(2) on fd, retried on EINTR.
func rawRW(trap uintptr, fd uintptr, b []byte) (int, syscall.Errno) {
	for {
		n, _, e := syscall.RawSyscall(trap, fd, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(n), 0
	}
}

// readSocket is one raw read. When wait is set and the socket has nothing
// yet, it waits in the runtime's poller (RawConn.Read calls the callback
// again once the socket is readable); otherwise it returns EAGAIN at once
// (readWhileBusy). End of file is io.EOF.
func (c *conn) readSocket(b []byte, wait bool) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	c.rbuf, c.rwait, c.rn, c.rerr = b, wait, 0, nil
	err := c.raw.Read(c.rawRead)
	c.rbuf = nil
	switch {
	case err != nil:
		return 0, err
	case c.rerr != nil:
		return 0, c.rerr
	case c.rn == 0:
		return 0, io.EOF
	}
	return c.rn, nil
}

func (c *conn) doRawRead(fd uintptr) bool {
	n, e := rawRW(syscall.SYS_READ, fd, c.rbuf)
	if e == syscall.EAGAIN && c.rwait {
		c.waited = true
		return false
	}
	c.rn = n
	if e != 0 {
		c.rerr = e
	}
	return true
}

// socketWriter is the connection writer's destination: whole writes with
// raw system calls, waiting in the poller while the socket is full.
type socketWriter struct{ c *conn }

func (w socketWriter) Write(b []byte) (int, error) {
	c := w.c
	c.wbuf, c.wn, c.werr = b, 0, nil
	err := c.raw.Write(c.rawWriteWait)
	n := c.wn
	c.wbuf = nil
	if err == nil {
		err = c.werr
	}
	return n, err
}

func (c *conn) doRawWriteWait(fd uintptr) bool {
	e := rawWriteFrom(fd, c.wbuf, &c.wn)
	if e == syscall.EAGAIN {
		return false
	}
	if e != 0 {
		c.werr = e
	}
	return true
}

// rawWriteFrom writes b[*off:] in pieces of at most rawChunk bytes,
// advancing *off, until it is all written or a call fails (EAGAIN
// included, which the caller either waits out or leaves to another
// writer).
func rawWriteFrom(fd uintptr, b []byte, off *int) syscall.Errno {
	for *off < len(b) {
		chunk := b[*off:]
		if len(chunk) > rawChunk {
			chunk = chunk[:rawChunk]
		}
		n, e := rawRW(syscall.SYS_WRITE, fd, chunk)
		if e != 0 {
			return e
		}
		*off += n
	}
	return 0
}
