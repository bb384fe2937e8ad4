package types

import (
	"math/rand/v2"
	"strconv"
	"unsafe"
)

// Range calls fn for every member until it returns false, in the
// encoding's order: ascending for an intset, insertion order for a
// listpack, bucket order for a hashtable. The slice may alias the set (or
// a scratch buffer) and is valid only during the call; fn must not modify
// the set.
func (s *Set) Range(fn func(m []byte) bool) {
	switch s.enc {
	case setIntset:
		var buf [24]byte
		for _, v := range s.is {
			if !fn(strconv.AppendInt(buf[:0], v, 10)) {
				return
			}
		}
	case setListpack:
		s.lp.Range(func(_ int, v []byte) bool { return fn(v) })
	default:
		s.d.Range(func(k string, _ struct{}) bool { return fn(setStrBytes(k)) })
	}
}

// setStrBytes views a hashtable member as bytes without copying; callers
// of Range and Scan only read the slice.
func setStrBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// Members returns copies of all members in Range order.
func (s *Set) Members() [][]byte {
	out := make([][]byte, 0, s.Len())
	s.Range(func(m []byte) bool { out = append(out, append([]byte(nil), m...)); return true })
	return out
}

// Scan is one SSCAN step. A small encoding is returned whole with cursor
// 0, as Valkey does (so a set that converts between calls still honours
// the SCAN guarantee: the next call returns everything). A hashtable is
// walked with Dict's reverse-binary cursor until count members have been
// visited, the iteration ends, or 10*count buckets were looked at (Valkey
// bounds the work on a sparse table the same way).
func (s *Set) Scan(cursor uint64, count int, fn func(m []byte)) uint64 {
	if s.enc != setHashtable {
		s.Range(func(m []byte) bool { fn(m); return true })
		return 0
	}
	seen := 0
	for budget := count * 10; ; budget-- {
		cursor = s.d.Scan(cursor, func(k string, _ struct{}) { fn(setStrBytes(k)); seen++ })
		if cursor == 0 || seen >= count || budget <= 0 {
			return cursor
		}
	}
}

// Random returns a copy of a random member, or false for an empty set.
func (s *Set) Random() ([]byte, bool) {
	n := s.Len()
	if n == 0 {
		return nil, false
	}
	switch s.enc {
	case setIntset:
		return strconv.AppendInt(nil, s.is[rand.IntN(n)], 10), true
	case setListpack:
		return append([]byte(nil), s.lp.Get(rand.IntN(n))...), true
	}
	k, _, ok := s.d.Random(rand.Uint64())
	return []byte(k), ok
}

// RandomRepeat calls fn count times with a random member each time,
// members may repeat (SRANDMEMBER with a negative count). The slice is
// valid only during the call. fn returns false to stop early.
func (s *Set) RandomRepeat(count int, fn func(m []byte) bool) {
	n := s.Len()
	if n == 0 {
		return
	}
	switch s.enc {
	case setIntset:
		var buf [24]byte
		for ; count > 0; count-- {
			if !fn(strconv.AppendInt(buf[:0], s.is[rand.IntN(n)], 10)) {
				return
			}
		}
	case setListpack:
		// Index the listpack once so each pick is O(1).
		view := make([][]byte, 0, n)
		s.lp.Range(func(_ int, v []byte) bool { view = append(view, v); return true })
		for ; count > 0; count-- {
			if !fn(view[rand.IntN(n)]) {
				return
			}
		}
	default:
		for ; count > 0; count-- {
			k, _, _ := s.d.Random(rand.Uint64())
			if !fn(setStrBytes(k)) {
				return
			}
		}
	}
}

// PickDistinct returns copies of count distinct random members; count
// must be less than Len. A small encoding is sampled in one pass and the
// result keeps the encoding's order (Valkey's listpack case); a hashtable
// either sheds random members from a full copy, when count is a large
// share of the set, or collects random picks until it has count distinct
// ones (SRANDMEMBER's cases 3 and 4).
func (s *Set) PickDistinct(count int) [][]byte {
	n := s.Len()
	if count <= 0 || n == 0 {
		return nil
	}
	count = min(count, n)
	out := make([][]byte, 0, count)
	if s.enc != setHashtable {
		// Selection sampling (Knuth's algorithm S): member i is taken
		// with probability (still needed)/(still available).
		i := 0
		s.Range(func(m []byte) bool {
			if rand.IntN(n-i) < count-len(out) {
				out = append(out, append([]byte(nil), m...))
			}
			i++
			return len(out) < count
		})
		return out
	}
	if count*3 > n {
		all := s.Members()
		for i := 0; i < count; i++ {
			j := i + rand.IntN(n-i)
			all[i], all[j] = all[j], all[i]
		}
		return all[:count]
	}
	seen := make(map[string]struct{}, count)
	for len(out) < count {
		k, _, _ := s.d.Random(rand.Uint64())
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		out = append(out, []byte(k))
	}
	return out
}

// SmallTwin returns an empty set in the compact encoding Valkey gives the
// survivors of a large SPOP (spopWithCountCommand, case 3): an intset for
// an intset, a listpack otherwise, even for a hashtable of integers.
func (s *Set) SmallTwin() *Set {
	if s.enc == setIntset {
		return NewIntSet()
	}
	return NewListpackSet()
}
