package cluster

import (
	"math/rand/v2"
	"testing"
)

// The routing snapshot's owner table and the cached slot ranges always
// match the slot table, whether they are reused, patched (a few slots
// changed hands) or rebuilt (many did, or the node list changed).
func TestRoutesOwnerTableFollowsSlots(t *testing.T) {
	s := newTestState(t, 1, 7000)
	rng := rand.New(rand.NewPCG(1, 2))
	nodes := []*node{s.myself}
	for i := 0; i < 3; i++ {
		n := s.createNode(NewID(s.rng), FlagPrimary)
		s.addNode(n)
		nodes = append(nodes, n)
	}
	check := func(step int) {
		t.Helper()
		r := s.Routes()
		for j, n := range s.slots {
			want := ID("")
			if n != nil {
				want = n.id
			}
			got := ID("")
			if i := r.Owner[j]; i >= 0 {
				got = r.Nodes[i].ID
			}
			if got != want {
				t.Fatalf("step %d: slot %d owned by %q in the routes, %q in the state", step, j, got, want)
			}
		}
		ranges := s.ownedRanges()
		count := 0
		for n, rs := range ranges {
			for _, rg := range rs {
				for j := rg.Start; j <= rg.End; j++ {
					if s.slots[j] != n {
						t.Fatalf("step %d: range %v of %s, but slot %d is not its", step, rg, n.id, j)
					}
					count++
				}
			}
		}
		assigned := 0
		for _, n := range s.slots {
			if n != nil {
				assigned++
			}
		}
		if count != assigned {
			t.Fatalf("step %d: ranges cover %d slots, %d are assigned", step, count, assigned)
		}
	}
	for step := 0; step < 200; step++ {
		switch changes := []int{0, 1, 3, 300}[rng.IntN(4)]; {
		case step == 50:
			n := s.createNode(NewID(s.rng), FlagPrimary) // a new node shifts the indexes
			s.addNode(n)
			nodes = append(nodes, n)
		default:
			for k := 0; k < changes; k++ {
				sl := rng.IntN(16384)
				s.delSlot(sl)
				if rng.IntN(5) > 0 {
					s.addSlot(nodes[rng.IntN(len(nodes))], sl)
				}
			}
		}
		check(step)
		if rng.IntN(3) == 0 {
			check(step) // unchanged: the same table again
		}
	}
}

// slotRanges agrees with SlotSet.Ranges on sparse, dense and full sets.
func TestSlotRanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 300; i++ {
		var b SlotSet
		switch i % 3 {
		case 0:
			for k := 0; k < rng.IntN(50); k++ {
				b.Set(rng.IntN(16384))
			}
		case 1:
			for k := 0; k < rng.IntN(20); k++ {
				lo := rng.IntN(16384)
				b.SetRange(lo, min(16383, lo+rng.IntN(3000)))
			}
		default:
			b.SetRange(0, 16383)
			b.Clear(rng.IntN(16384))
		}
		got, want := slotRanges(&b), b.Ranges()
		if len(got) != len(want) {
			t.Fatalf("set %d: %v, want %v", i, got, want)
		}
		for j := range got {
			if got[j] != want[j] {
				t.Fatalf("set %d: %v, want %v", i, got, want)
			}
		}
	}
}
