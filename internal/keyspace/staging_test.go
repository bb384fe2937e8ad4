package keyspace

import (
	"fmt"
	"testing"

	"github.com/shoal-db/shoal/internal/slot"
)

// TestStagingInvisibleThenPublished: staged keys are invisible to the live
// database's counters and lookups until PublishStaged, which makes them
// live with exact counts; DropStaged returns the memory.
func TestStagingInvisibleThenPublished(t *testing.T) {
	for _, publish := range []bool{true, false} {
		ks := New(Options{Databases: 2})
		base := ks.mem.dataset.Load()
		key := []byte("{st}k0")
		s := slot.Of(key)
		ks.StageSlots([]int{s})
		tx := ks.NewTx()
		tx.Staging = true
		for db := 0; db < 2; db++ {
			ks.LockSlot(s)
			tx.Begin(db)
			for i := 0; i < 100; i++ {
				k := []byte(fmt.Sprintf("{st}k%d", i))
				tx.Set(k, NewString([]byte("v")), false)
				if i%10 == 0 {
					tx.SetExpire(k, ks.Now()+100000)
				}
			}
			tx.Finish()
			ks.UnlockSlot(s)
		}
		live := ks.NewTx()
		ks.LockSlot(s)
		live.Begin(0)
		if live.Exists(key) || ks.DB(0).Size() != 0 || ks.DB(1).Expires() != 0 || ks.SlotCount(s) != 0 {
			ks.UnlockSlot(s)
			t.Fatalf("staged keys visible: size %d", ks.DB(0).Size())
		}
		ks.UnlockSlot(s)
		if got := ks.StagedCount(s); got != 200 {
			t.Fatalf("StagedCount %d, want 200", got)
		}
		if publish {
			ks.PublishStaged([]int{s})
			ks.LockSlot(s)
			live.Begin(1)
			ok := live.Exists(key)
			ks.UnlockSlot(s)
			if !ok || ks.DB(1).Size() != 100 || ks.DB(1).Expires() != 10 || ks.SlotCount(s) != 200 || ks.StagedCount(s) != 0 || ks.Staging(s) {
				t.Fatalf("after publish: exists %v size %d expires %d slot %d", ok, ks.DB(1).Size(), ks.DB(1).Expires(), ks.SlotCount(s))
			}
			continue
		}
		if n := ks.DropStaged([]int{s}); n != 200 {
			t.Fatalf("dropped %d, want 200", n)
		}
		if used := ks.mem.dataset.Load(); used != base || ks.Staging(s) || ks.StagedCount(s) != 0 {
			t.Fatalf("after drop: memory %d, want %d", used, base)
		}
	}
}
