package command_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// clientLine matches a CLIENT LIST / CLIENT INFO line field by field, in
// Valkey 9's order.
var clientLine = regexp.MustCompile(`^id=(\d+) addr=(\S+) laddr=(\S+) fd=-?\d+ name=(\S*) age=\d+ idle=\d+ ` +
	`flags=([A-Za-z]+) capa=\S* db=(\d+) sub=\d+ psub=\d+ ssub=\d+ multi=-?\d+ watch=\d+ qbuf=\d+ ` +
	`qbuf-free=\d+ argv-mem=\d+ multi-mem=\d+ rbs=\d+ rbp=\d+ obl=\d+ oll=\d+ omem=\d+ tot-mem=\d+ ` +
	`events=r cmd=(\S+) user=default redir=-1 resp=([23]) lib-name=(\S*) lib-ver=(\S*)$`)

func clientLines(t *testing.T, rdb *redis.Client, args ...any) []string {
	t.Helper()
	txt, err := rdb.Do(context.Background(), append([]any{"client", "list"}, args...)...).Text()
	if err != nil {
		t.Fatalf("CLIENT LIST %v: %v", args, err)
	}
	if txt == "" {
		return nil
	}
	if !strings.HasSuffix(txt, "\n") {
		t.Fatalf("CLIENT LIST does not end with a newline: %q", txt)
	}
	lines := strings.Split(strings.TrimSuffix(txt, "\n"), "\n")
	for _, l := range lines {
		if !clientLine.MatchString(l) {
			t.Fatalf("malformed CLIENT LIST line:\n%s", l)
		}
	}
	return lines
}

func lineField(line, field string) string {
	for _, kv := range strings.Split(line, " ") {
		if k, v, _ := strings.Cut(kv, "="); k == field {
			return v
		}
	}
	return ""
}

func TestClientBasics(t *testing.T) {
	srv := startAdmin(t)
	ctx := context.Background()
	rdb := newClient(t, srv, 2)
	id, err := rdb.ClientID(ctx).Result()
	if err != nil || id <= 0 {
		t.Fatalf("CLIENT ID = %d, %v", id, err)
	}
	if _, err := rdb.ClientGetName(ctx).Result(); err != redis.Nil {
		t.Errorf("CLIENT GETNAME without a name: %v, want nil", err)
	}
	do(t, rdb, "client", "setname", "worker-1")
	if n, _ := rdb.ClientGetName(ctx).Result(); n != "worker-1" {
		t.Errorf("CLIENT GETNAME = %q", n)
	}
	wantErr(t, rdb, "ERR Client names cannot contain spaces, newlines or special characters.",
		"client", "setname", "a b")
	do(t, rdb, "client", "setinfo", "LIB-NAME", "mylib")
	do(t, rdb, "client", "setinfo", "lib-ver", "1.2.3")
	wantErr(t, rdb, "ERR LIB-NAME cannot contain spaces, newlines or special characters.",
		"client", "setinfo", "LIB-NAME", "my lib")
	wantErr(t, rdb, "ERR Unrecognized option 'foo'", "client", "setinfo", "foo", "x")
	do(t, rdb, "select", "3")
	do(t, rdb, "client", "no-evict", "on")
	do(t, rdb, "client", "no-touch", "ON")
	info, err := rdb.ClientInfo(ctx).Result() // go-redis parses the line
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != id || info.Name != "worker-1" || info.DB != 3 || info.LibName != "mylib" ||
		info.LibVer != "1.2.3" || info.LastCmd != "client|info" || info.Resp != 2 {
		t.Errorf("CLIENT INFO = %+v", info)
	}
	raw := do(t, rdb, "client", "info").(string)
	if !strings.HasSuffix(raw, "\n") || !clientLine.MatchString(strings.TrimSuffix(raw, "\n")) {
		t.Errorf("CLIENT INFO = %q", raw)
	}
	if flags := lineField(raw, "flags"); flags != "eT" {
		t.Errorf("flags = %q, want eT (no-evict, no-touch)", flags)
	}
	do(t, rdb, "client", "no-evict", "off")
	do(t, rdb, "client", "no-touch", "off")
	if flags := lineField(do(t, rdb, "client", "info").(string), "flags"); flags != "N" {
		t.Errorf("flags = %q, want N", flags)
	}
	wantErr(t, rdb, "ERR syntax error", "client", "no-evict", "maybe")
	wantErr(t, rdb, "ERR unknown subcommand 'foo'. Try CLIENT HELP.", "client", "foo")
	wantErr(t, rdb, "ERR wrong number of arguments for 'client|getname' command", "client", "getname", "x")
	help, err := rdb.Do(ctx, "client", "help").StringSlice()
	if err != nil || !strings.HasPrefix(help[0], "CLIENT <subcommand>") {
		t.Errorf("CLIENT HELP = %q, %v", help, err)
	}
}

func TestClientListFilters(t *testing.T) {
	srv := startAdmin(t)
	ctx := context.Background()
	a, b := newClient(t, srv, 2), newClient(t, srv, 3)
	idA, _ := a.ClientID(ctx).Result()
	idB, _ := b.ClientID(ctx).Result()
	do(t, b, "client", "setname", "bee")
	do(t, b, "select", "2")
	lines := clientLines(t, a)
	if len(lines) != 2 {
		t.Fatalf("CLIENT LIST: %d lines, want 2:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	addrB := lineField(lines[1], "addr")
	count := func(args ...any) int { return len(clientLines(t, a, args...)) }
	cases := []struct {
		args []any
		want int
	}{
		{[]any{"id", idB}, 1},
		{[]any{"id", idA, idB}, 2},
		{[]any{"id", 999999}, 0},
		{[]any{"type", "normal"}, 2},
		{[]any{"type", "pubsub"}, 0},
		{[]any{"type", "replica"}, 0},
		{[]any{"name", "bee"}, 1},
		{[]any{"name", "nobody"}, 0},
		{[]any{"db", 2}, 1},
		{[]any{"skipme", "yes"}, 1},
		{[]any{"skipme", "no"}, 2},
		{[]any{"user", "default"}, 2},
		{[]any{"addr", addrB}, 1},
		{[]any{"laddr", srv.Addr()}, 2},
		{[]any{"ip", "127.0.0.1"}, 2},
		{[]any{"ip", "10.0.0.1"}, 0},
		{[]any{"flags", "N"}, 2},
		{[]any{"flags", "P"}, 0},
		{[]any{"maxage", 1000}, 0},
		{[]any{"idle", 1000}, 0},
		{[]any{"lib-name", "nope"}, 0},
		{[]any{"id", idB, "name", "bee", "db", 2}, 1},
		{[]any{"id", idB, "name", "other"}, 0},
	}
	for _, tc := range cases {
		if got := count(tc.args...); got != tc.want {
			t.Errorf("CLIENT LIST %v: %d clients, want %d", tc.args, got, tc.want)
		}
	}
	if l := clientLines(t, a, "id", idB)[0]; lineField(l, "name") != "bee" || lineField(l, "resp") != "3" ||
		lineField(l, "db") != "2" {
		t.Errorf("client b line: %s", l)
	}
	errs := []struct {
		msg  string
		args []any
	}{
		{"ERR syntax error", []any{"client", "list", "foo"}},
		{"ERR syntax error", []any{"client", "list", "id", "x"}},
		{"ERR client-id should be greater than 0", []any{"client", "list", "id", "0"}},
		{"ERR Unknown client type 'foo'", []any{"client", "list", "type", "foo"}},
		{"ERR No such user 'bob'", []any{"client", "list", "user", "bob"}},
		{"ERR maxage should be greater than 0", []any{"client", "list", "maxage", "0"}},
		{"ERR maxage is not an integer or out of range", []any{"client", "list", "maxage", "x"}},
		{"ERR idle should be greater than 0", []any{"client", "list", "idle", "-1"}},
		{"ERR Unknown flags found in the provided filter: xyz", []any{"client", "list", "flags", "xyz"}},
		{"ERR Unknown capa found in the provided filter: q", []any{"client", "list", "capa", "q"}},
		{"ERR DB is not an integer or out of range", []any{"client", "list", "db", "x"}},
		{"ERR DB number should be between 0 and 15", []any{"client", "list", "db", "16"}},
		{"ERR syntax error", []any{"client", "list", "skipme", "maybe"}},
		{"ERR syntax error", []any{"client", "list", "name"}},
	}
	for _, e := range errs {
		wantErr(t, a, e.msg, e.args...)
	}
}

// rawConn is a bare RESP connection for checking bytes and closes.
type rawConn struct {
	c  net.Conn
	rd *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{c: c, rd: bufio.NewReader(c)}
}

func (r *rawConn) send(t *testing.T, args ...string) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := r.c.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
}

func (r *rawConn) line(t *testing.T) string {
	t.Helper()
	_ = r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	l, err := r.rd.ReadString('\n')
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return l
}

// bulk reads a bulk string reply.
func (r *rawConn) bulk(t *testing.T) string {
	t.Helper()
	hdr := r.line(t)
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(hdr, "$")))
	if !strings.HasPrefix(hdr, "$") || err != nil {
		t.Fatalf("not a bulk string: %q", hdr)
	}
	buf := make([]byte, n+2)
	if _, err := io.ReadFull(r.rd, buf); err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func (r *rawConn) expectEOF(t *testing.T) {
	t.Helper()
	_ = r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if b, err := r.rd.ReadByte(); err != io.EOF {
		t.Fatalf("expected the connection to be closed, got %q, %v", b, err)
	}
}

func TestClientKill(t *testing.T) {
	srv := startAdmin(t)
	ctx := context.Background()
	admin := newClient(t, srv, 2)
	idAdmin, _ := admin.ClientID(ctx).Result()
	victim := dialRaw(t, srv.Addr())
	victim.send(t, "CLIENT", "ID")
	idVictim, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(victim.line(t), ":")), 10, 64)

	// New form: by ID, skipping the caller by default.
	if n := do(t, admin, "client", "kill", "id", idVictim); n != int64(1) {
		t.Errorf("CLIENT KILL ID = %v, want 1", n)
	}
	victim.expectEOF(t)
	testutil.WaitFor(t, 5*time.Second, "killed client leaves CLIENT LIST", func() bool {
		return len(clientLines(t, admin)) == 1
	})
	if n := do(t, admin, "client", "kill", "id", idAdmin); n != int64(0) {
		t.Errorf("CLIENT KILL ID self = %v, want 0 (SKIPME yes)", n)
	}
	if n := do(t, admin, "client", "kill", "type", "pubsub"); n != int64(0) {
		t.Errorf("CLIENT KILL TYPE pubsub = %v", n)
	}

	// Old form: by address, replies OK or an error.
	v2 := dialRaw(t, srv.Addr())
	v2.send(t, "PING")
	v2.line(t)
	var addr string
	for _, l := range clientLines(t, admin) {
		if lineField(l, "id") != strconv.FormatInt(idAdmin, 10) {
			addr = lineField(l, "addr")
		}
	}
	if got := do(t, admin, "client", "kill", addr); got != "OK" {
		t.Errorf("CLIENT KILL addr = %v", got)
	}
	v2.expectEOF(t)
	wantErr(t, admin, "ERR No such client", "client", "kill", "1.2.3.4:5")
	wantErr(t, admin, "ERR syntax error", "client", "kill", "id", "x")
	wantErr(t, admin, "ERR client-id should be greater than 0", "client", "kill", "id", "0")
	wantErr(t, admin, "ERR syntax error", "client", "kill", "foo", "bar")

	// Killing yourself: the reply arrives, then the connection closes.
	self := dialRaw(t, srv.Addr())
	self.send(t, "CLIENT", "KILL", "SKIPME", "no", "NAME", "nobody")
	if l := self.line(t); l != ":0\r\n" {
		t.Errorf("CLIENT KILL matching nobody = %q", l)
	}
	self.send(t, "CLIENT", "SETNAME", "me")
	self.line(t)
	self.send(t, "CLIENT", "KILL", "SKIPME", "no", "NAME", "me")
	if l := self.line(t); l != ":1\r\n" {
		t.Errorf("CLIENT KILL self = %q, want :1", l)
	}
	self.expectEOF(t)
	old := dialRaw(t, srv.Addr())
	old.send(t, "CLIENT", "INFO")
	info := old.bulk(t)
	old.send(t, "CLIENT", "KILL", lineField(strings.TrimSpace(info), "addr"))
	if l := old.line(t); l != "+OK\r\n" {
		t.Errorf("CLIENT KILL own addr = %q, want +OK", l)
	}
	old.expectEOF(t)
}

func TestClientPause(t *testing.T) {
	srv := startAdmin(t)
	ctx := context.Background()
	admin := newClient(t, srv, 2)
	writer, reader := newClient(t, srv, 2), newClient(t, srv, 2)
	wantErr(t, admin, "ERR CLIENT PAUSE mode must be WRITE or ALL", "client", "pause", "10", "foo")
	wantErr(t, admin, "ERR timeout is not an integer or out of range", "client", "pause", "abc")
	wantErr(t, admin, "ERR timeout is negative", "client", "pause", "-1")
	do(t, admin, "client", "pause", "100000", "write")
	done := make(chan error, 1)
	go func() { done <- writer.Set(ctx, "k", "v", 0).Err() }()
	// Reads are served during a WRITE pause.
	if _, err := reader.Get(context.Background(), "nope").Result(); err != nil && err != redis.Nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		t.Fatalf("SET finished during a write pause: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	do(t, admin, "client", "unpause")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SET still blocked after CLIENT UNPAUSE")
	}
}
