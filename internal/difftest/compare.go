package difftest

import (
	"bytes"
	"math"
	"sort"
	"strconv"

	"github.com/shoal-db/shoal/internal/resp"
)

// Compare reports whether the subject's reply matches the oracle's under
// mode (tol is the ModeApprox tolerance).
func Compare(mode Mode, tol float64, oracle, subject *resp.Reply) bool {
	switch mode {
	case ModeIgnore, ModeCapture:
		return true
	case ModeSort:
		return Normalize(oracle, false).Equal(Normalize(subject, false))
	case ModeSortPairs:
		return Normalize(oracle, true).Equal(Normalize(subject, true))
	case ModeApprox:
		return approxEqual(oracle, subject, tol)
	case ModeShape:
		return sameShape(oracle, subject)
	}
	return oracle.Equal(subject)
}

// Normalize returns r with the elements of its top-level aggregate in a
// canonical order: maps (and, with pairs, flat arrays) are sorted by
// pair, everything else by element. Scalars are returned as they are.
func Normalize(r *resp.Reply, pairs bool) *resp.Reply {
	if !r.IsAggregate() {
		return r
	}
	out := *r
	if r.Type == resp.TypeMap || pairs {
		out.Elems = sortPairs(r.Elems)
	} else {
		out.Elems = sortElems(r.Elems)
	}
	return &out
}

func sortElems(elems []*resp.Reply) []*resp.Reply {
	type keyed struct {
		key []byte
		r   *resp.Reply
	}
	ks := make([]keyed, len(elems))
	for i, e := range elems {
		ks[i] = keyed{e.AppendRESP(nil), e}
	}
	sort.SliceStable(ks, func(i, j int) bool { return bytes.Compare(ks[i].key, ks[j].key) < 0 })
	out := make([]*resp.Reply, len(ks))
	for i, k := range ks {
		out[i] = k.r
	}
	return out
}

func sortPairs(elems []*resp.Reply) []*resp.Reply {
	if len(elems)%2 != 0 {
		return sortElems(elems)
	}
	pairs := make([]*resp.Reply, 0, len(elems)/2)
	for i := 0; i < len(elems); i += 2 {
		pairs = append(pairs, &resp.Reply{Type: resp.TypeArray, Elems: elems[i : i+2]})
	}
	out := make([]*resp.Reply, 0, len(elems))
	for _, p := range sortElems(pairs) {
		out = append(out, p.Elems...)
	}
	return out
}

// number extracts a numeric value from integers, doubles and strings that
// parse as numbers.
func number(r *resp.Reply) (float64, bool) {
	switch r.Type {
	case resp.TypeInt:
		return float64(r.Int), true
	case resp.TypeDouble, resp.TypeBulk, resp.TypeSimple, resp.TypeBigNumber:
		if r.Nil {
			return 0, false
		}
		f, err := strconv.ParseFloat(r.Str, 64)
		return f, err == nil
	}
	return 0, false
}

func approxEqual(a, b *resp.Reply, tol float64) bool {
	if a.Type != b.Type || a.Nil != b.Nil {
		return false
	}
	if x, ok := number(a); ok {
		y, ok := number(b)
		if !ok {
			return false
		}
		scale := math.Max(1, math.Max(math.Abs(x), math.Abs(y)))
		return math.Abs(x-y) <= tol || math.Abs(x-y) <= 1e-12*scale
	}
	if !a.IsAggregate() {
		return a.Equal(b)
	}
	if len(a.Elems) != len(b.Elems) {
		return false
	}
	for i := range a.Elems {
		if !approxEqual(a.Elems[i], b.Elems[i], tol) {
			return false
		}
	}
	return true
}

func sameShape(a, b *resp.Reply) bool {
	if a.Type != b.Type || a.Nil != b.Nil || len(a.Elems) != len(b.Elems) {
		return false
	}
	for i := range a.Elems {
		if !sameShape(a.Elems[i], b.Elems[i]) {
			return false
		}
	}
	return true
}
