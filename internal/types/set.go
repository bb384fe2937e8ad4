package types

import (
	"sort"
	"strconv"
)

// Set is a set value in one of Valkey's three encodings: a sorted slice of
// integers (intset) while every member is an integer and there are at
// most set-max-intset-entries; a listpack while small; a Dict otherwise.
// Conversions only go towards the larger encodings, as in Valkey.
type Set struct {
	is  []int64
	lp  *Listpack
	d   *Dict[struct{}]
	mem int64
}

// NewSetFor returns an empty set whose encoding suits its first member.
func NewSetFor(first []byte, lim Limits) *Set {
	if _, ok := ParseInt(first); ok && lim.SetMaxIntsetEntries > 0 {
		return &Set{is: []int64{}}
	}
	if len(first) <= lim.SetMaxListpackValue && lim.SetMaxListpackEntries > 0 {
		return &Set{lp: &Listpack{}}
	}
	return &Set{d: NewDict[struct{}](0)}
}

// Kind implements Object.
func (s *Set) Kind() Kind { return KindSet }

// Encoding implements Object.
func (s *Set) Encoding() string {
	switch {
	case s.is != nil:
		return "intset"
	case s.lp != nil:
		return "listpack"
	}
	return "hashtable"
}

// Len implements Object.
func (s *Set) Len() int {
	switch {
	case s.is != nil:
		return len(s.is)
	case s.lp != nil:
		return s.lp.Len()
	}
	return s.d.Len()
}

// MemUsage implements Object.
func (s *Set) MemUsage() int64 {
	switch {
	case s.is != nil:
		return 64 + AllocSize(cap(s.is)*8)
	case s.lp != nil:
		return 48 + s.lp.MemUsage()
	}
	return 80 + int64(len(s.d.buckets))*8 + s.mem
}

// Clone implements Object.
func (s *Set) Clone() Object {
	switch {
	case s.is != nil:
		return &Set{is: append([]int64{}, s.is...)}
	case s.lp != nil:
		return &Set{lp: s.lp.Clone()}
	}
	c := &Set{d: NewDict[struct{}](s.d.Len()), mem: s.mem}
	s.d.Range(func(k string, _ struct{}) bool { c.d.Set(k, struct{}{}); return true })
	return c
}

func (s *Set) intIndex(v int64) (int, bool) {
	i := sort.Search(len(s.is), func(i int) bool { return s.is[i] >= v })
	return i, i < len(s.is) && s.is[i] == v
}

// Contains reports membership.
func (s *Set) Contains(m []byte) bool {
	switch {
	case s.is != nil:
		v, ok := ParseInt(m)
		if !ok {
			return false
		}
		_, found := s.intIndex(v)
		return found
	case s.lp != nil:
		return s.lp.Find(m, 1) >= 0
	}
	_, ok := s.d.Get(string(m))
	return ok
}

// Add inserts m and reports whether it was new.
func (s *Set) Add(m []byte, lim Limits) bool {
	if s.is != nil {
		if v, ok := ParseInt(m); ok {
			i, found := s.intIndex(v)
			if found {
				return false
			}
			if len(s.is)+1 <= lim.SetMaxIntsetEntries {
				s.is = append(s.is, 0)
				copy(s.is[i+1:], s.is[i:])
				s.is[i] = v
				return true
			}
		} else if s.Contains(m) {
			return false
		}
		s.fromIntset(len(s.is)+1, len(m), lim)
	}
	if s.lp != nil {
		if s.lp.Find(m, 1) >= 0 {
			return false
		}
		if s.lp.Len()+1 <= lim.SetMaxListpackEntries && len(m) <= lim.SetMaxListpackValue {
			s.lp.Append(m)
			return true
		}
		s.toDict()
	}
	k := string(m)
	if s.d.Set(k, struct{}{}) {
		s.mem += dictEntryOverhead + AllocSize(len(k))
		return true
	}
	return false
}

// fromIntset converts an intset that must grow to size n with a new member
// of length mlen: to a listpack if it would fit, else to a Dict.
func (s *Set) fromIntset(n, mlen int, lim Limits) {
	is := s.is
	s.is = nil
	if n <= lim.SetMaxListpackEntries && mlen <= lim.SetMaxListpackValue {
		s.lp = &Listpack{}
		for _, v := range is {
			s.lp.Append(strconv.AppendInt(nil, v, 10))
		}
		return
	}
	s.d = NewDict[struct{}](n)
	for _, v := range is {
		k := strconv.FormatInt(v, 10)
		s.d.Set(k, struct{}{})
		s.mem += dictEntryOverhead + AllocSize(len(k))
	}
}

func (s *Set) toDict() {
	d := NewDict[struct{}](s.lp.Len())
	s.lp.Range(func(_ int, v []byte) bool {
		d.Set(string(v), struct{}{})
		s.mem += dictEntryOverhead + AllocSize(len(v))
		return true
	})
	s.lp, s.d = nil, d
}

// Remove deletes m and reports whether it was present.
func (s *Set) Remove(m []byte) bool {
	switch {
	case s.is != nil:
		v, ok := ParseInt(m)
		if !ok {
			return false
		}
		i, found := s.intIndex(v)
		if !found {
			return false
		}
		s.is = append(s.is[:i], s.is[i+1:]...)
		return true
	case s.lp != nil:
		i := s.lp.Find(m, 1)
		if i < 0 {
			return false
		}
		s.lp.Delete(i, 1)
		return true
	}
	if s.d.Delete(string(m)) {
		s.mem -= dictEntryOverhead + AllocSize(len(m))
		return true
	}
	return false
}

// Range calls fn for every member until it returns false. The slice may
// alias the set.
func (s *Set) Range(fn func(m []byte) bool) {
	switch {
	case s.is != nil:
		var buf [24]byte
		for _, v := range s.is {
			if !fn(strconv.AppendInt(buf[:0], v, 10)) {
				return
			}
		}
	case s.lp != nil:
		s.lp.Range(func(_ int, v []byte) bool { return fn(v) })
	default:
		s.d.Range(func(k string, _ struct{}) bool { return fn([]byte(k)) })
	}
}

// Members returns copies of all members.
func (s *Set) Members() [][]byte {
	out := make([][]byte, 0, s.Len())
	s.Range(func(m []byte) bool { out = append(out, append([]byte(nil), m...)); return true })
	return out
}

// Scan is one SSCAN step (see Hash.Scan).
func (s *Set) Scan(cursor uint64, count int, fn func(m []byte)) uint64 {
	if s.d == nil {
		s.Range(func(m []byte) bool { fn(m); return true })
		return 0
	}
	seen := 0
	for {
		cursor = s.d.Scan(cursor, func(k string, _ struct{}) { fn([]byte(k)); seen++ })
		if cursor == 0 || seen >= count {
			return cursor
		}
	}
}

// Random returns a random member (a copy).
func (s *Set) Random(r uint64) ([]byte, bool) {
	switch n := s.Len(); {
	case n == 0:
		return nil, false
	case s.is != nil:
		return strconv.AppendInt(nil, s.is[r%uint64(n)], 10), true
	case s.lp != nil:
		return append([]byte(nil), s.lp.Get(int(r%uint64(n)))...), true
	}
	k, _, ok := s.d.Random(r)
	return []byte(k), ok
}
