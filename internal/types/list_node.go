package types

// Quicklist nodes and Valkey's size arithmetic.
//
// A list's encoding (OBJECT ENCODING "listpack" or "quicklist") and the
// moments it converts follow Valkey exactly, and those decisions depend on
// Valkey's own byte counts: the size of a listpack (lpBytes), whether a
// quicklist node may take one more element, whether two nodes may merge,
// whether an element is so large it gets a "plain" node of its own. The
// elements themselves are stored in a compact pack (list_pack.go); each
// node also carries sz, the number of bytes Valkey's listpack would occupy
// for the same elements, so every decision is taken on Valkey's numbers.

// lpHeaderSize is Valkey's empty listpack: a 6-byte header and the
// 1-byte end marker.
const lpHeaderSize = 7

// qlSizeSafetyLimit is SIZE_SAFETY_LIMIT: with a count-based fill a node
// still never grows past 8 KiB, and an element larger than that lives in a
// plain node.
const qlSizeSafetyLimit = 8192

// qlSizeEstimateOverhead is SIZE_ESTIMATE_OVERHEAD, the per-entry overhead
// Valkey assumes when deciding whether an element fits in a node.
const qlSizeEstimateOverhead = 8

// qlFillMax and qlFillMin bound a quicklist's fill (quicklistSetFill).
const (
	qlFillMax = 1<<15 - 1
	qlFillMin = -5
)

// qlOptimizationLevel are the byte limits of negative fills -1..-5.
var qlOptimizationLevel = [...]int{4096, 8192, 16384, 32768, 65536}

// lpValkeyEntrySize is the number of bytes v takes as one entry of a Valkey
// listpack: integers that string2ll accepts are stored in 1..9 bytes,
// strings with a 1, 2 or 5 byte header, and every entry ends with its
// encoded length ("backlen") of 1..5 bytes.
func lpValkeyEntrySize(v []byte) int {
	var enc int
	if n, ok := ParseInt(v); ok {
		switch {
		case n >= 0 && n <= 127:
			enc = 1
		case n >= -4096 && n <= 4095:
			enc = 2
		case n >= -32768 && n <= 32767:
			enc = 3
		case n >= -8388608 && n <= 8388607:
			enc = 4
		case n >= -2147483648 && n <= 2147483647:
			enc = 5
		default:
			enc = 9
		}
	} else {
		switch l := len(v); {
		case l < 64:
			enc = 1 + l
		case l < 4096:
			enc = 2 + l
		default:
			enc = 5 + l
		}
	}
	return enc + lpBacklenSize(enc)
}

// lpBacklenSize is the size of the backlen field for an entry of l bytes.
func lpBacklenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	default:
		return 5
	}
}

// qlNodeLimit is quicklistNodeLimit: a negative fill limits a node's bytes,
// a positive one its element count (0 counts as 1). The unused limit is
// "infinite".
func qlNodeLimit(fill int) (size, count int) {
	const inf = int(^uint(0) >> 1)
	if fill >= 0 {
		if fill == 0 {
			return inf, 1
		}
		return inf, fill
	}
	return qlNegFillLimit(fill), inf
}

func qlNegFillLimit(fill int) int {
	off := -fill - 1
	if off >= len(qlOptimizationLevel) {
		off = len(qlOptimizationLevel) - 1
	}
	return qlOptimizationLevel[off]
}

// qlExceedsLimit is quicklistNodeExceedsLimit: whether a node (or a
// listpack-encoded list) of newSz bytes and newCount elements is too big.
func qlExceedsLimit(fill, newSz, newCount int) bool {
	if fill < 0 {
		return newSz > qlNegFillLimit(fill)
	}
	if newSz > qlSizeSafetyLimit {
		return true
	}
	_, count := qlNodeLimit(fill)
	return newCount > count
}

// qlIsLarge is isLargeElement: an element that gets a plain node.
func qlIsLarge(sz, fill int) bool {
	if fill >= 0 {
		return sz > qlSizeSafetyLimit
	}
	return sz > qlNegFillLimit(fill)
}

// qlClampFill is quicklistSetFill's clamping.
func qlClampFill(fill int) int {
	return min(max(fill, qlFillMin), qlFillMax)
}

// qlNode is one quicklist node (or, alone, a listpack-encoded list).
type qlNode struct {
	prev, next *qlNode
	p          qlPack
	// sz is Valkey's size of the node: lpBytes for a packed node, the
	// element's length for a plain one.
	sz    int
	plain bool
}

// qlNodeOverhead is the node struct and its share of bookkeeping.
const qlNodeOverhead = 64

func newPackedNode() *qlNode { return &qlNode{sz: lpHeaderSize} }

// newNodeWith returns a node holding v alone: plain when large says so.
func newNodeWith(v []byte, plain bool) *qlNode {
	n := &qlNode{plain: plain}
	n.p.pushBack(v)
	if plain {
		n.sz = len(v)
	} else {
		n.sz = lpHeaderSize + lpValkeyEntrySize(v)
	}
	return n
}

func (n *qlNode) count() int { return n.p.n }

func (n *qlNode) mem() int64 { return qlNodeOverhead + n.p.memUsage() }

func (n *qlNode) insert(i int, v []byte) {
	n.p.insert(i, v)
	n.sz += lpValkeyEntrySize(v)
}

func (n *qlNode) appendElem(v []byte) {
	n.p.pushBack(v)
	n.sz += lpValkeyEntrySize(v)
}

// deleteRange removes cnt elements from i, keeping sz exact.
func (n *qlNode) deleteRange(i, cnt int) {
	cnt = min(cnt, n.p.n-i)
	if cnt <= 0 {
		return
	}
	n.p.each(i, func(k int, v []byte) bool {
		if k >= i+cnt {
			return false
		}
		n.sz -= lpValkeyEntrySize(v)
		return true
	})
	n.p.deleteRange(i, cnt)
}

func (n *qlNode) replace(i int, v []byte) {
	n.sz += lpValkeyEntrySize(v) - lpValkeyEntrySize(n.p.get(i))
	n.p.replace(i, v)
}

// elems returns the node's elements, aliasing it, into buf.
func (n *qlNode) elems(buf [][]byte) [][]byte {
	buf = buf[:0]
	n.p.each(0, func(_ int, v []byte) bool {
		buf = append(buf, v)
		return true
	})
	return buf
}

// split is _quicklistSplitNode: with after, n keeps [0, off] and the
// returned node gets the rest; otherwise the returned node gets [0, off)
// and n keeps [off, end].
func (n *qlNode) split(off int, after bool) *qlNode {
	nn := newPackedNode()
	all := n.elems(nil)
	var keep, give [][]byte
	if after {
		keep, give = all[:off+1], all[off+1:]
	} else {
		give, keep = all[:off], all[off:]
	}
	for _, v := range give {
		nn.appendElem(v)
	}
	rest := newPackedNode()
	for _, v := range keep {
		rest.appendElem(v)
	}
	n.p, n.sz = rest.p, rest.sz
	return nn
}

func (n *qlNode) clone() *qlNode {
	return &qlNode{p: n.p.clone(), sz: n.sz, plain: n.plain}
}
