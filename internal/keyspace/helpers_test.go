package keyspace

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/shoal-db/shoal/internal/slot"
)

const testEpoch = 1_700_000_000_000

// testKS is a keyspace on a fake clock with recorders for propagated
// effects and notifications.
type testKS struct {
	*Keyspace
	clock *atomic.Int64
	sink  *recSink
	notes *recNotes
}

func newTestKS(t testing.TB) *testKS {
	t.Helper()
	clock := new(atomic.Int64)
	clock.Store(testEpoch)
	ks := New(Options{Databases: 4, Now: clock.Load})
	k := &testKS{Keyspace: ks, clock: clock, sink: &recSink{}, notes: &recNotes{}}
	ks.AddSink(k.sink)
	ks.SetNotifier(k.notes)
	f, _ := ParseNotifyFlags("KEA")
	ks.SetNotifyFlags(f)
	return k
}

func (k *testKS) advance(ms int64) { k.clock.Add(ms) }

// run executes fn in a Tx on database db with the slots of keys locked, as
// the dispatcher does.
func (k *testKS) run(db int, keys []string, fn func(tx *Tx)) {
	var slots []int
	seen := map[int]bool{}
	for _, key := range keys {
		s := slot.OfString(key)
		if !seen[s] {
			seen[s] = true
			slots = append(slots, s)
		}
	}
	sortInts(slots)
	k.LockSlots(slots)
	defer k.UnlockSlots(slots)
	tx := k.NewTx()
	tx.Begin(db)
	fn(tx)
	tx.Finish()
}

// runAll executes fn in a Tx holding every slot lock.
func (k *testKS) runAll(db int, fn func(tx *Tx)) {
	k.LockAll()
	defer k.UnlockAll()
	tx := k.NewTx()
	tx.HoldsAll = true
	tx.Begin(db)
	fn(tx)
	tx.Finish()
}

func (k *testKS) set(db int, key, val string, expireAt int64) {
	k.run(db, []string{key}, func(tx *Tx) {
		tx.Set([]byte(key), NewString([]byte(val)), false)
		if expireAt > 0 {
			tx.SetExpire([]byte(key), expireAt)
		}
	})
}

func (k *testKS) exists(db int, key string) bool {
	var ok bool
	k.run(db, []string{key}, func(tx *Tx) { ok = tx.Exists([]byte(key)) })
	return ok
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

type recSink struct {
	mu  sync.Mutex
	got []string
}

func (s *recSink) Propagate(db, _ int, argv [][]byte) {
	parts := make([]string, len(argv))
	for i, a := range argv {
		parts[i] = string(a)
	}
	s.mu.Lock()
	s.got = append(s.got, fmt.Sprintf("%d: %s", db, strings.Join(parts, " ")))
	s.mu.Unlock()
}

func (s *recSink) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.got
	s.got = nil
	return out
}

type recNotes struct {
	mu  sync.Mutex
	got []string
}

func (n *recNotes) PublishNotification(ch, msg []byte) {
	n.mu.Lock()
	n.got = append(n.got, string(ch)+" "+string(msg))
	n.mu.Unlock()
}

func (n *recNotes) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.got
	n.got = nil
	return out
}

// countingWatcher counts Touch calls.
type countingWatcher struct{ n atomic.Int64 }

func (w *countingWatcher) Touch() { w.n.Add(1) }

func (w *countingWatcher) reset() int64 { return w.n.Swap(0) }
