package command

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/shoal-db/shoal/internal/glob"
	"github.com/shoal-db/shoal/internal/types"
)

// hashPair is one field/value of a reply. The slices alias the hash, which
// the slot lock keeps unchanged until the reply is written.
type hashPair struct{ f, v []byte }

// hrandfieldSubStrategyMul is Valkey's HRANDFIELD_SUB_STRATEGY_MUL: when
// count is close to the size, copying every field and removing random
// ones beats sampling.
const hrandfieldSubStrategyMul = 3

// hrandfieldCommand is HRANDFIELD key [count [WITHVALUES]]. The count and
// options are checked before the key, as in Valkey.
func hrandfieldCommand(c *Ctx) {
	if len(c.Argv) < 3 {
		hrandfieldOne(c)
		return
	}
	l, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if l < -math.MaxInt64 {
		c.Error(ErrHashCountRange)
		return
	}
	withValues := false
	if len(c.Argv) > 4 || (len(c.Argv) == 4 && !c.ArgIs(3, "withvalues")) {
		c.Error(ErrSyntax)
		return
	} else if len(c.Argv) == 4 {
		withValues = true
		if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
			c.Error(ErrHashValueRange)
			return
		}
	}
	h, ok := hashRead(c, c.Argv[1])
	if !ok {
		return
	}
	if h == nil || l == 0 {
		c.W.ArrayLen(0)
		return
	}
	var pairs []hashPair
	if l < 0 {
		pairs = hrandfieldRepeat(c, h, int(min(-l, int64(math.MaxInt32))))
	} else {
		pairs = hrandfieldUnique(c, h, l)
	}
	hrandfieldReply(c, pairs, withValues)
}

// hrandfieldOne is HRANDFIELD key: one random live field, or null.
func hrandfieldOne(c *Ctx) {
	h, ok := hashRead(c, c.Argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.W.Null()
		return
	}
	if f, _, ok := h.Random(rand.Uint64, c.Now()); ok {
		c.W.Bulk(f)
		return
	}
	c.W.Null()
}

// hrandfieldRepeat picks n fields with repetition; it stops early when no
// live field can be found (most fields expired), as Valkey does.
func hrandfieldRepeat(c *Ctx, h *types.Hash, n int) []hashPair {
	now := c.Now()
	out := make([]hashPair, 0, min(n, 1024))
	for ; n > 0; n-- {
		f, v, ok := h.Random(rand.Uint64, now)
		if !ok {
			break
		}
		out = append(out, hashPair{f, v})
	}
	return out
}

// hrandfieldUnique picks count distinct live fields (all of them when the
// hash is not larger). Like Valkey, a compact hash answers in its own
// order, a large one in random order.
func hrandfieldUnique(c *Ctx, h *types.Hash, count int64) []hashPair {
	now := c.Now()
	size := int64(h.Len())
	if count >= size || count*hrandfieldSubStrategyMul > size || h.Encoding() == "listpack" {
		all := make([]hashPair, 0, size)
		h.Range(now, func(f, v []byte) bool { all = append(all, hashPair{f, v}); return true })
		if count >= int64(len(all)) {
			return all
		}
		return hrandfieldSample(all, int(count), h.Encoding() == "listpack")
	}
	// A large hash and a small count: sample until count distinct fields,
	// with Valkey's bound of 10*count tries.
	seen := make(map[string]bool, count)
	out := make([]hashPair, 0, count)
	for tries := count * 10; int64(len(out)) < count && tries > 0; tries-- {
		f, v, ok := h.Random(rand.Uint64, now)
		if !ok {
			break
		}
		if seen[string(f)] {
			continue
		}
		seen[string(f)] = true
		out = append(out, hashPair{f, v})
	}
	return out
}

// hrandfieldSample picks n of all at random, keeping their order when
// ordered is set.
func hrandfieldSample(all []hashPair, n int, ordered bool) []hashPair {
	idx := rand.Perm(len(all))[:n]
	if ordered {
		sort.Ints(idx)
	}
	out := make([]hashPair, n)
	for i, j := range idx {
		out[i] = all[j]
	}
	return out
}

// hrandfieldReply writes fields, with values as [field, value] pairs in
// RESP3 and flat in RESP2.
func hrandfieldReply(c *Ctx, pairs []hashPair, withValues bool) {
	switch {
	case !withValues:
		c.W.ArrayLen(len(pairs))
	case c.W.Proto >= 3:
		c.W.ArrayLen(len(pairs))
	default:
		c.W.ArrayLen(2 * len(pairs))
	}
	for _, p := range pairs {
		if withValues && c.W.Proto >= 3 {
			c.W.ArrayLen(2)
		}
		c.W.Bulk(p.f)
		if withValues {
			c.W.Bulk(p.v)
		}
	}
}

// hscanCommand is HSCAN key cursor [MATCH pattern] [COUNT count]
// [NOVALUES]. Like Valkey, the options are parsed after the key lookup, so
// a missing key answers an empty scan whatever the options.
func hscanCommand(c *Ctx) {
	cursor, ok := parseScanCursor(c.Argv[2])
	if !ok {
		c.Error(ErrCursor)
		return
	}
	h, ok := hashRead(c, c.Argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.W.ArrayLen(2)
		c.W.BulkString("0")
		c.W.ArrayLen(0)
		return
	}
	count, pattern, noValues, ok := hscanOptions(c)
	if !ok {
		return
	}
	var out [][]byte
	next := h.Scan(cursor, count, c.Now(), func(f, v []byte) {
		if pattern != nil && !glob.Match(pattern, f, false) {
			return
		}
		out = append(out, f)
		if !noValues {
			out = append(out, v)
		}
	})
	c.W.ArrayLen(2)
	c.W.BulkString(strconv.FormatUint(next, 10))
	c.W.ArrayLen(len(out))
	for _, b := range out {
		c.W.Bulk(b)
	}
}

// hscanOptions parses HSCAN's options from argv[3:] with Valkey's errors.
func hscanOptions(c *Ctx) (count int, pattern []byte, noValues, ok bool) {
	count = 10
	for i := 3; i < len(c.Argv); {
		more := len(c.Argv) - i - 1
		switch {
		case c.ArgIs(i, "count") && more >= 1:
			n, ok := c.Int(i + 1)
			if !ok {
				return 0, nil, false, false
			}
			if n < 1 {
				c.Error(ErrSyntax)
				return 0, nil, false, false
			}
			count = int(min(n, 1<<30))
			i += 2
		case c.ArgIs(i, "match") && more >= 1:
			pattern = c.Argv[i+1]
			if len(pattern) == 1 && pattern[0] == '*' {
				pattern = nil
			}
			i += 2
		case c.ArgIs(i, "novalues"):
			noValues = true
			i++
		case c.ArgIs(i, "noscores"):
			c.Error(ErrKeysNoScoresOption)
			return 0, nil, false, false
		default:
			c.Error(ErrSyntax)
			return 0, nil, false, false
		}
	}
	return count, pattern, noValues, true
}
