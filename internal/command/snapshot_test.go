package command

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/resp"
)

// snapLog is a consumer of a snapshot and of the stream that follows its
// cut, in the order a replica or migration target would receive them:
// both arrive under slot locks, so the log's mutex orders them as the
// keyspace applied them.
type snapLog struct {
	mu      sync.Mutex
	entries []snapLogEntry
}

type snapLogEntry struct {
	db  int
	cmd []byte
}

func (l *snapLog) SnapshotRecord(db, _ int, cmd []byte) {
	l.mu.Lock()
	l.entries = append(l.entries, snapLogEntry{db, cmd})
	l.mu.Unlock()
}

func (l *snapLog) Propagate(db, _ int, argv [][]byte) {
	var b []byte
	b = fmt.Appendf(b, "*%d\r\n", len(argv))
	for _, a := range argv {
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(a), a)
	}
	l.SnapshotRecord(db, 0, b)
}

// replay applies the log to h as a replica would.
func (l *snapLog) replay(t *testing.T, h *keysHarness) {
	t.Helper()
	for _, e := range l.entries {
		rd := resp.NewReader(bytes.NewReader(e.cmd))
		for {
			argv, err := rd.ReadCommand()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("bad record %q: %v", e.cmd, err)
			}
			name := strings.ToUpper(string(argv[0]))
			if name != "MULTI" && name != "EXEC" {
				h.client.SetDB(e.db)
			}
			args := make([]string, len(argv))
			for i, a := range argv {
				args[i] = string(a)
			}
			if r := h.do(args...); strings.HasPrefix(r, "-") {
				t.Fatalf("replaying %q: %s", args, r)
			}
		}
	}
}

// snapDump describes every key of every database canonically: type,
// value, key TTL and hash field TTLs, independent of encodings.
func snapDump(h *keysHarness, dbs int) map[string]string {
	out := map[string]string{}
	for db := 0; db < dbs; db++ {
		h.client.SetDB(db)
		for _, k := range parseArray(h.do("KEYS", "*")) {
			out[fmt.Sprintf("%d/%s", db, k)] = snapDescribe(h, k)
		}
	}
	h.client.SetDB(0)
	return out
}

func snapDescribe(h *keysHarness, k string) string {
	typ := strings.TrimSpace(strings.TrimPrefix(h.do("TYPE", k), "+"))
	var val []string
	switch typ {
	case "string":
		val = []string{h.do("GET", k)}
	case "list":
		val = parseArray(h.do("LRANGE", k, "0", "-1"))
	case "set":
		val = sorted(parseArray(h.do("SMEMBERS", k)))
	case "zset":
		val = sorted(parseArray(h.do("ZRANGE", k, "0", "-1", "WITHSCORES")))
	case "hash":
		fv := parseArray(h.do("HGETALL", k))
		for i := 0; i+1 < len(fv); i += 2 {
			ttl := h.do("HPEXPIRETIME", k, "FIELDS", "1", fv[i])
			val = append(val, fv[i]+"="+fv[i+1]+"@"+ttl)
		}
		sort.Strings(val)
	}
	return typ + " " + h.do("PEXPIRETIME", k) + " " + strings.Join(val, ",")
}

func sorted(s []string) []string { sort.Strings(s); return s }

// parseArray extracts the bulk strings of a flat RESP2 array reply.
func parseArray(r string) []string {
	var out []string
	lines := strings.Split(r, "\r\n")
	for i := 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "$") && i+1 < len(lines) {
			out = append(out, lines[i+1])
			i++
		} else if strings.HasPrefix(lines[i], ":") {
			out = append(out, lines[i][1:])
		}
	}
	return out
}

// snapSeed fills h with keys of every type, some in one hash tag (a big
// slot walked over several lock holds), some big collections (chunked over
// holds), TTLs and hash field TTLs, in two databases.
func snapSeed(h *keysHarness) {
	for db := 0; db < 2; db++ {
		h.client.SetDB(db)
		for i := 0; i < 400; i++ {
			h.do("SET", fmt.Sprintf("{tag}s%d", i), strconv.Itoa(i))
			h.do("SET", fmt.Sprintf("s%d", i), strings.Repeat("v", i%70))
		}
		for i := 0; i < 60; i++ {
			k := fmt.Sprintf("c%d", i)
			h.do("RPUSH", "l"+k, "a", "b", strconv.Itoa(i))
			h.do("SADD", "S"+k, "1", "2", strconv.Itoa(i))
			h.do("SADD", "T"+k, "x", "y", strconv.Itoa(i))
			h.do("ZADD", "z"+k, "1.5", "a", "-inf", "b", strconv.Itoa(i), "c")
			h.do("HSET", "h"+k, "f1", "v1", "f2", strconv.Itoa(i))
			h.do("HPEXPIREAT", "h"+k, strconv.Itoa(keysEpoch+1_000_000+i), "FIELDS", "1", "f1")
			h.do("PEXPIREAT", "s"+strconv.Itoa(i), strconv.Itoa(keysEpoch+5_000_000+i))
		}
		args := []string{"RPUSH", "biglist"}
		hargs := []string{"HSET", "bighash"}
		sargs := []string{"SADD", "bigset"}
		zargs := []string{"ZADD", "bigzset"}
		for i := 0; i < 5000; i++ {
			v := strconv.Itoa(i)
			args = append(args, v)
			hargs = append(hargs, "f"+v, v)
			sargs = append(sargs, "m"+v)
			zargs = append(zargs, v, "m"+v)
		}
		h.do(args...)
		h.do(hargs...)
		h.do(sargs...)
		h.do(zargs...)
		h.do("HPEXPIREAT", "bighash", strconv.Itoa(keysEpoch+9_000_000), "FIELDS", "2", "f1", "f2")
		h.do("PEXPIREAT", "bigzset", strconv.Itoa(keysEpoch+9_000_000))
	}
	h.client.SetDB(0)
}

// snapWrite runs one random write that depends on old values.
func snapWrite(h *keysHarness, c *Client, w *resp.Writer, r *rand.Rand) {
	i := strconv.Itoa(r.IntN(60))
	j := strconv.Itoa(r.IntN(60))
	n := strconv.Itoa(r.IntN(400))
	do := func(args ...string) {
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		w.Reset()
		h.node.Exec(c, w, argv)
	}
	switch r.IntN(18) {
	case 0:
		do("INCR", "{tag}s"+n)
	case 1:
		do("APPEND", "s"+n, "x")
	case 2:
		do("LPUSH", "lc"+i, "p")
	case 3:
		do("RPOP", "lc"+i)
	case 4:
		do("HINCRBY", "hc"+i, "f2", "1")
	case 5:
		do("SADD", "Sc"+i, n)
	case 6:
		do("ZINCRBY", "zc"+i, "2", "a")
	case 7:
		do("SUNIONSTORE", "Sc"+i, "Sc"+i, "Sc"+j)
	case 8:
		do("RENAME", "{tag}s"+n, "{tag}r"+n)
	case 9:
		do("LMOVE", "lc"+i, "lc"+j, "LEFT", "RIGHT")
	case 10:
		do("EXPIRE", "s"+n, "1000")
	case 11:
		do("PERSIST", "s"+n)
	case 12:
		do("DEL", "Tc"+i)
	case 13:
		do("LSET", "biglist", strconv.Itoa(r.IntN(5000)), "w")
	case 14:
		do("HSET", "bighash", "f"+n, "w")
	case 15:
		do("SREM", "bigset", "m"+n)
	case 16:
		do("ZADD", "bigzset", "XX", "INCR", "1", "m"+n)
	case 17:
		do("SET", "{tag}s"+n, "k", "KEEPTTL")
	}
}

// TestSnapshotConsistentUnderWrites is the snapshot's contract: a consumer
// that applies the snapshot records and the stream after the cut, in the
// order they were emitted, ends with exactly the source's data, whatever
// the writers did while the walker ran.
func TestSnapshotConsistentUnderWrites(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	src := newKeysHarness(t)
	src.ks.RemoveSink(src.sink)
	snapSeed(src)

	log := &snapLog{}
	var paces int
	var writes atomic.Int64
	sn := src.ks.StartSnapshot(keyspace.SnapshotOptions{
		Consumer: log,
		AtCut:    func() { src.ks.AddSink(log) },
		Pace: func() error {
			// Let the writers interleave with the walk: every few holds,
			// wait until they made some progress.
			paces++
			if paces%16 == 0 {
				for w := writes.Load(); writes.Load() < w+4; {
					runtime.Gosched()
				}
			}
			return nil
		},
	})
	defer sn.Close()

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			c := src.newClient()
			c.SetDB(w % 2)
			wr := resp.NewWriter(nil)
			for ctx.Err() == nil {
				snapWrite(src, c, wr, r)
				writes.Add(1)
			}
		}(w)
	}
	// Half the keys are written before the walk starts.
	for writes.Load() < 3000 {
		runtime.Gosched()
	}
	if err := sn.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Some more writes after the walk: they only reach the stream.
	for k := 0; k < 200; k++ {
		snapWrite(src, src.newClient(), resp.NewWriter(nil), rand.New(rand.NewPCG(seed, uint64(100+k))))
	}
	cancel()
	wg.Wait()
	sn.Close()
	src.ks.RemoveSink(log)
	p := sn.Progress()
	t.Logf("snapshot: %+v, %d paces, %d writes, %d log entries", p, paces, writes.Load(), len(log.entries))
	if p.SlotsDone != p.SlotsTotal || p.Keys == 0 {
		t.Fatalf("incomplete walk: %+v", p)
	}

	dst := newKeysHarness(t)
	dst.ks.RemoveSink(dst.sink)
	log.replay(t, dst)
	want, got := snapDump(src, 2), snapDump(dst, 2)
	t.Logf("compared %d keys", len(want))
	if len(want) != len(got) {
		t.Errorf("source has %d keys, consumer %d", len(want), len(got))
	}
	bad := 0
	for k, v := range want {
		if got[k] != v && bad < 5 {
			bad++
			t.Errorf("%s: source %.200q, consumer %.200q", k, v, got[k])
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok && bad < 10 {
			bad++
			t.Errorf("%s only on the consumer", k)
		}
	}
}

// TestSnapshotSubsetAndClose: a snapshot of some slots emits only their
// keys; Close stops the walk, and nothing is emitted after it returns.
func TestSnapshotSubsetAndClose(t *testing.T) {
	h := newKeysHarness(t)
	h.ks.RemoveSink(h.sink)
	snapSeed(h)
	s := keyspace.SlotOf([]byte("{tag}"))
	log := &snapLog{}
	sn := h.ks.StartSnapshot(keyspace.SnapshotOptions{Slots: []int{s}, Consumer: log})
	if err := sn.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	sn.Close()
	if p := sn.Progress(); p.Keys != 800 || p.SlotsDone != 1 {
		t.Fatalf("progress %+v, want 800 keys in 1 slot", p)
	}
	for _, e := range log.entries {
		if !bytes.Contains(e.cmd, []byte("{tag}")) {
			t.Fatalf("record outside the slot: %.80q", e.cmd)
		}
	}

	log2 := &snapLog{}
	sn2 := h.ks.StartSnapshot(keyspace.SnapshotOptions{Consumer: log2})
	sn2.Close()
	if err := sn2.Run(context.Background()); err != keyspace.ErrSnapshotClosed {
		t.Fatalf("Run after Close: %v", err)
	}
	h.do("INCR", "{tag}s1")
	if len(log2.entries) != 0 || h.ks.Snapshotting() {
		t.Fatalf("closed snapshot still emits (%d records)", len(log2.entries))
	}
}
