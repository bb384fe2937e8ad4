package types

import (
	"sort"
	"strconv"
)

// Set is a set value in one of Valkey's three encodings: a sorted slice of
// integers (intset) while every member is an integer and there are at
// most set-max-intset-entries; a listpack while small; a Dict otherwise.
//
// The conversion rules are Valkey's (t_set.c setTypeCreate, setTypeAddAux,
// setTypeMaybeConvert, maybeConvertToIntset) down to their quirks, because
// OBJECT ENCODING makes them observable: a set is created with a size hint
// (the number of members the command is about to add), an intset that
// overflows set-max-intset-entries becomes a hashtable (never a listpack),
// and only the STORE commands and SPOP ever shrink an encoding back, by
// building a new set.
type Set struct {
	enc setEncoding
	is  []int64 // intset: ascending, unique
	lp  *Listpack
	d   *Dict[struct{}]
	mem int64 // hashtable: bytes of the entries and their keys
}

type setEncoding uint8

const (
	setIntset setEncoding = iota
	setListpack
	setHashtable
)

// NewSet returns an empty set whose encoding suits first and the expected
// number of members, as Valkey's setTypeCreate: an intset when first is
// an integer and hint fits set-max-intset-entries, else a listpack when
// hint fits set-max-listpack-entries, else a hashtable sized for hint.
func NewSet(first []byte, hint int, lim Limits) *Set {
	if _, ok := ParseInt(first); ok && hint <= setIntsetMax(lim) {
		return NewIntSet()
	}
	if hint <= lim.SetMaxListpackEntries {
		return NewListpackSet()
	}
	return &Set{enc: setHashtable, d: setNewDict(hint)}
}

// setNewDict returns an empty set hashtable sized for hint members.
func setNewDict(hint int) *Dict[struct{}] {
	return NewDict[struct{}](hint)
}

// NewSetFor returns an empty set for one member (NewSet with hint 1).
func NewSetFor(first []byte, lim Limits) *Set { return NewSet(first, 1, lim) }

// NewIntSet returns an empty intset-encoded set (the temporary result of
// SUNION/SDIFF and of SINTER over an intset starts this way in Valkey).
func NewIntSet() *Set { return &Set{enc: setIntset, is: []int64{}} }

// NewListpackSet returns an empty listpack-encoded set.
func NewListpackSet() *Set { return &Set{enc: setListpack, lp: &Listpack{}} }

// setIntsetMax is set-max-intset-entries, capped as Valkey caps it.
func setIntsetMax(lim Limits) int { return min(lim.SetMaxIntsetEntries, 1<<30) }

// Kind implements Object.
func (s *Set) Kind() Kind { return KindSet }

// Encoding implements Object.
func (s *Set) Encoding() string {
	switch s.enc {
	case setIntset:
		return "intset"
	case setListpack:
		return "listpack"
	}
	return "hashtable"
}

// IsIntset reports whether the set is intset-encoded (all members are
// integers).
func (s *Set) IsIntset() bool { return s.enc == setIntset }

// IsListpack reports whether the set is listpack-encoded.
func (s *Set) IsListpack() bool { return s.enc == setListpack }

// IsHashtable reports whether the set is hashtable-encoded.
func (s *Set) IsHashtable() bool { return s.enc == setHashtable }

// Len implements Object.
func (s *Set) Len() int {
	switch s.enc {
	case setIntset:
		return len(s.is)
	case setListpack:
		return s.lp.Len()
	}
	return s.d.Len()
}

// MemUsage implements Object.
func (s *Set) MemUsage() int64 {
	switch s.enc {
	case setIntset:
		return 64 + AllocSize(cap(s.is)*8)
	case setListpack:
		return 48 + s.lp.MemUsage()
	}
	return 80 + int64(len(s.d.buckets))*8 + s.mem
}

// Clone implements Object. The copy has the same encoding (Valkey's
// setTypeDup, used by COPY).
func (s *Set) Clone() Object {
	switch s.enc {
	case setIntset:
		return &Set{enc: setIntset, is: append([]int64{}, s.is...)}
	case setListpack:
		return &Set{enc: setListpack, lp: s.lp.Clone()}
	}
	c := &Set{enc: setHashtable, d: setNewDict(s.d.Len()), mem: s.mem}
	s.d.Range(func(k string, _ struct{}) bool { c.d.Set(k, struct{}{}); return true })
	return c
}

func (s *Set) intIndex(v int64) (int, bool) {
	i := sort.Search(len(s.is), func(i int) bool { return s.is[i] >= v })
	return i, i < len(s.is) && s.is[i] == v
}

// Contains reports membership.
func (s *Set) Contains(m []byte) bool {
	switch s.enc {
	case setIntset:
		v, ok := ParseInt(m)
		if !ok {
			return false
		}
		_, found := s.intIndex(v)
		return found
	case setListpack:
		return s.lp.Find(m, 1) >= 0
	}
	_, ok := s.d.Get(string(m))
	return ok
}

// MaybeConvert converts a small encoding to a hashtable ahead of adding
// hint members that would not fit it (Valkey's setTypeMaybeConvert, run
// by SADD on an existing set with the number of arguments, whether or not
// they turn out to be new).
func (s *Set) MaybeConvert(hint int, lim Limits) {
	if (s.enc == setListpack && hint > lim.SetMaxListpackEntries) ||
		(s.enc == setIntset && hint > setIntsetMax(lim)) {
		s.toDict(hint)
	}
}

// WouldConvert reports whether MaybeConvert(hint) would change the
// encoding.
func (s *Set) WouldConvert(hint int, lim Limits) bool {
	return (s.enc == setListpack && hint > lim.SetMaxListpackEntries) ||
		(s.enc == setIntset && hint > setIntsetMax(lim))
}

// Add inserts m and reports whether it was new, converting the encoding
// as Valkey's setTypeAddAux does.
func (s *Set) Add(m []byte, lim Limits) bool {
	switch s.enc {
	case setHashtable:
		return s.dictAdd(m)
	case setListpack:
		if s.lp.Find(m, 1) >= 0 {
			return false
		}
		if s.lp.Len() < lim.SetMaxListpackEntries && len(m) <= lim.SetMaxListpackValue {
			s.lp.Append(m)
			return true
		}
		s.toDict(s.lp.Len() + 1)
		return s.dictAdd(m)
	}
	if v, ok := ParseInt(m); ok {
		if !s.addInt(v) {
			return false
		}
		// An intset that outgrows set-max-intset-entries becomes a
		// hashtable, never a listpack (maybeConvertIntset).
		if len(s.is) > setIntsetMax(lim) {
			s.toDict(len(s.is))
		}
		return true
	}
	// A non-integer joins an intset: a listpack if the set (including the
	// widest integer it holds) fits one, else a hashtable.
	n := len(s.is)
	widest := 0
	if n > 0 {
		widest = max(intDigits(s.is[0]), intDigits(s.is[n-1]))
	}
	if n < lim.SetMaxListpackEntries && len(m) <= lim.SetMaxListpackValue && widest <= lim.SetMaxListpackValue {
		s.toListpack()
		s.lp.Append(m)
		return true
	}
	s.toDict(n + 1)
	return s.dictAdd(m)
}

// addInt inserts v into the intset in order.
func (s *Set) addInt(v int64) bool {
	i, found := s.intIndex(v)
	if found {
		return false
	}
	s.is = append(s.is, 0)
	copy(s.is[i+1:], s.is[i:])
	s.is[i] = v
	return true
}

// intDigits is the length of v's decimal form (Valkey's sdigits10).
func intDigits(v int64) int {
	var buf [24]byte
	return len(strconv.AppendInt(buf[:0], v, 10))
}

func (s *Set) dictAdd(m []byte) bool {
	k := string(m)
	if s.d.Set(k, struct{}{}) {
		s.mem += dictEntryOverhead + AllocSize(len(k))
		return true
	}
	return false
}

// toListpack converts an intset to a listpack.
func (s *Set) toListpack() {
	lp := &Listpack{}
	var buf [24]byte
	for _, v := range s.is {
		lp.Append(strconv.AppendInt(buf[:0], v, 10))
	}
	s.enc, s.is, s.lp = setListpack, nil, lp
}

// toDict converts a small encoding to a hashtable sized for capacity.
func (s *Set) toDict(capacity int) {
	if s.enc == setHashtable {
		return
	}
	d := setNewDict(max(capacity, s.Len()))
	var mem int64
	s.Range(func(m []byte) bool {
		d.Set(string(m), struct{}{})
		mem += dictEntryOverhead + AllocSize(len(m))
		return true
	})
	s.enc, s.is, s.lp, s.d, s.mem = setHashtable, nil, nil, d, mem
}

// ConvertToIntset turns a set whose members are all integers into an
// intset if it has at most set-max-intset-entries members (Valkey's
// maybeConvertToIntset, applied to SINTERSTORE results). It does nothing
// if some member is not an integer.
func (s *Set) ConvertToIntset(lim Limits) {
	if s.enc == setIntset || s.Len() > setIntsetMax(lim) {
		return
	}
	is := make([]int64, 0, s.Len())
	ok := true
	s.Range(func(m []byte) bool {
		var v int64
		v, ok = ParseInt(m)
		is = append(is, v)
		return ok
	})
	if !ok {
		return
	}
	sort.Slice(is, func(i, j int) bool { return is[i] < is[j] })
	s.enc, s.is, s.lp, s.d, s.mem = setIntset, is, nil, nil, 0
}

// Remove deletes m and reports whether it was present. Encodings never
// shrink back on removal, as in Valkey.
func (s *Set) Remove(m []byte) bool {
	switch s.enc {
	case setIntset:
		v, ok := ParseInt(m)
		if !ok {
			return false
		}
		i, found := s.intIndex(v)
		if !found {
			return false
		}
		s.is = append(s.is[:i], s.is[i+1:]...)
		if cap(s.is) > 64 && len(s.is) < cap(s.is)/4 {
			s.is = append([]int64{}, s.is...)
		}
		return true
	case setListpack:
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
