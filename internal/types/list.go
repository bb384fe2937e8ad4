package types

// List is a list value: a listpack while small (list-max-listpack-size),
// otherwise a ring-buffer deque of byte slices, reported as "quicklist".
// Both ends are O(1) in the large encoding; indexing is O(1) too.
type List struct {
	lp  *Listpack
	q   *deque
	mem int64
}

// NewList returns an empty list in the compact encoding.
func NewList() *List { return &List{lp: &Listpack{}} }

// Kind implements Object.
func (l *List) Kind() Kind { return KindList }

// Encoding implements Object.
func (l *List) Encoding() string {
	if l.lp != nil {
		return "listpack"
	}
	return "quicklist"
}

// Len implements Object.
func (l *List) Len() int {
	if l.lp != nil {
		return l.lp.Len()
	}
	return l.q.n
}

// MemUsage implements Object.
func (l *List) MemUsage() int64 {
	if l.lp != nil {
		return 48 + l.lp.MemUsage()
	}
	return 80 + AllocSize(len(l.q.buf)*24) + l.mem
}

// Clone implements Object.
func (l *List) Clone() Object {
	if l.lp != nil {
		return &List{lp: l.lp.Clone()}
	}
	c := &List{q: newDeque(l.q.n), mem: l.mem}
	for i := 0; i < l.q.n; i++ {
		c.q.pushBack(append([]byte(nil), l.q.at(i)...))
	}
	return c
}

// fits reports whether the listpack can take n more elements totalling
// extra bytes without exceeding list-max-listpack-size.
func (l *List) fits(n, extra int, lim Limits) bool {
	maxEntries, maxBytes := lim.listLimits()
	return l.lp.Len()+n <= maxEntries && l.lp.Bytes()+extra+n*2 <= maxBytes
}

func (l *List) toDeque() {
	q := newDeque(l.lp.Len())
	l.lp.Range(func(_ int, v []byte) bool {
		q.pushBack(append([]byte(nil), v...))
		l.mem += AllocSize(len(v))
		return true
	})
	l.lp, l.q = nil, q
}

// maybeShrink converts back to a listpack when the list has shrunk to half
// the limit, as Valkey does, so a list that grew once does not stay large.
func (l *List) maybeShrink(lim Limits) {
	if l.q == nil {
		return
	}
	maxEntries, maxBytes := lim.listLimits()
	if l.q.n > maxEntries/2 || int(l.mem) > maxBytes/2 {
		return
	}
	lp := &Listpack{}
	for i := 0; i < l.q.n; i++ {
		lp.Append(l.q.at(i))
	}
	l.lp, l.q, l.mem = lp, nil, 0
}

// Push adds v at the head (left) or tail.
func (l *List) Push(v []byte, left bool, lim Limits) {
	if l.lp != nil {
		if l.fits(1, len(v), lim) {
			if left {
				l.lp.Insert(0, v)
			} else {
				l.lp.Append(v)
			}
			return
		}
		l.toDeque()
	}
	c := append([]byte(nil), v...)
	l.mem += AllocSize(len(c))
	if left {
		l.q.pushFront(c)
	} else {
		l.q.pushBack(c)
	}
}

// Pop removes and returns the head (left) or tail element (a copy).
func (l *List) Pop(left bool, lim Limits) ([]byte, bool) {
	n := l.Len()
	if n == 0 {
		return nil, false
	}
	if l.lp != nil {
		i := 0
		if !left {
			i = n - 1
		}
		v := append([]byte(nil), l.lp.Get(i)...)
		l.lp.Delete(i, 1)
		return v, true
	}
	var v []byte
	if left {
		v = l.q.popFront()
	} else {
		v = l.q.popBack()
	}
	l.mem -= AllocSize(len(v))
	l.maybeShrink(lim)
	return v, true
}

// Index returns element i (0-based, already normalized). It aliases the list.
func (l *List) Index(i int) ([]byte, bool) {
	if i < 0 || i >= l.Len() {
		return nil, false
	}
	if l.lp != nil {
		return l.lp.Get(i), true
	}
	return l.q.at(i), true
}

// SetIndex replaces element i; it reports false when out of range.
func (l *List) SetIndex(i int, v []byte, lim Limits) bool {
	if i < 0 || i >= l.Len() {
		return false
	}
	if l.lp != nil {
		if l.fits(0, len(v)-len(l.lp.Get(i)), lim) {
			l.lp.Replace(i, v)
			return true
		}
		l.toDeque()
	}
	old := l.q.at(i)
	c := append([]byte(nil), v...)
	l.mem += AllocSize(len(c)) - AllocSize(len(old))
	l.q.set(i, c)
	return true
}

// Range visits elements start..stop (inclusive, normalized).
func (l *List) Range(start, stop int, fn func(i int, v []byte) bool) {
	if start < 0 {
		start = 0
	}
	if stop >= l.Len() {
		stop = l.Len() - 1
	}
	if l.lp != nil {
		l.lp.Range(func(i int, v []byte) bool {
			if i < start {
				return true
			}
			if i > stop {
				return false
			}
			return fn(i, v)
		})
		return
	}
	for i := start; i <= stop; i++ {
		if !fn(i, l.q.at(i)) {
			return
		}
	}
}

// Elements returns copies of every element (for conversions and DUMP).
func (l *List) Elements() [][]byte {
	out := make([][]byte, 0, l.Len())
	l.Range(0, l.Len()-1, func(_ int, v []byte) bool {
		out = append(out, append([]byte(nil), v...))
		return true
	})
	return out
}

// Replace rebuilds the list from elems (LINSERT, LREM, LTRIM rebuild the
// affected list; their cost is linear in Valkey as well).
func (l *List) Replace(elems [][]byte, lim Limits) {
	l.lp, l.q, l.mem = &Listpack{}, nil, 0
	for _, e := range elems {
		l.Push(e, false, lim)
	}
	l.maybeShrink(lim)
}

// deque is a growable ring buffer.
type deque struct {
	buf  [][]byte
	head int
	n    int
}

func newDeque(hint int) *deque {
	size := 8
	for size < hint {
		size <<= 1
	}
	return &deque{buf: make([][]byte, size)}
}

func (q *deque) grow() {
	nb := make([][]byte, len(q.buf)*2)
	for i := 0; i < q.n; i++ {
		nb[i] = q.at(i)
	}
	q.buf, q.head = nb, 0
}

func (q *deque) at(i int) []byte { return q.buf[(q.head+i)&(len(q.buf)-1)] }

func (q *deque) set(i int, v []byte) { q.buf[(q.head+i)&(len(q.buf)-1)] = v }

func (q *deque) pushBack(v []byte) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.set(q.n, v)
	q.n++
}

func (q *deque) pushFront(v []byte) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.head = (q.head - 1) & (len(q.buf) - 1)
	q.buf[q.head] = v
	q.n++
}

func (q *deque) popFront() []byte {
	v := q.buf[q.head]
	q.buf[q.head] = nil
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return v
}

func (q *deque) popBack() []byte {
	i := (q.head + q.n - 1) & (len(q.buf) - 1)
	v := q.buf[i]
	q.buf[i] = nil
	q.n--
	return v
}
