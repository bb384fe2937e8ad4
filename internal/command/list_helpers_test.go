package command_test

import (
	"context"
	"errors"
	"net"
	"reflect"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/resp"
	"github.com/shoal-db/shoal/internal/server"
	"github.com/shoal-db/shoal/internal/testutil"
)

// listEnv is a server with go-redis clients for the list tests.
type listEnv struct {
	t   *testing.T
	srv *server.Server
	rdb *redis.Client
	ctx context.Context
}

func newListEnv(t *testing.T, directives ...string) *listEnv {
	t.Helper()
	srv := testutil.StartServer(t, directives...)
	e := &listEnv{t: t, srv: srv, ctx: context.Background()}
	e.rdb = e.client(2)
	return e
}

// client returns a new single-connection client, so that a blocked call
// holds its own connection.
func (e *listEnv) client(proto int) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: e.srv.Addr(), Protocol: proto, PoolSize: 1,
		ReadTimeout: -1, ContextTimeoutEnabled: true})
	e.t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// do runs a command on the main client; want is the reply, nil for a
// null, or an error text.
func (e *listEnv) do(want any, args ...any) {
	e.t.Helper()
	listCheck(e.t, e.rdb.Do(e.ctx, args...), want, args)
}

type listErr string

func listCheck(t *testing.T, cmd *redis.Cmd, want any, args []any) {
	t.Helper()
	got, err := cmd.Result()
	switch w := want.(type) {
	case nil:
		if !errors.Is(err, redis.Nil) {
			t.Errorf("%v: got (%#v, %v), want null", args, got, err)
		}
	case listErr:
		if err == nil || err.Error() != string(w) {
			t.Errorf("%v: got (%#v, %v), want error %q", args, got, err, string(w))
		}
	default:
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%v: got (%#v, %v), want %#v", args, got, err, want)
		}
	}
}

// listResult is the outcome of a command run in the background.
type listResult struct {
	val any
	err error
}

// async runs args on rdb in a goroutine; the reply arrives on the channel.
func (e *listEnv) async(rdb *redis.Client, args ...any) <-chan listResult {
	ch := make(chan listResult, 1)
	go func() {
		v, err := rdb.Do(e.ctx, args...).Result()
		ch <- listResult{v, err}
	}()
	return ch
}

// blockN starts a blocking command on a new client and waits until the
// server counts n blocked clients, so arrival order is certain.
func (e *listEnv) blockN(n int64, args ...any) <-chan listResult {
	e.t.Helper()
	ch := e.async(e.client(2), args...)
	e.waitBlocked(n)
	return ch
}

func (e *listEnv) waitBlocked(n int64) {
	e.t.Helper()
	testutil.WaitFor(e.t, 5*time.Second, "blocked clients", func() bool {
		return e.srv.Node().BlockedClients() == n
	})
}

// recv waits for a background reply and compares it.
func (e *listEnv) recv(ch <-chan listResult, want any) {
	e.t.Helper()
	select {
	case r := <-ch:
		switch w := want.(type) {
		case nil:
			if !errors.Is(r.err, redis.Nil) {
				e.t.Errorf("got (%#v, %v), want null", r.val, r.err)
			}
		case listErr:
			if r.err == nil || r.err.Error() != string(w) {
				e.t.Errorf("got (%#v, %v), want error %q", r.val, r.err, string(w))
			}
		default:
			if r.err != nil || !reflect.DeepEqual(r.val, want) {
				e.t.Errorf("got (%#v, %v), want %#v", r.val, r.err, want)
			}
		}
	case <-time.After(10 * time.Second):
		e.t.Fatalf("no reply (want %#v)", want)
	}
}

// noReply checks that a background command is still waiting.
func (e *listEnv) noReply(ch <-chan listResult) {
	e.t.Helper()
	select {
	case r := <-ch:
		e.t.Fatalf("unexpected reply (%#v, %v)", r.val, r.err)
	default:
	}
}

// listRaw is a raw RESP connection, for reply shapes a client library
// would normalize (null vs null array) and for pipelining.
type listRaw struct {
	t  *testing.T
	nc net.Conn
	w  *resp.Writer
	rr *resp.ReplyReader
}

func (e *listEnv) raw() *listRaw {
	e.t.Helper()
	nc, err := net.Dial("tcp", e.srv.Addr())
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = nc.Close() })
	return &listRaw{t: e.t, nc: nc, w: resp.NewWriter(nc), rr: resp.NewReplyReader(nc)}
}

// send writes commands (pipelined) without reading.
func (r *listRaw) send(cmds ...[]string) {
	r.t.Helper()
	for _, argv := range cmds {
		r.w.ArrayLen(len(argv))
		for _, a := range argv {
			r.w.BulkString(a)
		}
	}
	if err := r.w.Flush(); err != nil {
		r.t.Fatal(err)
	}
}

// read reads one reply and returns its RESP bytes.
func (r *listRaw) read() string {
	r.t.Helper()
	_ = r.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	rep, err := r.rr.ReadReply()
	if err != nil {
		r.t.Fatalf("read: %v", err)
	}
	return string(rep.AppendRESP(nil))
}

func (r *listRaw) expect(want string) {
	r.t.Helper()
	if got := r.read(); got != want {
		r.t.Fatalf("reply %q, want %q", got, want)
	}
}

func (r *listRaw) do(want string, argv ...string) {
	r.t.Helper()
	r.send(argv)
	r.expect(want)
}
