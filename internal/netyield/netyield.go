package netyield

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// A Yielder belongs to one goroutine at a time: the runtime lets one reader
// wait on a descriptor, so goroutines that yield concurrently need a
// Yielder each. The zero value and a nil Yielder fall back to
// runtime.Gosched.
type Yielder struct {
	r, w  *os.File // a non-blocking pipe; r is registered with the poller
	rc    syscall.RawConn
	rfd   uintptr
	wfd   uintptr
	armed bool
	buf   [64]byte
	read  func(fd uintptr) bool // y.onReadable, bound once: no allocation per Yield
}

// New returns a Yielder, or an error when the process is out of
// descriptors (the caller may then use a nil Yielder).
func New() (*Yielder, error) {
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		return nil, fmt.Errorf("netyield: pipe: %w", err)
	}
	for _, fd := range p {
		syscall.CloseOnExec(fd)
		if err := syscall.SetNonblock(fd, true); err != nil {
			syscall.Close(p[0])
			syscall.Close(p[1])
			return nil, fmt.Errorf("netyield: non-blocking pipe: %w", err)
		}
	}
	// os.NewFile registers a non-blocking descriptor with the poller.
	y := &Yielder{r: os.NewFile(uintptr(p[0]), "netyield-r"), w: os.NewFile(uintptr(p[1]), "netyield-w"),
		rfd: uintptr(p[0]), wfd: uintptr(p[1])}
	rc, err := y.r.SyscallConn()
	if err != nil {
		y.Close()
		return nil, fmt.Errorf("netyield: %w", err)
	}
	y.rc = rc
	y.read = y.onReadable
	return y, nil
}

// MaxWait bounds a Yield. The runtime polls the network as soon as a P
// has nothing to run, or from sysmon every 10 ms: while every P stays busy
// an unbounded yield would wait for sysmon, and a background task that
// yields often (the slot dropper, a snapshot walk) would crawl — a drop of
// a thousand slots took seconds under the race detector's load. The
// deadline's timer is checked at every scheduling decision, so the caller
// is back within about MaxWait even then.
const MaxWait = 500 * time.Microsecond

// Yield returns after the runtime has next polled the network, having run
// whatever that poll made runnable, or after about MaxWait when the
// scheduler stays too busy to poll. When the P has nothing else to run the
// poll is immediate, so an idle process loses a few microseconds.
func (y *Yielder) Yield() {
	if y == nil || y.rc == nil {
		runtime.Gosched()
		return
	}
	y.armed = false
	_ = y.r.SetReadDeadline(time.Now().Add(MaxWait))
	switch err := y.rc.Read(y.read); {
	case err == nil:
	case errors.Is(err, os.ErrDeadlineExceeded):
		// Our byte may still be unread: leave the pipe empty, so that the
		// next Yield's write makes a fresh edge.
		y.drain(y.rfd)
	default:
		// Closed under us. The descriptor number may already belong to
		// another file, so it is not touched.
		runtime.Gosched()
	}
}

// onReadable is the RawConn.Read callback. The first call makes the pipe
// readable and returns false, so RawConn.Read parks in the poller until a
// poll reports it; the second drains the pipe. The byte is written here,
// after RawConn.Read has reset the descriptor's ready state, and not
// before the call: a poll between an earlier write and that reset would
// consume the only edge and leave the caller parked for good.
func (y *Yielder) onReadable(fd uintptr) bool {
	if !y.armed {
		y.armed = true
		y.buf[0] = 1
		if raw(syscall.SYS_WRITE, y.wfd, y.buf[:1]) == 1 {
			return false
		}
		// The pipe is full (wakes were missed): no new edge would come,
		// so do not park.
	}
	y.drain(fd)
	return true
}

// drain empties the pipe (a closed descriptor reads as an error, ending
// it at once).
func (y *Yielder) drain(fd uintptr) {
	for raw(syscall.SYS_READ, fd, y.buf[:]) == len(y.buf) {
	}
}

// raw is one read(2) or write(2) without the runtime's syscall gate: the
// pipe never blocks, so the call cannot hold the P for long. It returns
// the count, or -1 on error (EAGAIN on an empty pipe included).
func raw(trap, fd uintptr, b []byte) int {
	for {
		n, _, e := syscall.RawSyscall(trap, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return -1
		}
		return int(n)
	}
}

// Close releases the descriptors. The Yielder must not be in use.
func (y *Yielder) Close() error {
	if y == nil {
		return nil
	}
	var err error
	if y.r != nil {
		err = y.r.Close()
	}
	if y.w != nil {
		if e := y.w.Close(); err == nil {
			err = e
		}
	}
	return err
}
