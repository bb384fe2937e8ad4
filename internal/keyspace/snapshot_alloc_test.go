package keyspace

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/types"
)

// discardCopier is a SnapshotCopier that copies each record into one
// reused buffer and counts what it got.
type discardCopier struct {
	buf              []byte
	records, written int
}

func (d *discardCopier) SnapshotRecord(_, _ int, cmd []byte) {
	d.buf = append(d.buf[:0], cmd...)
	d.records++
	d.written += len(cmd)
}

func (d *discardCopier) CopiesRecords() {}

// snapLoaded is a keyspace with n 1 KiB strings and, when big, one list,
// set, zset and hash of 20,000 elements each (walked over many holds).
func snapLoaded(tb testing.TB, n int, big bool) *Keyspace {
	tb.Helper()
	ks := New(Options{Databases: 1})
	tx := ks.NewTx()
	val := bytes.Repeat([]byte{'v'}, 1024)
	for i := 0; i < n; i++ {
		benchSet(ks, tx, []byte(fmt.Sprintf("key:%09d", i)), val)
	}
	if !big {
		return ks
	}
	lim := types.DefaultLimits()
	l, st, h := types.NewList(), types.NewSet([]byte("m0"), 20000, lim), types.NewHash()
	z := types.NewZSetSized(20000, 16, lim)
	for i := 0; i < 20000; i++ {
		m := []byte(fmt.Sprintf("member:%06d", i))
		l.Push(m, false, lim)
		st.Add(m, lim)
		z.Set(m, float64(i)/3, lim)
		h.Set(m, m, false, 0, lim)
	}
	for key, o := range map[string]types.Object{"list": l, "set": st, "zset": z, "hash": h} {
		k := []byte(key)
		s := slot.Of(k)
		ks.LockSlot(s)
		tx.Begin(0)
		tx.Set(k, NewObject(o), false)
		tx.Finish()
		ks.UnlockSlot(s)
	}
	return ks
}

func snapWalk(tb testing.TB, ks *Keyspace, d *discardCopier) {
	sn := ks.StartSnapshot(SnapshotOptions{Consumer: d})
	if err := sn.Run(context.Background()); err != nil {
		tb.Fatal(err)
	}
	sn.Close()
}

// A snapshot whose consumer copies records builds them in reused memory:
// walking it allocates per lock hold at most, never per record or per
// collection element (garbage in proportion to the data would make the
// GC mark a big dataset again and again during a full sync).
func TestSnapshotWalkGarbage(t *testing.T) {
	ks := snapLoaded(t, 5000, true)
	d := &discardCopier{}
	snapWalk(t, ks, d)
	records := d.records
	if records < 5000+4*20000/4096 {
		t.Fatalf("%d records", records)
	}
	allocs := testing.AllocsPerRun(3, func() { snapWalk(t, ks, d) })
	t.Logf("%v allocations per walk of %d records", allocs, records)
	// The Snapshot itself, its slot list and a few per big slot or entry.
	if allocs > 100 {
		t.Fatalf("%v allocations per walk of %d records, want a bounded few", allocs, records)
	}
}

// BenchmarkSnapshotWalk walks 50,000 1 KiB strings and four 20,000-element
// collections into a copying consumer.
func BenchmarkSnapshotWalk(b *testing.B) {
	ks := snapLoaded(b, 50000, true)
	d := &discardCopier{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.records, d.written = 0, 0
		snapWalk(b, ks, d)
	}
	b.SetBytes(int64(d.written))
	b.ReportMetric(float64(d.records), "records/op")
}
