package resp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// requestSeeds holds every request shape: multibulk, inline, quoting,
// empty requests, pipelines, huge and negative counts and lengths, bad
// prefixes and terminators.
var requestSeeds = []string{
	"*1\r\n$4\r\nPING\r\n",
	"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
	"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n",
	"*2\r\n$4\r\nECHO\r\n$6\r\na\r\nb\x00c\r\n",
	"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
	"*0\r\n", "*-1\r\n", "*0\r\n*1\r\n$4\r\nPING\r\n",
	"PING\r\n", "PING\n", "PING", "ping\r\nping\r\n", "\r\n", "\n", "   \r\n", " \t PING  x \r\n",
	"SET k \"a b\"\r\n", "SET k 'a b'\r\n", "SET k \"\\x41\\x4a\\n\\t\\\\\\\"\"\r\n",
	"SET k 'it\\'s'\r\n", "SET k \"a\"b\r\n", "SET k 'a'b\r\n", "SET k \"unterminated\r\n",
	"SET k 'unterminated\r\n", "SET k \"\"\r\n", "SET k ''\r\n", "\"\\xzz\"\r\n", "\"a\\\"\r\n",
	"*2147483648\r\n", "*2147483647\r\n$1\r\na\r\n", "*99999999999999999999\r\n", "*-5\r\n",
	"*abc\r\n", "*\r\n", "*1\r\n", "*1\r\n$-1\r\n", "*1\r\n$-5\r\n", "*1\r\n$abc\r\n",
	"*1\r\n$536870913\r\n", "*1\r\n$1048577\r\n", "*1\r\n$2\r\nabc\r\n", "*1\r\n$3\r\nabcXY",
	"*1\r\nx\r\n", "*2\r\n$1\r\na\r\n:1\r\n", "*1\n$1\r\na\r\n", "*1\r\n$1\na\r\n", "*1\r\n$1\r\na",
	"*1\r\n$1\r\na\r", "$3\r\nabc\r\n", ":1\r\n", "+OK\r\n", "-ERR\r\n",
	"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$70000\r\n" + strings.Repeat("v", 70000) + "\r\n",
	strings.Repeat("x", 70000),
	"*" + strings.Repeat("1", 70000),
	"*1\r\n$" + strings.Repeat("1", 70000),
	"SET k " + strings.Repeat("y", 20000) + "\r\nGET k\r\n",
}

// parseAll reads every request from src and returns the argvs (copied) and
// the error that ended the stream.
func parseAll(src io.Reader) ([][]string, error) {
	rd := NewReader(src)
	// Bound memory on hostile lengths (the reader makes room for a whole
	// declared bulk up front); the limit's behaviour is the default's.
	rd.MaxBulkLen = 128 << 10
	var out [][]string
	for {
		argv, err := rd.ReadCommand()
		if err != nil {
			return out, err
		}
		cp := make([]string, len(argv))
		for i, a := range argv {
			cp[i] = string(a)
		}
		out = append(out, cp)
	}
}

// chunkReader returns the data in the given chunk sizes, then the rest.
type chunkReader struct {
	data   []byte
	chunks []int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := len(c.data)
	if len(c.chunks) > 0 {
		n = min(n, c.chunks[0])
		c.chunks = c.chunks[1:]
	}
	n = copy(p, c.data[:max(n, 1)])
	c.data = c.data[n:]
	return n, nil
}

func sameParse(t *testing.T, what string, data []byte, wantArgv [][]string, wantErr error, src io.Reader) {
	t.Helper()
	got, err := parseAll(src)
	if fmt.Sprint(got) != fmt.Sprint(wantArgv) || errText(err) != errText(wantErr) {
		t.Fatalf("%s of %.60q:\n got  %.200q, %v\n want %.200q, %v", what, data, got, err, wantArgv, wantErr)
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// checkRequestInput asserts that data parses to the same requests and the
// same final error whether it arrives whole, one byte at a time, split at
// any single position, or in random chunks.
//
// Byte-at-a-time reading costs O(n^2) on an unterminated inline line (the
// reader rescans it on every fill), so the fuzzer, whose inputs grow, only
// does it for small inputs (oneByte).
func checkRequestInput(t *testing.T, data []byte, rng *rand.Rand, everySplit, oneByte bool) {
	want, wantErr := parseAll(bytes.NewReader(data))
	var pe *ProtocolError
	if wantErr != io.EOF && !errors.As(wantErr, &pe) {
		t.Fatalf("unexpected error class for %.60q: %v", data, wantErr)
	}
	if oneByte {
		sameParse(t, "one byte at a time", data, want, wantErr, iotest.OneByteReader(bytes.NewReader(data)))
	}
	sameParse(t, "half reads", data, want, wantErr, iotest.HalfReader(bytes.NewReader(data)))
	if everySplit {
		for k := 1; k < len(data); k++ {
			sameParse(t, fmt.Sprintf("split at %d", k), data, want, wantErr,
				&chunkReader{data: data, chunks: []int{k}})
		}
	}
	for range 4 {
		var chunks []int
		for total := 0; total < len(data); {
			n := 1 + rng.IntN(64)
			if rng.IntN(8) == 0 {
				n = 1 + rng.IntN(20000)
			}
			chunks = append(chunks, n)
			total += n
		}
		sameParse(t, fmt.Sprintf("chunks %v", chunks), data, want, wantErr,
			&chunkReader{data: data, chunks: chunks})
	}
}

func testRNG(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed>>1))
}

func TestReaderSplitEverywhere(t *testing.T) {
	rng := testRNG(t)
	for _, s := range requestSeeds {
		checkRequestInput(t, []byte(s), rng, len(s) < 4096, true)
	}
	// All seeds back to back: a stream that ends at the first error.
	all := []byte(strings.Join(requestSeeds, ""))
	checkRequestInput(t, all[:min(len(all), 2000)], rng, true, true)
}

func TestReaderRequests(t *testing.T) {
	cases := []struct {
		in   string
		want string
		err  string
	}{
		{"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", "[[SET k v]]", "EOF"},
		{"PING\r\nPING\n", "[[PING] [PING]]", "EOF"},
		{"\r\n*0\r\n", "[[] []]", "EOF"},
		{"SET k \"a b\"\r\n", "[[SET k a b]]", "EOF"},
		{"SET k \"a\"b\r\n", "[]", "Protocol error: unbalanced quotes in request"},
		{"*1\r\nx\r\n", "[]", "Protocol error: expected '$', got 'x'"},
		{"*abc\r\n", "[]", "Protocol error: invalid multibulk length"},
		{"*2147483648\r\n", "[]", "Protocol error: invalid multibulk length"},
		{"*1\r\n$-1\r\n", "[]", "Protocol error: invalid bulk length"},
		{"*1\r\n$2\r\nabc\r\n", "[]", "Protocol error: invalid bulk length"},
		{strings.Repeat("x", 70000), "[]", "Protocol error: too big inline request"},
		{"*" + strings.Repeat("1", 70000), "[]", "Protocol error: too big mbulk count string"},
		{"*1\r\n$" + strings.Repeat("1", 70000), "[]", "Protocol error: too big bulk count string"},
	}
	for _, tc := range cases {
		got, err := parseAll(strings.NewReader(tc.in))
		if fmt.Sprint(got) != tc.want || errText(err) != tc.err {
			t.Errorf("parse %.40q = %v, %v; want %s, %s", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// TestReaderStrictLengths: Valkey parses multibulk counts and bulk
// lengths with string2ll, which rejects a '+' sign, leading zeros and
// "-0"; strconv.ParseInt accepts all three.
func TestReaderStrictLengths(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{"*+1\r\n$1\r\na\r\n", "Protocol error: invalid multibulk length"},
		{"*01\r\n$1\r\na\r\n", "Protocol error: invalid multibulk length"},
		{"*1\r\n$+1\r\na\r\n", "Protocol error: invalid bulk length"},
		{"*1\r\n$01\r\na\r\n", "Protocol error: invalid bulk length"},
		{"*1\r\n$-0\r\n\r\n", "Protocol error: invalid bulk length"},
	} {
		got, err := parseAll(strings.NewReader(tc.in))
		if errText(err) != tc.err {
			t.Errorf("parse %q = %v, %v; want %s", tc.in, got, err, tc.err)
		}
	}
}

func TestReaderUnauthenticatedLimits(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{"*11\r\n", "Protocol error: unauthenticated multibulk length"},
		{"*1\r\n$16385\r\n", "Protocol error: unauthenticated bulk length"},
	} {
		rd := NewReader(strings.NewReader(tc.in))
		rd.Authenticated = false
		if _, err := rd.ReadCommand(); errText(err) != tc.err {
			t.Errorf("unauthenticated %q: %v, want %s", tc.in, err, tc.err)
		}
	}
}

// TestReaderQueryBufLimit: a request whose unparsed bytes exceed
// client-query-buffer-limit must end the connection (Valkey closes such a
// client), also when the bytes arrive as big bulk arguments that make the
// reader grow its buffer ahead of the data (Reader.ensure).
func TestReaderQueryBufLimit(t *testing.T) {
	arg := "$30000\r\n" + strings.Repeat("a", 30000) + "\r\n"
	for _, tc := range []struct{ name, in string }{
		{"many bulks", "*10\r\n" + strings.Repeat(arg, 10)},
		{"one big bulk", "*1\r\n$300000\r\n" + strings.Repeat("a", 300000) + "\r\n"},
	} {
		rd := NewReader(strings.NewReader(tc.in))
		rd.QueryBufLimit = 64 << 10
		argv, err := rd.ReadCommand()
		if !errors.Is(err, ErrQueryBufLimit) {
			t.Errorf("%s: ReadCommand = %d args, %v; want ErrQueryBufLimit (buffer grew to %d bytes)",
				tc.name, len(argv), err, len(rd.buf))
		}
	}
}

func FuzzReader(f *testing.F) {
	for _, s := range requestSeeds {
		f.Add([]byte(s))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRequestInput(t, data, rng, len(data) < 128, len(data) < 4096)
	})
}

// TestReaderSetMinBuffer: growing the buffer between two commands keeps
// the bytes already read and the argument slices already returned, and
// later reads fill the bigger buffer.
func TestReaderSetMinBuffer(t *testing.T) {
	big := strings.Repeat("v", 20000)
	var in bytes.Buffer
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&in, "*3\r\n$3\r\nSET\r\n$%d\r\nk%d\r\n$%d\r\n%s\r\n", len(strconv.Itoa(i))+1, i, len(big), big)
	}
	src := &countingSrc{r: &in}
	rd := NewReader(src)
	first, err := rd.ReadCommand()
	if err != nil {
		t.Fatal(err)
	}
	key := first[1]
	rd.SetMinBuffer(256 << 10)
	reads := src.reads
	for i := 1; i < 40; i++ {
		argv, err := rd.ReadCommand()
		if err != nil {
			t.Fatal(err)
		}
		if got := string(argv[1]); got != "k"+strconv.Itoa(i) || string(argv[2]) != big {
			t.Fatalf("command %d: key %q, value of %d bytes", i, got, len(argv[2]))
		}
	}
	if string(key) != "k0" {
		t.Fatalf("the first command's key became %q", key)
	}
	// 39 commands of ~20 KB in a 256 KiB buffer: a few reads, not 39.
	if n := src.reads - reads; n > 6 {
		t.Fatalf("%d reads after growing the buffer", n)
	}
}

type countingSrc struct {
	r     io.Reader
	reads int
}

func (c *countingSrc) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}
