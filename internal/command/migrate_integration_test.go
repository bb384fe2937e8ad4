package command_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/server"
	"github.com/shoal-db/shoal/internal/testutil"
)

// migrateRaw speaks RESP by hand so that replies are checked byte for byte.
type migrateRaw struct {
	t  *testing.T
	c  net.Conn
	rd *bufio.Reader
}

func migrateDial(t *testing.T, addr string) *migrateRaw {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &migrateRaw{t: t, c: c, rd: bufio.NewReader(c)}
}

func (r *migrateRaw) send(args ...string) {
	r.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := r.c.Write([]byte(b.String())); err != nil {
		r.t.Fatal(err)
	}
}

// reply reads one whole reply (nested aggregates included) as raw bytes.
func (r *migrateRaw) reply() string {
	r.t.Helper()
	got, err := r.tryReply()
	if err != nil {
		r.t.Fatalf("read: %v", err)
	}
	return got
}

// tryReply is reply for goroutines other than the test's.
func (r *migrateRaw) tryReply() (string, error) {
	_ = r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := r.rd.ReadString('\n')
	if err != nil {
		return "", err
	}
	switch line[0] {
	case '$':
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		if n < 0 {
			return line, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r.rd, buf); err != nil {
			return "", err
		}
		return line + string(buf), nil
	case '*':
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		for i := 0; i < n; i++ {
			sub, err := r.tryReply()
			if err != nil {
				return "", err
			}
			line += sub
		}
	}
	return line, nil
}

func (r *migrateRaw) expect(want string, args ...string) {
	r.t.Helper()
	r.send(args...)
	if got := r.reply(); got != want {
		r.t.Fatalf("%q: got %q, want %q", args, got, want)
	}
}

func (r *migrateRaw) int(args ...string) int64 {
	r.t.Helper()
	r.send(args...)
	got := r.reply()
	n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(got, ":")), 10, 64)
	if err != nil || got[0] != ':' {
		r.t.Fatalf("%q: got %q, want an integer", args, got)
	}
	return n
}

func migratePair(t *testing.T, directives ...string) (*server.Server, *server.Server, *migrateRaw, *migrateRaw) {
	src := testutil.StartServer(t, directives...)
	dst := testutil.StartServer(t, directives...)
	return src, dst, migrateDial(t, src.Addr()), migrateDial(t, dst.Addr())
}

func portOf(s *server.Server) string { return strconv.Itoa(s.Port()) }

// MIGRATE's replies and errors, in Valkey's order of checks.
func TestMigrateReplies(t *testing.T) {
	_, dst, s, d := migratePair(t)
	p := portOf(dst)
	s.expect("+OK\r\n", "SET", "a", "1")
	s.expect("+OK\r\n", "SET", "b", "2")
	s.expect("+OK\r\n", "MIGRATE", "127.0.0.1", p, "", "0", "1000", "KEYS", "a", "b", "missing")
	s.expect(":0\r\n", "EXISTS", "a", "b")
	d.expect("$1\r\n1\r\n", "GET", "a")
	d.expect("$1\r\n2\r\n", "GET", "b")
	s.expect("+NOKEY\r\n", "MIGRATE", "127.0.0.1", p, "a", "0", "1000")
	s.expect("+NOKEY\r\n", "MIGRATE", "127.0.0.1", p, "", "0", "1000", "KEYS")

	s.expect("+OK\r\n", "SET", "a", "5")
	s.expect("-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n",
		"MIGRATE", "127.0.0.1", p, "a", "0", "1000")
	s.expect("$1\r\n5\r\n", "GET", "a") // kept on a target error
	s.expect("+OK\r\n", "MIGRATE", "127.0.0.1", p, "a", "0", "1000", "COPY", "REPLACE")
	s.expect("$1\r\n5\r\n", "GET", "a") // COPY keeps the source key
	d.expect("$1\r\n5\r\n", "GET", "a")

	for _, tc := range []struct {
		want string
		args []string
	}{
		{"-ERR When using MIGRATE KEYS option, the key argument must be set to the empty string\r\n",
			[]string{"a", "0", "1000", "KEYS", "b"}},
		{"-ERR syntax error\r\n", []string{"", "0", "1000", "COPY", "REPLACE", "AUTH"}},
		{"-ERR syntax error\r\n", []string{"", "0", "1000", "AUTH2", "user"}},
		{"-ERR syntax error\r\n", []string{"a", "0", "1000", "FOO"}},
		{"-ERR value is not an integer or out of range\r\n", []string{"a", "x", "y"}},
		{"-ERR value is not an integer or out of range\r\n", []string{"a", "x", "1000"}},
		{"-ERR Target instance replied with error: ERR DB index is out of range\r\n", []string{"a", "99", "1000"}},
		{"-ERR Target instance replied with error: ERR AUTH <password> called without any password configured " +
			"for the default user. Are you sure your configuration is correct?\r\n", []string{"a", "0", "1000", "AUTH", "pw"}},
	} {
		s.expect(tc.want, append([]string{"MIGRATE", "127.0.0.1", p}, tc.args...)...)
	}
	s.expect("-ERR wrong number of arguments for 'migrate' command\r\n", "MIGRATE", "127.0.0.1", p, "a", "0")
	// A refused connection fails on the write, as with Valkey's blocking
	// connect; an unresolvable host fails to connect.
	closed := testutil.StartServer(t)
	closedPort := portOf(closed)
	_ = closed.Close()
	s.expect("-IOERR error or timeout writing to target instance\r\n", "MIGRATE", "127.0.0.1", closedPort, "a", "0", "1000")
	s.expect("-IOERR error or timeout connecting to the client\r\n", "MIGRATE", "nosuchhost.invalid", p, "a", "0", "1000")
	s.expect("$1\r\n5\r\n", "GET", "a")
	// RESTORE-ASKING is RESTORE with the asking flag.
	s.expect("-ERR DUMP payload version or checksum are wrong\r\n", "RESTORE-ASKING", "x", "0", "junk")
	s.expect("-ERR This instance has cluster support disabled\r\n", "ASKING")
}

// MIGRATE moves every type with its TTL into the destination database,
// SELECTs it once per cached connection, and reports the connection in
// INFO.
func TestMigrateTypesTTLAndDatabases(t *testing.T) {
	_, dst, s, d := migratePair(t)
	p := portOf(dst)
	s.expect("+OK\r\n", "SET", "str", "v", "EX", "100")
	s.expect(":3\r\n", "RPUSH", "list", "a", "b", "c")
	s.expect(":2\r\n", "HSET", "hash", "f", "1", "g", "2")
	s.expect(":2\r\n", "SADD", "set", "x", "y")
	s.expect(":2\r\n", "ZADD", "zset", "1", "m", "2", "n")
	s.expect("+OK\r\n", "MIGRATE", "127.0.0.1", p, "", "3", "5000", "KEYS", "str", "list", "hash", "set", "zset")
	s.expect(":0\r\n", "DBSIZE")
	d.expect(":0\r\n", "DBSIZE")
	d.expect("+OK\r\n", "SELECT", "3")
	d.expect(":5\r\n", "DBSIZE")
	if ttl := d.int("TTL", "str"); ttl < 98 || ttl > 100 {
		t.Fatalf("TTL after MIGRATE = %d", ttl)
	}
	d.expect("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "LRANGE", "list", "0", "-1")
	d.expect("$1\r\n2\r\n", "HGET", "hash", "g")
	d.expect(":2\r\n", "SCARD", "set")
	d.expect("$1\r\n2\r\n", "ZSCORE", "zset", "n")

	s.expect("+OK\r\n", "SET", "again", "1")
	s.expect("+OK\r\n", "MIGRATE", "127.0.0.1", p, "again", "3", "5000")
	s.expect("+OK\r\n", "SET", "db0", "1")
	s.expect("+OK\r\n", "MIGRATE", "127.0.0.1", p, "db0", "0", "5000")
	// Three MIGRATEs on one cached connection: SELECT 3, then SELECT 0.
	info := migrateInfo(t, d, "commandstats")
	if !strings.Contains(info, "cmdstat_select:calls=3,") { // 2 from MIGRATE, 1 from this test
		t.Fatalf("SELECT calls on the target:\n%s", info)
	}
	if !strings.Contains(migrateInfo(t, s, "stats"), "migrate_cached_sockets:1\r\n") {
		t.Fatalf("migrate_cached_sockets after MIGRATE:\n%s", migrateInfo(t, s, "stats"))
	}
	d.expect("+OK\r\n", "SELECT", "0")
	d.expect("$1\r\n1\r\n", "GET", "db0")
}

func migrateInfo(t *testing.T, r *migrateRaw, section string) string {
	t.Helper()
	r.send("INFO", section)
	return r.reply()
}

// The AUTH arguments never show in SLOWLOG, and AUTH2 reaches the target.
func TestMigrateAuthRedacted(t *testing.T) {
	_, dst, s, d := migratePair(t)
	p := portOf(dst)
	d.expect("+OK\r\n", "CONFIG", "SET", "requirepass", "sekret")
	s.expect("+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "0")
	s.expect("+OK\r\n", "SET", "k", "v")
	s.expect("-ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is disabled.\r\n",
		"MIGRATE", "127.0.0.1", p, "k", "0", "1000", "AUTH", "wrong")
	s.expect("+OK\r\n", "MIGRATE", "127.0.0.1", p, "k", "0", "1000", "AUTH2", "default", "sekret")
	s.send("SLOWLOG", "GET", "10")
	log := s.reply()
	if strings.Contains(log, "sekret") || strings.Contains(log, "wrong") || !strings.Contains(log, "(redacted)") {
		t.Fatalf("SLOWLOG shows MIGRATE credentials:\n%q", log)
	}
	fresh := migrateDial(t, dst.Addr())
	fresh.expect("-NOAUTH Authentication required.\r\n", "GET", "k")
	fresh.expect("+OK\r\n", "AUTH", "sekret")
	fresh.expect("$1\r\nv\r\n", "GET", "k")
}

// A cached connection the target closed is replaced transparently; a
// target that stops answering makes MIGRATE fail after its timeout, with
// the key still on the source.
func TestMigrateReconnectAndTimeout(t *testing.T) {
	_, dst, s, d := migratePair(t)
	p := portOf(dst)
	s.expect("+OK\r\n", "SET", "k1", "v")
	s.expect("+OK\r\n", "MIGRATE", "127.0.0.1", p, "k1", "0", "1000")
	d.send("CLIENT", "KILL", "SKIPME", "yes")
	if got := d.reply(); got != ":1\r\n" {
		t.Fatalf("CLIENT KILL: %q", got)
	}
	s.expect("+OK\r\n", "SET", "k2", "v")
	s.expect("+OK\r\n", "MIGRATE", "127.0.0.1", p, "k2", "0", "1000")
	d.expect(":2\r\n", "EXISTS", "k1", "k2")

	silent := migrateSilentTarget(t)
	s.expect("+OK\r\n", "SET", "k3", "v")
	start := time.Now()
	s.expect("-IOERR error or timeout reading to target instance\r\n", "MIGRATE", "127.0.0.1", silent, "k3", "0", "200")
	if el := time.Since(start); el < 150*time.Millisecond || el > 5*time.Second {
		t.Fatalf("MIGRATE timed out after %v, want about 200ms", el)
	}
	s.expect("$1\r\nv\r\n", "GET", "k3")
}

// migrateSilentTarget listens, reads whatever arrives and never replies.
func migrateSilentTarget(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// While MIGRATE waits for the target, the migrating key's slot is locked
// (a client sees the key before, or the redirection after, never both
// sides) and other slots keep serving. The effect propagates as DEL.
func TestMigrateHoldsOnlyItsSlot(t *testing.T) {
	src := testutil.StartServer(t)
	sink := &recSink{}
	src.Keyspace().AddSink(sink)
	target, release := migrateGatedTarget(t)
	s := migrateDial(t, src.Addr())
	s.expect("+OK\r\n", "SET", "{a}k", "v")
	s.expect("+OK\r\n", "SET", "{b}k", "w")
	sink.take()
	done := make(chan string, 1)
	m := migrateDial(t, src.Addr())
	m.send("MIGRATE", "127.0.0.1", target, "", "0", "5000", "KEYS", "{a}k")
	go func() {
		r, err := m.tryReply()
		done <- fmt.Sprint(r, err)
	}()
	other := migrateDial(t, src.Addr())
	same := migrateDial(t, src.Addr())
	testutil.WaitFor(t, 5*time.Second, "MIGRATE in flight", func() bool {
		return strings.Contains(migrateInfo(t, other, "stats"), "migrate_cached_sockets:1\r\n")
	})
	other.expect("$1\r\nw\r\n", "GET", "{b}k") // another slot: served at once
	same.send("GET", "{a}k")                   // the migrating slot: waits
	got := make(chan string, 1)
	go func() {
		r, err := same.tryReply()
		got <- fmt.Sprint(r, err)
	}()
	select {
	case r := <-got:
		t.Fatalf("GET on the migrating slot answered %q during the transfer", r)
	case <-time.After(100 * time.Millisecond):
	}
	release()
	if r := <-done; r != "+OK\r\n<nil>" {
		t.Fatalf("MIGRATE: %q", r)
	}
	if r := <-got; r != "$-1\r\n<nil>" {
		t.Fatalf("GET after MIGRATE: %q", r)
	}
	if eff := sink.take(); len(eff) != 1 || eff[0] != "DEL {a}k" {
		t.Fatalf("propagated %q, want [DEL {a}k]", eff)
	}
}

// migrateGatedTarget answers +OK to SELECT at once and to RESTORE only
// after release is called.
func migrateGatedTarget(t *testing.T) (port string, release func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	accepted := make(chan net.Conn, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		accepted <- c
		defer c.Close()
		rd := bufio.NewReader(c)
		for {
			argv, err := migrateReadArgv(rd)
			if err != nil {
				return
			}
			if strings.EqualFold(argv[0], "restore") {
				<-gate
			}
			if _, err := c.Write([]byte("+OK\r\n")); err != nil {
				return
			}
		}
	}()
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(func() {
		release()
		ln.Close()
		select {
		case c := <-accepted:
			c.Close()
		default:
		}
		wg.Wait()
	})
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), release
}

func migrateReadArgv(rd *bufio.Reader) ([]string, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
	argv := make([]string, n)
	for i := range argv {
		if line, err = rd.ReadString('\n'); err != nil {
			return nil, err
		}
		l, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		buf := make([]byte, l+2)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return nil, err
		}
		argv[i] = string(buf[:l])
	}
	return argv, nil
}
