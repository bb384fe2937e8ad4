package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// Fixed request prefixes: the command name never changes, only the key
// and the value do.
var (
	setPrefix    = []byte("*3\r\n$3\r\nSET\r\n")
	getPrefix    = []byte("*2\r\n$3\r\nGET\r\n")
	askingPrefix = []byte("*1\r\n$6\r\nASKING\r\n")
)

// appendBulk appends one RESP bulk string.
func appendBulk(dst, b []byte) []byte {
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, int64(len(b)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

// appendCommand appends argv as a RESP array of bulk strings.
func appendCommand(dst []byte, argv ...string) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(argv)), 10)
	dst = append(dst, '\r', '\n')
	for _, a := range argv {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// reply is what the benchmark needs to know about one reply: its type,
// whether it is a null, an error's text, and its size on the wire. Values
// themselves are skipped.
type reply struct {
	typ   byte
	null  bool
	err   string
	bytes int
}

// errProtocol marks a reply stream we cannot parse; the connection is
// dropped.
var errProtocol = errors.New("loadgen: protocol error in reply")

// maxDepth bounds nesting of aggregate replies.
const maxDepth = 64

// readReply scans one reply from br into r.
func readReply(br *bufio.Reader, r *reply) error {
	*r = reply{}
	return scanReply(br, r, 0, true)
}

func scanReply(br *bufio.Reader, r *reply, depth int, top bool) error {
	line, err := br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return fmt.Errorf("%w: line longer than %d bytes", errProtocol, br.Size())
		}
		return err
	}
	r.bytes += len(line)
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return fmt.Errorf("%w: bad line %q", errProtocol, line)
	}
	typ, body := line[0], line[1:len(line)-2]
	if top {
		r.typ = typ
	}
	switch typ {
	case '+', ':', ',', '#', '(':
		return nil
	case '-':
		if top {
			r.err = string(body)
		}
		return nil
	case '_':
		r.null = r.null || top
		return nil
	case '$', '=', '!':
		n, err := strconv.ParseInt(string(body), 10, 64)
		if err != nil || n < -1 {
			return fmt.Errorf("%w: bad length %q", errProtocol, body)
		}
		if n == -1 {
			r.null = r.null || top
			return nil
		}
		if top && typ == '!' {
			return readBlobError(br, r, int(n))
		}
		d, err := br.Discard(int(n) + 2)
		r.bytes += d
		return err
	case '*', '%', '~', '>', '|':
		return scanAggregate(br, r, typ, body, depth, top)
	}
	return fmt.Errorf("%w: unknown type %q", errProtocol, typ)
}

func scanAggregate(br *bufio.Reader, r *reply, typ byte, body []byte, depth int, top bool) error {
	n, err := strconv.ParseInt(string(body), 10, 64)
	if err != nil || n < -1 || depth >= maxDepth {
		return fmt.Errorf("%w: bad aggregate header %q", errProtocol, body)
	}
	if n == -1 {
		r.null = r.null || top
		return nil
	}
	if typ == '%' || typ == '|' {
		n *= 2
	}
	for i := int64(0); i < n; i++ {
		if err := scanReply(br, r, depth+1, false); err != nil {
			return err
		}
	}
	if typ == '|' { // an attribute precedes the real reply
		return scanReply(br, r, depth, top)
	}
	return nil
}

func readBlobError(br *bufio.Reader, r *reply, n int) error {
	buf := make([]byte, n+2)
	if _, err := io.ReadFull(br, buf); err != nil {
		return err
	}
	r.bytes += n + 2
	r.err = string(buf[:n])
	return nil
}

// wconn is one client's connection to one node. Only the owning client
// goroutine uses it; the run's context closes it (through a deadline) to
// unblock a pending read at the end of the run.
type wconn struct {
	addr string
	nc   net.Conn
	br   *bufio.Reader
	out  []byte
	// pending are the indexes (into the client's batch) of the requests
	// written and not yet answered, in order.
	pending []int
	stop    func() bool
}

// dialOptions are what every new connection does before carrying load.
type dialOptions struct {
	timeout        time.Duration
	user, password string
	db             int
}

// dial connects to addr and authenticates/selects as configured. The
// connection's reads and writes fail as soon as ctx is done.
func dial(ctx context.Context, addr string, o dialOptions) (*wconn, error) {
	d := net.Dialer{Timeout: o.timeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	c := &wconn{addr: addr, nc: nc, br: bufio.NewReaderSize(nc, 64<<10)}
	c.stop = context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Unix(1, 0)) })
	if err := c.handshake(o); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// handshake sends AUTH and SELECT when configured and checks the replies.
func (c *wconn) handshake(o dialOptions) error {
	var cmds [][]string
	if o.password != "" {
		if o.user != "" {
			cmds = append(cmds, []string{"AUTH", o.user, o.password})
		} else {
			cmds = append(cmds, []string{"AUTH", o.password})
		}
	}
	if o.db != 0 {
		cmds = append(cmds, []string{"SELECT", strconv.Itoa(o.db)})
	}
	for _, argv := range cmds {
		c.out = appendCommand(c.out[:0], argv...)
		if err := c.flush(); err != nil {
			return err
		}
		var r reply
		if err := readReply(c.br, &r); err != nil {
			return fmt.Errorf("%s %s: %w", c.addr, argv[0], err)
		}
		if r.err != "" {
			return fmt.Errorf("%s %s: %s", c.addr, argv[0], r.err)
		}
	}
	return nil
}

// flush writes the buffered requests.
func (c *wconn) flush() error {
	if len(c.out) == 0 {
		return nil
	}
	_, err := c.nc.Write(c.out)
	c.out = c.out[:0]
	if err != nil {
		return fmt.Errorf("write %s: %w", c.addr, err)
	}
	return nil
}

func (c *wconn) close() {
	if c.stop != nil {
		c.stop()
	}
	_ = c.nc.Close()
}
