package netyield

import (
	"net"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// With one P and a goroutine that never blocks, a reader whose data is in
// the kernel runs only when the network is polled. Yield must get it run
// within a couple of calls; runtime.Gosched would leave it waiting for
// sysmon (10 ms, thousands of iterations).
func TestYieldRunsNetworkWaiters(t *testing.T) {
	checkRunsNetworkWaiters(t, newYielder(t).Yield)
}

func checkRunsNetworkWaiters(t *testing.T, yield func()) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	a, b := tcpPair(t)
	var got atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1)
		for {
			if _, err := a.Read(buf); err != nil {
				return
			}
			got.Add(1)
		}
	}()
	for round := int32(1); round <= 50; round++ {
		waitParked(yield)
		if _, err := b.Write([]byte{'x'}); err != nil {
			t.Fatal(err)
		}
		calls := 0
		for got.Load() < round {
			yield()
			calls++
			if calls > 1000 {
				t.Fatalf("round %d: the reader did not run after %d yields", round, calls)
			}
		}
		if calls > 2 {
			t.Fatalf("round %d: the reader ran after %d yields, want at most 2", round, calls)
		}
	}
	a.Close()
	<-done
}

// waitParked lets the reader goroutine get back into its Read.
func waitParked(yield func()) {
	for i := 0; i < 3; i++ {
		yield()
	}
}

func TestYieldDoesNotAllocate(t *testing.T) {
	y := newYielder(t)
	if n := testing.AllocsPerRun(1000, y.Yield); n != 0 {
		t.Fatalf("Yield allocates %.1f times per call", n)
	}
}

func TestNilAndClosedYielderFallBack(t *testing.T) {
	var y *Yielder
	y.Yield() // Gosched
	y2, err := New()
	if err != nil {
		t.Fatal(err)
	}
	y2.Close()
	finished := make(chan struct{})
	go func() { y2.Yield(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("Yield on a closed Yielder hung")
	}
}

func BenchmarkYield(b *testing.B) {
	y := newYielder(b)
	for b.Loop() {
		y.Yield()
	}
}

func BenchmarkGosched(b *testing.B) {
	for b.Loop() {
		runtime.Gosched()
	}
}

func tcpPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	acc := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		acc <- c
	}()
	b, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	a := <-acc
	if a == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// While every P stays busy the runtime polls the network only from
// sysmon, every 10 ms; Yield must come back after about MaxWait instead,
// or a background task that yields often would crawl. 40 yields against
// a goroutine that never lets the P idle: about 20 ms with the bound,
// 400 ms without it.
func TestYieldIsBoundedWhenTheSchedulerNeverIdles(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	y := newYielder(t)
	var stop atomic.Bool
	spun := make(chan struct{})
	go func() {
		defer close(spun)
		for !stop.Load() {
			runtime.Gosched()
		}
	}()
	start := time.Now()
	for i := 0; i < 40; i++ {
		y.Yield()
	}
	took := time.Since(start)
	stop.Store(true)
	<-spun
	if took > 200*time.Millisecond {
		t.Fatalf("40 yields under a busy scheduler took %v, want about 40 x %v", took, MaxWait)
	}
}

// newYielder returns a Yielder closed when the test ends.
func newYielder(tb testing.TB) *Yielder {
	tb.Helper()
	y, err := New()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { y.Close() })
	return y
}
