package repl

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"
)

// takeDue takes the runs with tag <= pos, as the sender does, and returns
// them with the bytes they refer to.
func takeDue(q *recQueue, pos int64) (runs []run, data []byte) {
	for {
		r, ok := q.next()
		if !ok || r.tag > pos {
			return runs, data
		}
		var parts [][]byte
		parts = q.takeNext(parts)
		n := 0
		for _, p := range parts {
			data = append(data, p...)
			n += len(p)
		}
		if n != r.n {
			panic(fmt.Sprintf("run of %d bytes came as %d", r.n, n))
		}
		runs = append(runs, r)
	}
}

func TestRecQueueOrderAndRuns(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	var q recQueue
	var want, got []byte
	tag := int64(0)
	db := 0
	for i := 0; i < 20000; i++ {
		if rng.Intn(4) == 0 {
			tag += int64(rng.Intn(100))
		}
		if rng.Intn(50) == 0 {
			db = rng.Intn(3)
		}
		size := 1 + rng.Intn(2000)
		if rng.Intn(500) == 0 {
			size = queueBlock*2 + rng.Intn(queueBlock) // spans blocks
		}
		rec := bytes.Repeat([]byte{byte('a' + i%26)}, size)
		q.add(tag, db, rec)
		want = append(want, rec...)
		if rng.Intn(20) == 0 {
			pos := tag - int64(rng.Intn(50))
			runs, data := takeDue(&q, pos)
			for j, r := range runs {
				if r.tag > pos {
					t.Fatalf("run with tag %d taken at %d", r.tag, pos)
				}
				if j > 0 && runs[j-1].tag == r.tag && runs[j-1].db == r.db && runs[j-1].n+r.n <= frameLimit {
					t.Fatalf("runs %d and %d should have been one", j-1, j)
				}
			}
			// Records added while runs are taken must not join them.
			q.add(tag, db, []byte("x"))
			want = append(want, 'x')
			q.release()
			got = append(got, data...)
		}
	}
	_, data := takeDue(&q, tag)
	q.release()
	got = append(got, data...)
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want %d (or they differ)", len(got), len(want))
	}
	if q.queued != 0 || !q.empty() {
		t.Fatalf("queued %d after draining", q.queued)
	}
	if len(q.free) > maxFreeBlocks {
		t.Fatalf("%d free blocks, at most %d expected", len(q.free), maxFreeBlocks)
	}
}

func TestRecQueueNoGarbageInSteadyState(t *testing.T) {
	var q recQueue
	rec := bytes.Repeat([]byte("v"), 1100)
	var parts [][]byte
	tag := int64(0)
	cycle := func() {
		for i := 0; i < 600; i++ {
			if i%7 == 0 {
				tag++
			}
			q.add(tag, 0, rec)
		}
		for {
			if _, ok := q.next(); !ok {
				break
			}
			parts = q.takeNext(parts[:0])
		}
		q.release()
	}
	for i := 0; i < 10; i++ {
		cycle() // warm up: blocks, run list, free list
	}
	if n := testing.AllocsPerRun(20, cycle); n != 0 {
		t.Fatalf("%v allocations per cycle of 600 records, want 0", n)
	}
}
