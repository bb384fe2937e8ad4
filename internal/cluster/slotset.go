package cluster

import (
	"math/bits"

	"github.com/shoal-db/shoal/internal/slot"
)

// SlotSet is a bitmap of the 16384 hash slots, the unit in which nodes
// claim ownership in PING/PONG headers and UPDATE messages.
type SlotSet [slot.Count / 64]uint64

// Has reports whether slot s is in the set.
func (b *SlotSet) Has(s int) bool { return b[s>>6]&(1<<(uint(s)&63)) != 0 }

// Set adds slot s and reports whether it was already present.
func (b *SlotSet) Set(s int) bool {
	old := b.Has(s)
	b[s>>6] |= 1 << (uint(s) & 63)
	return old
}

// Clear removes slot s and reports whether it was present.
func (b *SlotSet) Clear(s int) bool {
	old := b.Has(s)
	b[s>>6] &^= 1 << (uint(s) & 63)
	return old
}

// Count returns the number of slots in the set.
func (b *SlotSet) Count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// Empty reports whether no slot is set.
func (b *SlotSet) Empty() bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}

// Range is an inclusive range of slots.
type Range struct{ Start, End int }

// Ranges returns the set as ascending, maximal inclusive ranges.
func (b *SlotSet) Ranges() []Range {
	var out []Range
	start := -1
	for s := 0; s <= slot.Count; s++ {
		in := s < slot.Count && b.Has(s)
		switch {
		case in && start < 0:
			start = s
		case !in && start >= 0:
			out = append(out, Range{start, s - 1})
			start = -1
		}
		if s < slot.Count && start < 0 && b[s>>6] == 0 && s&63 == 0 {
			s += 63 // skip empty words quickly
		}
	}
	return out
}

// SetRange adds the inclusive range [start, end].
func (b *SlotSet) SetRange(start, end int) {
	for s := start; s <= end; s++ {
		b.Set(s)
	}
}
