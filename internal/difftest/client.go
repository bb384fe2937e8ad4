package difftest

import (
	"fmt"
	"net"
	"time"

	"github.com/shoal-db/shoal/internal/resp"
)

// Client is a minimal RESP client: it writes requests with resp.Writer
// and parses replies with resp.ReplyReader, so that the suite sees the
// bytes the server sent and nothing a client library normalized.
type Client struct {
	nc      net.Conn
	w       *resp.Writer
	rr      *resp.ReplyReader
	Timeout time.Duration
}

// Dial connects to addr.
func Dial(addr string) (*Client, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("difftest: dial %s: %w", addr, err)
	}
	return &Client{nc: nc, w: resp.NewWriter(nc), rr: resp.NewReplyReader(nc), Timeout: 10 * time.Second}, nil
}

// Send writes one request as a multibulk array.
func (c *Client) Send(argv ...string) error {
	c.w.ArrayLen(len(argv))
	for _, a := range argv {
		c.w.BulkString(a)
	}
	if err := c.nc.SetWriteDeadline(time.Now().Add(c.Timeout)); err != nil {
		return fmt.Errorf("difftest: %w", err)
	}
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("difftest: send: %w", err)
	}
	return nil
}

// Read reads one reply.
func (c *Client) Read() (*resp.Reply, error) { return c.ReadTimeout(c.Timeout) }

// ReadTimeout reads one reply, waiting at most d.
func (c *Client) ReadTimeout(d time.Duration) (*resp.Reply, error) {
	if err := c.nc.SetReadDeadline(time.Now().Add(d)); err != nil {
		return nil, fmt.Errorf("difftest: %w", err)
	}
	r, err := c.rr.ReadReply()
	if err != nil {
		return nil, fmt.Errorf("difftest: read reply: %w", err)
	}
	return r, nil
}

// Do sends one request and reads its reply.
func (c *Client) Do(argv ...string) (*resp.Reply, error) {
	if err := c.Send(argv...); err != nil {
		return nil, err
	}
	return c.Read()
}

// Close closes the connection.
func (c *Client) Close() error { return c.nc.Close() }
