package netyield

import (
	"os"
	"sync"
	"testing"
)

func TestPoolYieldRunsNetworkWaiters(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	checkRunsNetworkWaiters(t, p.Yield)
}

func TestPoolReusesAndBoundsItsYielders(t *testing.T) {
	p := NewPool(3)
	defer p.Close()
	for i := 0; i < 100; i++ {
		p.Yield()
	}
	if p.made != 1 {
		t.Fatalf("100 yields one after another made %d Yielders, want 1", p.made)
	}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Go(func() {
			for i := 0; i < 200; i++ {
				p.Yield()
			}
		})
	}
	wg.Wait()
	if p.made > 3 {
		t.Fatalf("16 goroutines yielding at once made %d Yielders, want at most 3", p.made)
	}
	if len(p.free) != p.made {
		t.Fatalf("%d of %d Yielders came back", len(p.free), p.made)
	}
}

func TestPoolYieldDoesNotAllocate(t *testing.T) {
	p := NewPool(1)
	defer p.Close()
	p.Yield()
	if n := testing.AllocsPerRun(1000, p.Yield); n != 0 {
		t.Fatalf("Pool.Yield allocates %.1f times per call", n)
	}
}

// Close releases every descriptor, including a Yielder that was lent out
// at the time, and Yield keeps working (with Gosched) afterwards.
func TestPoolCloseReleasesDescriptors(t *testing.T) {
	before := openFiles(t)
	p := NewPool(4)
	lent := p.get()
	p.Yield() // makes a second one, which goes back to the pool
	if got := openFiles(t); got < before+4 {
		t.Fatalf("two Yielders should hold 4 descriptors: %d open, %d before", got, before)
	}
	p.Close()
	p.put(lent)
	p.Yield()
	if got := openFiles(t); got != before {
		t.Fatalf("after Close %d descriptors are open, %d before", got, before)
	}
}

func openFiles(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count descriptors: %v", err)
	}
	return len(ents)
}
