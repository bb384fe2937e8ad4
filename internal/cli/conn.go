package cli

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/shoal-db/shoal/internal/resp"
)

// ConnOptions say how to reach and prepare a connection.
type ConnOptions struct {
	User, Password string
	DB             int
	RESP3          bool
	DialTimeout    time.Duration // 0: 5 s
	ReadTimeout    time.Duration // per reply; 0: wait forever, like redis-cli
}

// Conn is one RESP connection to a node. It is not safe for concurrent
// use: every goroutine that talks to a node dials its own.
type Conn struct {
	addr string
	nc   net.Conn
	bw   *bufio.Writer
	rr   *resp.ReplyReader
	opts ConnOptions
	db   int
}

// ReplyError is an error reply from a server, kept apart from transport
// errors so callers can tell "the node said no" from "the node is gone".
type ReplyError struct{ Msg string }

func (e *ReplyError) Error() string { return e.Msg }

// IsReplyError reports whether err is (or wraps) an error reply whose text
// starts with prefix ("" matches any).
func IsReplyError(err error, prefix string) bool {
	var re *ReplyError
	return errors.As(err, &re) && strings.HasPrefix(re.Msg, prefix)
}

// Dial connects to addr and runs the handshake: AUTH, HELLO 3, SELECT.
func Dial(addr string, o ConnOptions) (*Conn, error) {
	timeout := o.DialTimeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("could not connect to %s: %w", addr, err)
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		// Long MIGRATEs and idle interactive sessions: let the kernel
		// notice a dead peer, as redis-cli does with its keepalive.
		_ = tc.SetKeepAlivePeriod(15 * time.Second)
	}
	c := &Conn{addr: addr, nc: nc, bw: bufio.NewWriterSize(nc, 16<<10), rr: resp.NewReplyReader(nc), opts: o}
	if err := c.handshake(); err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

func (c *Conn) handshake() error {
	if c.opts.Password != "" {
		args := []string{"AUTH", c.opts.Password}
		if c.opts.User != "" {
			args = []string{"AUTH", c.opts.User, c.opts.Password}
		}
		if _, err := c.Call(args...); err != nil {
			return fmt.Errorf("AUTH failed: %w", err)
		}
	}
	if c.opts.RESP3 {
		if _, err := c.Call("HELLO", "3"); err != nil {
			return fmt.Errorf("HELLO 3 failed: %w", err)
		}
	}
	if c.opts.DB != 0 {
		if err := c.Select(c.opts.DB); err != nil {
			return err
		}
	}
	return nil
}

// Addr is the address the connection was dialled to.
func (c *Conn) Addr() string { return c.addr }

// DB is the database the connection has selected.
func (c *Conn) DB() int { return c.db }

// Close closes the connection.
func (c *Conn) Close() error { return c.nc.Close() }

// Select switches database when it differs from the current one.
func (c *Conn) Select(db int) error {
	if db == c.db {
		return nil
	}
	if _, err := c.Call("SELECT", strconv.Itoa(db)); err != nil {
		return fmt.Errorf("SELECT %d on %s: %w", db, c.addr, err)
	}
	c.db = db
	return nil
}

// Send buffers one command; Flush and Receive complete a pipeline.
func (c *Conn) Send(args ...string) {
	c.bw.WriteByte('*')
	c.bw.WriteString(strconv.Itoa(len(args)))
	c.bw.WriteString("\r\n")
	for _, a := range args {
		c.bw.WriteByte('$')
		c.bw.WriteString(strconv.Itoa(len(a)))
		c.bw.WriteString("\r\n")
		c.bw.WriteString(a)
		c.bw.WriteString("\r\n")
	}
}

// Flush writes the buffered commands.
func (c *Conn) Flush() error {
	if err := c.bw.Flush(); err != nil {
		return fmt.Errorf("write to %s: %w", c.addr, err)
	}
	return nil
}

// Receive reads one reply (error replies are replies, not errors).
// RESP3 push messages are skipped: nothing here subscribes.
func (c *Conn) Receive() (*resp.Reply, error) {
	for {
		if c.opts.ReadTimeout > 0 {
			_ = c.nc.SetReadDeadline(time.Now().Add(c.opts.ReadTimeout))
		}
		r, err := c.rr.ReadReply()
		if err != nil {
			return nil, fmt.Errorf("read from %s: %w", c.addr, err)
		}
		if r.Type != resp.TypePush {
			return r, nil
		}
	}
}

// Do sends one command and returns its reply, error replies included.
func (c *Conn) Do(args ...string) (*resp.Reply, error) {
	c.Send(args...)
	if err := c.Flush(); err != nil {
		return nil, err
	}
	return c.Receive()
}

// Call is Do with error replies turned into *ReplyError.
func (c *Conn) Call(args ...string) (*resp.Reply, error) {
	r, err := c.Do(args...)
	if err != nil {
		return nil, err
	}
	if r.IsError() {
		return r, &ReplyError{Msg: r.Str}
	}
	return r, nil
}

// Pipeline sends every command in one write and returns every reply
// (error replies included), in order.
func (c *Conn) Pipeline(cmds [][]string) ([]*resp.Reply, error) {
	for _, a := range cmds {
		c.Send(a...)
	}
	if err := c.Flush(); err != nil {
		return nil, err
	}
	out := make([]*resp.Reply, len(cmds))
	for i := range cmds {
		r, err := c.Receive()
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// String runs a command whose reply is a string (status, bulk, verbatim).
func (c *Conn) String(args ...string) (string, error) {
	r, err := c.Call(args...)
	if err != nil {
		return "", err
	}
	return r.Str, nil
}

// Int runs a command whose reply is an integer.
func (c *Conn) Int(args ...string) (int64, error) {
	r, err := c.Call(args...)
	if err != nil {
		return 0, err
	}
	if r.Type != resp.TypeInt {
		return 0, fmt.Errorf("%s %s: expected an integer, got %s", c.addr, args[0], r)
	}
	return r.Int, nil
}

// OK runs a command and only cares that it did not fail.
func (c *Conn) OK(args ...string) error {
	_, err := c.Call(args...)
	return err
}
