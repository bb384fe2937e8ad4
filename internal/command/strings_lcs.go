package command

import "math"

// lcsCommand is LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN],
// Valkey's dynamic-programming longest common subsequence with the same
// table walk, so IDX reports the same ranges in the same order.
func lcsCommand(c *Ctx) {
	ea, eb := c.Lookup(c.Argv[1]), c.Lookup(c.Argv[2])
	if (ea != nil && ea.Obj != nil) || (eb != nil && eb.Obj != nil) {
		c.Error(ErrLCSKeysNotStrings)
		return
	}
	var a, b []byte
	if ea != nil {
		a = ea.Str
	}
	if eb != nil {
		b = eb.Str
	}
	var getLen, getIdx, withMatchLen bool
	var minMatchLen int64
	for j := 3; j < len(c.Argv); j++ {
		opt := c.Argv[j]
		switch {
		case strTokIs(opt, "idx"):
			getIdx = true
		case strTokIs(opt, "len"):
			getLen = true
		case strTokIs(opt, "withmatchlen"):
			withMatchLen = true
		case strTokIs(opt, "minmatchlen") && j+1 < len(c.Argv):
			n, ok := c.Int(j + 1)
			if !ok {
				return
			}
			minMatchLen = max(n, 0)
			j++
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	if getLen && getIdx {
		c.Error(ErrLCSLenAndIdx)
		return
	}
	if len(a) >= math.MaxUint32-1 || len(b) >= math.MaxUint32-1 {
		c.Error(ErrLCSTooLong)
		return
	}
	if uint64(len(a)+1)*uint64(len(b)+1)*4 > uint64(strMaxBulkLen(c)) {
		c.Error(ErrLCSTooMuchMemory)
		return
	}
	t := lcsTable(a, b)
	switch {
	case getIdx:
		lcsReplyIdx(c, a, b, t, minMatchLen, withMatchLen)
	case getLen:
		c.W.Int(int64(t.at(len(a), len(b))))
	default:
		c.W.Bulk(lcsString(a, b, t))
	}
}

// lcsMatrix holds LCS(i, j), the LCS length of a[:i] and b[:j].
type lcsMatrix struct {
	cells []uint32
	cols  int
}

func (m *lcsMatrix) at(i, j int) uint32 { return m.cells[i*m.cols+j] }

func lcsTable(a, b []byte) *lcsMatrix {
	m := &lcsMatrix{cells: make([]uint32, (len(a)+1)*(len(b)+1)), cols: len(b) + 1}
	for i := 1; i <= len(a); i++ {
		row, prev := m.cells[i*m.cols:], m.cells[(i-1)*m.cols:]
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				row[j] = prev[j-1] + 1
			} else {
				row[j] = max(prev[j], row[j-1])
			}
		}
	}
	return m
}

// lcsString walks the table back from the end to build the LCS itself.
func lcsString(a, b []byte, t *lcsMatrix) []byte {
	i, j := len(a), len(b)
	idx := t.at(i, j)
	out := make([]byte, idx)
	for i > 0 && j > 0 {
		switch {
		case a[i-1] == b[j-1]:
			out[idx-1] = a[i-1]
			idx--
			i--
			j--
		case t.at(i-1, j) > t.at(i, j-1):
			i--
		default:
			j--
		}
	}
	return out
}

// lcsRange is one matched range: a[aStart..aEnd] == b[bStart..bEnd].
type lcsRange struct{ aStart, aEnd, bStart, bEnd int }

// lcsReplyIdx replies {matches: [...], len: n}, with the ranges found by
// the same backward walk as Valkey (hence from the end of the strings).
func lcsReplyIdx(c *Ctx, a, b []byte, t *lcsMatrix, minLen int64, withLen bool) {
	var ranges []lcsRange
	cur, open := lcsRange{}, false
	emit := func() {
		if n := cur.aEnd - cur.aStart + 1; minLen == 0 || int64(n) >= minLen {
			ranges = append(ranges, cur)
		}
		open = false
	}
	i, j := len(a), len(b)
	for i > 0 && j > 0 {
		if a[i-1] == b[j-1] {
			switch {
			case !open:
				cur, open = lcsRange{i - 1, i - 1, j - 1, j - 1}, true
			case cur.aStart == i && cur.bStart == j:
				cur.aStart--
				cur.bStart--
			default:
				// Not contiguous with the open range: Valkey closes that
				// range and does not open one here. (Unreachable in
				// practice, since a mismatch step always closes a range
				// first, but kept identical.)
				emit()
			}
			i--
			j--
			if open && (cur.aStart == 0 || cur.bStart == 0) {
				emit()
			}
			continue
		}
		if t.at(i-1, j) > t.at(i, j-1) {
			i--
		} else {
			j--
		}
		if open {
			emit()
		}
	}
	c.W.MapLen(2)
	c.W.BulkString("matches")
	c.W.ArrayLen(len(ranges))
	for _, r := range ranges {
		if withLen {
			c.W.ArrayLen(3)
		} else {
			c.W.ArrayLen(2)
		}
		c.W.ArrayLen(2)
		c.W.Int(int64(r.aStart))
		c.W.Int(int64(r.aEnd))
		c.W.ArrayLen(2)
		c.W.Int(int64(r.bStart))
		c.W.Int(int64(r.bEnd))
		if withLen {
			c.W.Int(int64(r.aEnd - r.aStart + 1))
		}
	}
	c.W.BulkString("len")
	c.W.Int(int64(t.at(len(a), len(b))))
}
