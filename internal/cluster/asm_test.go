package cluster

import "testing"

// A source adopts its target's claim as an UPDATE would: the slots move
// with the newer epoch, the target keeps the slots it had, our keys in
// them are to be deleted, nothing is fsynced; a claim with the epoch we
// know takes new slots, and a stale or repeated one changes nothing.
func TestAdoptImportClaim(t *testing.T) {
	s := loadTrio(t, t0)
	out, err := s.AdoptImportClaim(t0, idX, 9, []int{0, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, sl := range []int{0, 1, 2, 12000} {
		if s.SlotOwner(sl) != idX {
			t.Fatalf("slot %d owner %s, want the claiming target", sl, s.SlotOwner(sl))
		}
	}
	if s.SlotOwner(3) != idMe || s.CurrentEpoch() != 9 {
		t.Fatalf("slot 3 owner %s, currentEpoch %d", s.SlotOwner(3), s.CurrentEpoch())
	}
	if !out.Save || out.Fsync || !out.Topology {
		t.Fatalf("save %v fsync %v topology %v: want a save without fsync and new routes", out.Save, out.Fsync, out.Topology)
	}
	var del []int
	for _, e := range out.Events {
		if e.Kind == EventDeleteSlots {
			del = e.Slots
		}
	}
	if len(del) != 3 {
		t.Fatalf("delete events %v, want slots 0-2", del)
	}

	// The target's second claim of a run keeps its epoch (already the
	// greatest): its slots move as a PONG's would.
	if _, err := s.AdoptImportClaim(t0, idX, 9, []int{3}); err != nil {
		t.Fatal(err)
	}
	if s.SlotOwner(3) != idX {
		t.Fatalf("slot 3 owner %s after a second claim with the same epoch", s.SlotOwner(3))
	}
	// Repeated, it changes nothing; older than what we know, nothing.
	if out, _ = s.AdoptImportClaim(t0, idX, 9, []int{3}); out.Topology {
		t.Fatal("a repeated claim changed the routes")
	}
	if out, _ = s.AdoptImportClaim(t0, idX, 8, []int{4}); s.SlotOwner(4) != idMe || out.Save {
		t.Fatal("a claim older than the target's known epoch was applied")
	}
	if _, err := s.AdoptImportClaim(t0, ID("eeee000000000000000000000000000000000005"), 20, []int{4}); err != ErrClaimUnknownNode {
		t.Fatalf("unknown node: %v", err)
	}
}
