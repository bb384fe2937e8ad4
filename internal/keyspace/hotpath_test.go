package keyspace

import (
	"bytes"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/slot"
)

type recordingSink struct{ got [][][]byte }

// Propagate keeps a copy, as the Sink contract requires of a sink that
// retains what it is given.
func (r *recordingSink) Propagate(db, s int, argv [][]byte) { r.got = append(r.got, cloneArgv(argv)) }

type countingSink struct{ bytes int }

func (c *countingSink) Propagate(db, s int, argv [][]byte) {
	for _, a := range argv {
		c.bytes += len(a)
	}
}

func TestWallClockTracksTimeNow(t *testing.T) {
	c := newWallClock()
	for i := 0; i < 1000; i++ {
		before := time.Now().UnixMilli()
		got := c.NowMs()
		after := time.Now().UnixMilli()
		if got < before-1 || got > after+1 {
			t.Fatalf("NowMs = %d, want within [%d, %d]", got, before, after)
		}
	}
}

func TestWallClockResyncsAfterInterval(t *testing.T) {
	c := newWallClock()
	first := c.base.Load()
	time.Sleep(2 * wallClockResync)
	c.NowMs()
	if c.base.Load() == first {
		t.Fatal("base was not refreshed after the resync interval")
	}
}

// A command propagated as received (PropagateArgv) reaches the sinks as it
// was, without a copy of its own: sinks copy what they keep (both of the
// server's encode it at once), so a replica costs no garbage per write.
func TestPropagateArgvReachesSinksUncopied(t *testing.T) {
	ks := New(Options{})
	sink := &recordingSink{}
	ks.AddSink(sink)
	tx := ks.NewTx()
	buf := []byte("SETkv")
	argv := [][]byte{buf[0:3], buf[3:4], buf[4:5]}
	s := slot.Of(argv[1])
	ks.LockSlot(s)
	tx.Begin(0)
	tx.Set(argv[1], NewString(argv[2]), false)
	tx.PropagateArgv(argv)
	tx.Finish()
	ks.UnlockSlot(s)
	copy(buf, "XXXXX")
	if len(sink.got) != 1 {
		t.Fatalf("sink got %d effects, want 1", len(sink.got))
	}
	want := [][]byte{[]byte("SET"), []byte("k"), []byte("v")}
	for i := range want {
		if !bytes.Equal(sink.got[0][i], want[i]) {
			t.Fatalf("sink argv = %q, want %q", sink.got[0], want)
		}
	}
	ks.RemoveSink(sink)
	counting := &countingSink{}
	ks.AddSink(counting)
	copy(buf, "SETkv")
	if n := testing.AllocsPerRun(100, func() {
		ks.LockSlot(s)
		tx.Begin(0)
		tx.PropagateArgv(argv)
		tx.Finish()
		ks.UnlockSlot(s)
	}); n != 0 {
		t.Fatalf("PropagateArgv with a sink allocates %v times per command", n)
	}
	if counting.bytes == 0 {
		t.Fatal("the counting sink saw nothing")
	}
}

// Without sinks nothing is copied, but Propagated still counts effects,
// which the dispatcher uses to decide on its default propagation.
func TestPropagateWithoutSinks(t *testing.T) {
	ks := New(Options{})
	tx := ks.NewTx()
	tx.Begin(0)
	tx.Propagate([]byte("DEL"), []byte("k"))
	if tx.Propagated() != 1 {
		t.Fatalf("Propagated = %d, want 1", tx.Propagated())
	}
	if n := testing.AllocsPerRun(100, func() {
		tx.Begin(0)
		tx.Propagate([]byte("DEL"), []byte("k"))
		tx.Finish()
	}); n != 0 {
		t.Fatalf("Propagate without sinks allocates %v times", n)
	}
	sink := &recordingSink{}
	ks.AddSink(sink)
	tx.Begin(0)
	tx.Propagate([]byte("DEL"), []byte("k"))
	tx.Finish()
	ks.RemoveSink(sink)
	if len(sink.got) != 1 || string(sink.got[0][0]) != "DEL" || string(sink.got[0][1]) != "k" {
		t.Fatalf("sink got %q", sink.got)
	}
}

// The slot hint applies only to the very bytes it was given, and only
// until the next Begin.
func TestSlotHint(t *testing.T) {
	ks := New(Options{})
	tx := ks.NewTx()
	key := []byte("foo")
	other := []byte("foo")
	tx.Begin(0)
	tx.SetSlotHint(key, 42)
	if got := tx.slotOf(key); got != 42 {
		t.Fatalf("hinted slot = %d, want 42", got)
	}
	if got, want := tx.slotOf(other), slot.Of(other); got != want {
		t.Fatalf("equal bytes elsewhere: slot %d, want %d", got, want)
	}
	if got, want := tx.slotOf(key[:2]), slot.Of(key[:2]); got != want {
		t.Fatalf("prefix: slot %d, want %d", got, want)
	}
	tx.Begin(0)
	if got, want := tx.slotOf(key), slot.Of(key); got != want {
		t.Fatalf("after Begin: slot %d, want %d", got, want)
	}
}

func TestDBViewFollowsSwapDB(t *testing.T) {
	ks := New(Options{Databases: 4})
	d1, d2 := ks.DB(1), ks.DB(2)
	tx := ks.NewTx()
	ks.LockAll()
	tx.Begin(0)
	tx.HoldsAll = true
	tx.SwapDB(1, 2)
	ks.UnlockAll()
	if ks.DB(1) != d2 || ks.DB(2) != d1 || ks.NumDBs() != 4 || ks.DB(4) != nil || ks.DB(-1) != nil {
		t.Fatal("DB does not reflect SWAPDB")
	}
}
