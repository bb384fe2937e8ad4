package command_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/testutil"
)

// TestStringsDifferentialRedis runs the same command script against
// redis-server 7.0 (when installed) and Shoal and compares the raw RESP2
// replies byte for byte. The script avoids the few places where Valkey 9
// deliberately differs from Redis 7.0 (SET with a past expire time, BITCOUNT
// with only a start index, GETEX argument-check order); those are pinned by
// the other tests.
func TestStringsDifferentialRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("differential test skipped in -short mode")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	script := strDiffScript(rand.New(rand.NewPCG(seed, 0)))

	redisAddr := startRedis(t, bin)
	srv := testutil.StartServer(t)
	a, b := stringsDialRaw(t, redisAddr), stringsDialRaw(t, srv.Addr())
	bad := 0
	for _, args := range script {
		ra, rb := a.do(t, args), b.do(t, args)
		if !bytes.Equal(ra, rb) {
			bad++
			t.Errorf("%q:\n redis: %q\n shoal: %q", args, ra, rb)
			if bad > 20 {
				t.Fatal("too many mismatches")
			}
		}
	}
	t.Logf("%d commands compared", len(script))
}

// startRedis runs redis-server on a free loopback port until the test ends.
func startRedis(t *testing.T, bin string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--protected-mode", "yes")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	testutil.WaitFor(t, 10*time.Second, "redis-server to accept connections", func() bool {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return false
		}
		defer c.Close()
		_, _ = c.Write([]byte("PING\r\n"))
		buf := make([]byte, 7)
		_ = c.SetReadDeadline(time.Now().Add(time.Second))
		_, err = io.ReadFull(c, buf)
		return err == nil && string(buf) == "+PONG\r\n"
	})
	return addr
}

type stringsRawConn struct {
	c net.Conn
	r *bufio.Reader
}

func stringsDialRaw(t *testing.T, addr string) *stringsRawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &stringsRawConn{c: c, r: bufio.NewReader(c)}
}

// do sends one command and returns the complete raw reply.
func (rc *stringsRawConn) do(t *testing.T, args []string) []byte {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	_ = rc.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := rc.c.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := readRawReply(rc.r, &out); err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return out.Bytes()
}

func readRawReply(r *bufio.Reader, out *bytes.Buffer) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	out.WriteString(line)
	n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
	switch line[0] {
	case '$':
		if n >= 0 {
			body := make([]byte, n+2)
			if _, err := io.ReadFull(r, body); err != nil {
				return err
			}
			out.Write(body)
		}
	case '*':
		for i := 0; i < n; i++ {
			if err := readRawReply(r, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// strDiffScript returns fixed edge cases followed by random operations.
func strDiffScript(rng *rand.Rand) [][]string {
	var s [][]string
	add := func(line string) { s = append(s, strings.Fields(line)) }
	for _, line := range strings.Split(strDiffFixed, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			add(line)
		}
	}
	floats := []string{"10.5", "0.1", "3.0e3", "5.0e3", "-0.1", "1e-20", "0", "1.5", "0.3", "1e308",
		"0x10", "0x1.8p1", "inf", "nan", "abc", "1e", ".5", "+5", "-0", "00012", "1e17", "123e-7",
		"99999999999999999999", "1.0000000000000000001", "3.14159265358979323846264338327950288", "1e4000"}
	for i, v := range floats {
		for j, inc := range floats {
			if rng.IntN(3) == 0 {
				k := fmt.Sprintf("f%d_%d", i, j)
				s = append(s, []string{"set", k, v}, []string{"incrbyfloat", k, inc}, []string{"get", k})
			}
		}
	}
	for i := 0; i < 400; i++ {
		s = append(s, []string{"incrbyfloat", fmt.Sprintf("chain%d", i%10),
			strconv.FormatFloat((rng.Float64()-0.5)*2000, 'f', rng.IntN(6), 64)})
	}
	for i := 0; i < 60; i++ {
		a, b := strRandDNA(rng), strRandDNA(rng)
		ka, kb := fmt.Sprintf("la%d", i), fmt.Sprintf("lb%d", i)
		s = append(s, []string{"mset", ka, a, kb, b}, []string{"lcs", ka, kb},
			[]string{"lcs", ka, kb, "idx", "withmatchlen", "minmatchlen", strconv.Itoa(rng.IntN(4))},
			[]string{"lcs", ka, kb, "len"})
	}
	for i := 0; i < 600; i++ {
		s = append(s, strRandBitOp(rng, fmt.Sprintf("bz%d", i%5)))
	}
	return s
}

func strRandDNA(rng *rand.Rand) string {
	b := make([]byte, rng.IntN(30))
	for i := range b {
		b[i] = "ACGT"[rng.IntN(4)]
	}
	return string(b)
}

func strRandBitOp(rng *rand.Rand, k string) []string {
	n := func(lo, hi int) string { return strconv.Itoa(lo + rng.IntN(hi-lo+1)) }
	unit := []string{"byte", "bit", "BIT"}[rng.IntN(3)]
	switch rng.IntN(9) {
	case 0:
		return []string{"setbit", k, n(0, 150), n(0, 1)}
	case 1:
		return []string{"getbit", k, n(0, 160)}
	case 2:
		return []string{"bitcount", k, n(-25, 25), n(-25, 25), unit}
	case 3:
		return []string{"bitpos", k, n(0, 1), n(-25, 25), n(-25, 25), unit}
	case 4:
		return []string{"bitpos", k, n(0, 1), n(-25, 25)}
	case 5:
		ty := []string{"i", "u"}[rng.IntN(2)] + n(1, 63)
		return []string{"bitfield", k, "overflow", []string{"wrap", "sat", "fail"}[rng.IntN(3)],
			[]string{"set", "incrby"}[rng.IntN(2)], ty, n(0, 90), strconv.FormatInt(rng.Int64N(1<<41)-1<<40, 10),
			"get", ty, n(0, 90)}
	case 6:
		return []string{"setrange", k, n(0, 20), []string{"x", "yz", "\x00\xff"}[rng.IntN(3)]}
	case 7:
		return []string{"getrange", k, n(-30, 30), n(-30, 30)}
	default:
		return []string{"bitop", []string{"and", "or", "xor"}[rng.IntN(3)], "bdst", k, "bz" + n(0, 4)}
	}
}

// strDiffFixed are hand-picked edge cases (one command per line, words
// separated by spaces, so values here contain no spaces).
const strDiffFixed = `
get k1
set k1 v1
set k1 v2 nx
set k1 v3 xx get
set k2 v xx
set k2 v nx nx
set k2 v xx nx
set k2 v ex 10 px 100
set k2 v ex 10 ex 20
set k2 v ex 10 keepttl
set k2 v keepttl persist
set k2 v ex
set k2 v ex abc
set k2 v ex 0
set k2 v px -1
set k2 v ex 9223372036854775807
set k2 v px 9223372036854775807
set k2 v exat 9223372036854776
set k2 v foo
set k2 v get
set k2 w get
set k2 x get nx
set k3 x get xx
setnx k5 a
setnx k5 b
setex k6 0 v
setex k6 abc v
psetex k6 0 v
psetex k6 100000 v
getset k7 a
getset k7 b
getdel k7
getdel k7
getex k8
set k8 hello
getex k8 ex 100
getex k8 persist
getex k8 persist ex 10
getex k8 keepttl
getex k8 ex 0
getex k8 foo
mget k1 k2 nokey k8
mset a1 1 a2 2
mset a1 1 a2
msetnx a1 1 a3 3
msetnx a3 3 a4 4
append ap1 hello
append ap1 world
strlen ap1
incr n1
incrby n1 10
decrby n1 5
incrby n1 abc
set n2 9223372036854775807
incr n2
set n3 -9223372036854775808
decr n3
decrby n3 -9223372036854775808
set n6 01
incr n6
setrange sr1 5 bar
setrange sr1 -1 x
setrange sr2 0 ""
setrange sr4 536870911 xy
setrange sr4 9223372036854775807 x
getrange sr1 -1 -3
getrange sr1 0 -100
getrange sr1 0 4294967297
substr sr1 0 2
setbit b1 7 1
setbit b1 7 1
setbit b1 -1 1
setbit b1 0 2
setbit b1 4294967296 1
getbit b1 4294967296
set bs foobar
bitcount bs 5 30 bit
bitcount bs -1 -3
bitcount bs 0 1 foo
bitpos bs 2
bitpos bs 0 0 1 foo
bitop not bd bs bs
bitop nand bd bs
bitfield bf get u64 0
bitfield bf get i65 0
bitfield bf get u8 #-1
bitfield bf overflow foo
bitfield bf foo
bitfield_ro bf set u8 0 1
lcs k1 k2 len idx
lcs k1 k2 minmatchlen
`
