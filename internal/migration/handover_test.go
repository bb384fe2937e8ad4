package migration

import (
	"slices"
	"sync"
	"testing"
)

// turnLink is an import link with only what the turn logic uses: its
// pushes are recorded.
func turnLink(m *Manager, name string, log *[]string, mu *sync.Mutex) *ImportLink {
	return &ImportLink{m: m, job: &Job{Name: name}, push: func(sub ...string) {
		mu.Lock()
		*log = append(*log, name+" "+sub[0])
		mu.Unlock()
	}}
}

// Imports reaching SNAPSHOT-EOF together ask their sources to pause one
// after another, in order, each when the one before ends; an import that
// ends while it waits gives up its place.
func TestOneHandoverAtATime(t *testing.T) {
	m := &Manager{}
	var log []string
	var mu sync.Mutex
	a, b, c, d := turnLink(m, "a", &log, &mu), turnLink(m, "b", &log, &mu), turnLink(m, "c", &log, &mu), turnLink(m, "d", &log, &mu)
	for _, l := range []*ImportLink{a, b, c, d} {
		l.awaitTurn()
	}
	want := []string{"a REQUEST-PAUSE"}
	if !slices.Equal(log, want) || m.handovers.Load() != 1 {
		t.Fatalf("four imports at SNAPSHOT-EOF pushed %v with %d handing over; want %v and 1", log, m.handovers.Load(), want)
	}
	c.leaveHandover() // c fails while it waits
	a.leaveHandover() // a's hand-over ends
	want = append(want, "b REQUEST-PAUSE")
	if !slices.Equal(log, want) || m.turn != b || m.handovers.Load() != 1 {
		t.Fatalf("after a ended: pushes %v, turn %v; want %v and b", log, m.turn.Name(), want)
	}
	b.leaveHandover()
	want = append(want, "d REQUEST-PAUSE")
	if !slices.Equal(log, want) {
		t.Fatalf("after b ended: pushes %v, want %v", log, want)
	}
	d.leaveHandover()
	d.leaveHandover() // twice (the cron and the link): no effect
	if m.turn != nil || len(m.queue) != 0 || m.handovers.Load() != 0 {
		t.Fatalf("all ended: turn %v, queue %d, handing over %d", m.turn, len(m.queue), m.handovers.Load())
	}
	e := turnLink(m, "e", &log, &mu)
	e.awaitTurn()
	if log[len(log)-1] != "e REQUEST-PAUSE" {
		t.Fatalf("a lone import after the others waited: pushes %v", log)
	}
}
