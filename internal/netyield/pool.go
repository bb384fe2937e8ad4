package netyield

import "sync"

// Pool lends Yielders to goroutines that yield now and then, such as
// client connections: a Yielder each would cost every connection two
// descriptors for a call most of them never make. At most max Yielders
// are made; a goroutine that finds none free yields with runtime.Gosched.
// A Pool is safe for concurrent use; the zero Pool makes no Yielders
// (every Yield is a Gosched), so use NewPool.
type Pool struct {
	mu     sync.Mutex
	free   []*Yielder // guarded by mu
	made   int        // guarded by mu
	max    int
	closed bool // guarded by mu
}

// NewPool returns a Pool that makes at most max Yielders.
func NewPool(max int) *Pool { return &Pool{max: max} }

// Yield is Yielder.Yield with a Yielder borrowed from the pool.
func (p *Pool) Yield() {
	y := p.get()
	y.Yield() // a nil Yielder falls back to Gosched
	if y != nil {
		p.put(y)
	}
}

func (p *Pool) get() *Yielder {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	if k := len(p.free); k > 0 {
		y := p.free[k-1]
		p.free = p.free[:k-1]
		return y
	}
	if p.made >= p.max {
		return nil
	}
	y, err := New()
	if err != nil {
		return nil // out of descriptors: Gosched this time
	}
	p.made++
	return y
}

func (p *Pool) put(y *Yielder) {
	p.mu.Lock()
	if !p.closed {
		p.free = append(p.free, y)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	y.Close()
}

// Close releases the idle Yielders; those lent out are released when
// they come back. Yield keeps working after Close, with Gosched.
func (p *Pool) Close() {
	p.mu.Lock()
	free := p.free
	p.free, p.closed = nil, true
	p.mu.Unlock()
	for _, y := range free {
		y.Close()
	}
}
