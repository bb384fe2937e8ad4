package repl

import (
	"bytes"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
)

// readAll reads the stream from pos to the end through a reader.
func readAll(t *testing.T, b *backlog, pos int64) []byte {
	t.Helper()
	rd := b.newReader(pos, nil)
	if rd == nil {
		t.Fatalf("position %d is not in the history", pos)
	}
	defer b.dropReader(rd)
	var out []byte
	buf := make([]byte, 0, 1000)
	for {
		data, wait, ok := b.read(rd, math.MaxInt64, buf)
		if !ok {
			t.Fatal("reader dropped")
		}
		if wait != nil {
			return out
		}
		out = append(out, data...)
		rd.pos.Add(int64(len(data)))
	}
}

func parseAll(t *testing.T, p []byte) [][][]byte {
	t.Helper()
	var cmds [][][]byte
	for len(p) > 0 {
		argv, n, _, err := parseCommand(p, nil)
		if err != nil || n == 0 {
			t.Fatalf("stream does not parse at %q: %v", p[:min(len(p), 40)], err)
		}
		cmds = append(cmds, argv)
		p = p[n:]
	}
	return cmds
}

func TestBacklogCommandsAcrossBlocks(t *testing.T) {
	b := newBacklog(100, 1<<20)
	b.blockSize = 64 // commands span blocks
	var want []string
	for i := 0; i < 200; i++ {
		db := i % 3
		v := bytes.Repeat([]byte{'x'}, i)
		b.appendCommand(db, [][]byte{[]byte("SET"), []byte(fmt.Sprint("k", i)), v})
		want = append(want, fmt.Sprintf("%d:k%d:%d", db, i, len(v)))
	}
	cmds := parseAll(t, readAll(t, b, 100))
	db := -1
	var got []string
	for _, c := range cmds {
		if string(c[0]) == "SELECT" {
			fmt.Sscan(string(c[1]), &db)
			continue
		}
		got = append(got, fmt.Sprintf("%d:%s:%d", db, c[1], len(c[2])))
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("stream mismatch:\n got %v\nwant %v", got, want)
	}
	if b.firstByte() != 101 || b.histlen() != b.end.Load()-100 {
		t.Fatalf("first byte %d, histlen %d, end %d", b.firstByte(), b.histlen(), b.end.Load())
	}
}

// The end offset a concurrent reader sees is always a command boundary
// (snapshot records are tagged with it).
func TestBacklogEndIsACommandBoundary(t *testing.T) {
	b := newBacklog(0, 1<<30)
	b.blockSize = 100
	var ends sync.Map
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			ends.Store(b.end.Load(), true)
		}
	}()
	bounds := map[int64]bool{0: true}
	for i := 0; i < 2000; i++ {
		b.appendCommand(-1, [][]byte{[]byte("SET"), []byte("k"), bytes.Repeat([]byte{'v'}, i%300)})
		bounds[b.end.Load()] = true
	}
	stop.Store(true)
	wg.Wait()
	ends.Range(func(k, _ any) bool {
		if !bounds[k.(int64)] {
			t.Errorf("a reader saw end=%d, inside a command", k)
		}
		return true
	})
}

func TestBacklogTrimKeepsSizeAndReaders(t *testing.T) {
	b := newBacklog(0, 1000)
	b.blockSize = 100
	cmd := [][]byte{[]byte("SET"), []byte("k"), bytes.Repeat([]byte{'v'}, 50)}
	pinned := b.newReader(0, nil)
	for i := 0; i < 100; i++ {
		b.appendCommand(-1, cmd)
	}
	if b.firstByte() != 1 {
		t.Fatalf("a reader at 0 must pin the history; first byte %d", b.firstByte())
	}
	b.dropReader(pinned)
	if h := b.histlen(); h < 1000 || h > 1000+100 {
		t.Fatalf("after the reader left the history is %d bytes, want ~1000", h)
	}
	if b.canServe(1) || !b.canServe(b.end.Load()+1) || b.canServe(b.end.Load()+2) {
		t.Fatal("canServe disagrees with the history")
	}
}

func TestBacklogHardLimitDropsReader(t *testing.T) {
	b := newBacklog(0, 100)
	b.blockSize = 100
	b.setLimit(bufferLimit{hard: 500})
	dropped := make(chan struct{})
	rd := b.newReader(0, func() { close(dropped) })
	for i := 0; i < 50; i++ {
		b.appendCommand(-1, [][]byte{[]byte("SET"), []byte("k"), bytes.Repeat([]byte{'v'}, 50)})
	}
	select {
	case <-dropped:
	default:
		t.Fatal("a reader 3000 bytes behind a 500-byte hard limit was not dropped")
	}
	if _, _, ok := b.read(rd, math.MaxInt64, make([]byte, 0, 10)); ok {
		t.Fatal("a dropped reader can still read")
	}
}

func TestIDs(t *testing.T) {
	x := newIDs()
	old := x.replid
	x.shift(1000)
	if x.replid2 != old || x.secondOffset != 1001 || x.replid == old {
		t.Fatalf("shift: %+v", x)
	}
	if !x.continues(old, 1001) || x.continues(old, 1002) || !x.continues(x.replid, 5000) {
		t.Fatal("continues")
	}
	x.clear2()
	if x.continues(old, 10) || x.replid2 != zeroID {
		t.Fatal("clear2")
	}
}
