package command

import (
	"sort"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// setLookupSets looks keys up for reading, in order, as Valkey's set
// algebra does: a missing key is a nil (empty) set, and the first key of
// another type answers WRONGTYPE (the keys after it are not looked up).
func setLookupSets(c *Ctx, keys [][]byte) ([]*types.Set, bool) {
	sets := make([]*types.Set, len(keys))
	for i, k := range keys {
		e := c.Tx.Lookup(k, 0)
		if e == nil {
			continue
		}
		if e.Kind() != types.KindSet {
			c.Error(ErrWrongType)
			return nil, false
		}
		sets[i] = setOf(e)
	}
	return sets, true
}

// setStore ends a STORE command: a non-empty result replaces dst (any
// type, TTL cleared) and is announced with event; an empty one deletes dst.
func setStore(c *Ctx, dst []byte, result *types.Set, event string) {
	if result.Len() == 0 {
		c.W.Int(0)
		if c.Tx.Delete(dst) {
			c.Tx.Notify(keyspace.NotifyGeneric, "del", dst)
		}
		return
	}
	c.Tx.Set(dst, keyspace.NewObject(result), false)
	c.W.Int(int64(result.Len()))
	c.Tx.Notify(keyspace.NotifySet, event, dst)
}

// setReply writes the members of s as a set reply (a RESP3 set).
func setReply(c *Ctx, s *types.Set) {
	c.W.SetLen(s.Len())
	s.Range(func(m []byte) bool { c.W.Bulk(m); return true })
}

func smembersCommand(c *Ctx) { setInter(c, c.Argv[1:2], nil, false, 0) }
func sinterCommand(c *Ctx)   { setInter(c, c.Argv[1:], nil, false, 0) }

func sinterstoreCommand(c *Ctx) { setInter(c, c.Argv[2:], c.Argv[1], false, 0) }

// sintercardCommand is SINTERCARD numkeys key [key ...] [LIMIT limit].
func sintercardCommand(c *Ctx) {
	numkeys, ok := types.ParseInt(c.Argv[1])
	if !ok || numkeys < 1 {
		c.Error(ErrSetNumkeys)
		return
	}
	if numkeys > int64(len(c.Argv)-2) {
		c.Error(ErrSetNumkeysTooMany)
		return
	}
	limit := int64(0)
	for j := 2 + int(numkeys); j < len(c.Argv); j++ {
		if !c.ArgIs(j, "limit") || j == len(c.Argv)-1 {
			c.Error(ErrSyntax)
			return
		}
		j++
		if limit, ok = types.ParseInt(c.Argv[j]); !ok || limit < 0 {
			c.Error(ErrSetLimitNegative)
			return
		}
	}
	setInter(c, c.Argv[2:2+numkeys], nil, true, limit)
}

// setInter is Valkey's sinterGenericCommand: SMEMBERS, SINTER,
// SINTERSTORE (dst set) and SINTERCARD (cardOnly, stopping at limit when
// it is not 0). It walks the smallest set and keeps the members every
// other set has.
func setInter(c *Ctx, keys [][]byte, dst []byte, cardOnly bool, limit int64) {
	sets, ok := setLookupSets(c, keys)
	if !ok {
		return
	}
	for _, s := range sets {
		if s != nil {
			continue
		}
		// An empty set empties the intersection.
		switch {
		case dst != nil:
			setStore(c, dst, types.NewIntSet(), "") // empty: deletes dst
		case cardOnly:
			c.W.Int(0)
		default:
			c.W.SetLen(0)
		}
		return
	}
	if len(sets) == 1 && dst == nil && !cardOnly {
		setReply(c, sets[0]) // SMEMBERS
		return
	}
	sort.SliceStable(sets, func(i, j int) bool { return sets[i].Len() < sets[j].Len() })
	inAll := func(m []byte) bool {
		for _, s := range sets[1:] {
			if s != sets[0] && !s.Contains(m) {
				return false
			}
		}
		return true
	}
	switch {
	case cardOnly:
		card := int64(0)
		sets[0].Range(func(m []byte) bool {
			if inAll(m) {
				card++
			}
			return limit == 0 || card < limit
		})
		c.W.Int(card)
	case dst != nil:
		setStore(c, dst, setInterStore(c, sets, inAll), "sinterstore")
	default:
		var out [][]byte
		sets[0].Range(func(m []byte) bool {
			if inAll(m) {
				out = append(out, append([]byte(nil), m...))
			}
			return true
		})
		c.W.SetLen(len(out))
		for _, m := range out {
			c.W.Bulk(m)
		}
	}
}

// setInterStore builds SINTERSTORE's result with Valkey's encoding
// choices: it starts as an intset when the smallest set is one (every
// member is then an integer) and as a listpack otherwise, grows as SADD
// would, and ends as an intset if every member turned out to be an
// integer and there are few enough.
func setInterStore(c *Ctx, sets []*types.Set, inAll func([]byte) bool) *types.Set {
	lim := c.Node.KS.Limits()
	result := types.NewListpackSet()
	if sets[0].IsIntset() {
		result = types.NewIntSet()
	}
	onlyInts := true
	sets[0].Range(func(m []byte) bool {
		if !inAll(m) {
			return true
		}
		if onlyInts {
			_, onlyInts = types.ParseInt(m)
		}
		result.Add(m, lim)
		return true
	})
	if onlyInts {
		result.ConvertToIntset(lim)
	}
	return result
}

func sunionCommand(c *Ctx)      { setUnionDiff(c, c.Argv[1:], nil, false) }
func sunionstoreCommand(c *Ctx) { setUnionDiff(c, c.Argv[2:], c.Argv[1], false) }
func sdiffCommand(c *Ctx)       { setUnionDiff(c, c.Argv[1:], nil, true) }
func sdiffstoreCommand(c *Ctx)  { setUnionDiff(c, c.Argv[2:], c.Argv[1], true) }

// setUnionDiff is Valkey's sunionDiffGenericCommand. The result is built
// in a set that starts as an intset and grows as SADD would, so STORE
// results get the encoding Valkey gives them; the plain commands reply
// with its members.
func setUnionDiff(c *Ctx, keys [][]byte, dst []byte, diff bool) {
	sets, ok := setLookupSets(c, keys)
	if !ok {
		return
	}
	var result *types.Set
	if diff {
		result = setDiff(c, sets)
	} else {
		result = types.NewIntSet()
		lim := c.Node.KS.Limits()
		for _, s := range sets {
			if s != nil {
				s.Range(func(m []byte) bool { result.Add(m, lim); return true })
			}
		}
	}
	if dst == nil {
		setReply(c, result)
		return
	}
	event := "sunionstore"
	if diff {
		event = "sdiffstore"
	}
	setStore(c, dst, result, event)
}

// setDiff computes sets[0] minus the others with whichever of Valkey's two
// algorithms its cost estimate picks — observable, because they build the
// result differently and so can leave it in different encodings: (1) add
// each member of the first set found in no other set, or (2) add the
// whole first set and remove the members of the others.
func setDiff(c *Ctx, sets []*types.Set) *types.Set {
	result := types.NewIntSet()
	first := sets[0]
	if first == nil {
		return result
	}
	for _, s := range sets[1:] {
		if s == first {
			return result // the first set minus itself
		}
	}
	lim := c.Node.KS.Limits()
	var one, two int
	for _, s := range sets {
		if s != nil {
			one += first.Len()
			two += s.Len()
		}
	}
	if one/2 <= two {
		// Algorithm 1; bigger sets first find shared members sooner.
		others := append([]*types.Set(nil), sets[1:]...)
		sort.SliceStable(others, func(i, j int) bool { return setLen(others[i]) > setLen(others[j]) })
		first.Range(func(m []byte) bool {
			for _, s := range others {
				if s != nil && s.Contains(m) {
					return true
				}
			}
			result.Add(m, lim)
			return true
		})
		return result
	}
	for i, s := range sets {
		if s == nil {
			continue
		}
		s.Range(func(m []byte) bool {
			if i == 0 {
				result.Add(m, lim)
			} else {
				result.Remove(m)
			}
			return true
		})
		if result.Len() == 0 {
			break
		}
	}
	return result
}

// setLen is the size of a possibly missing (nil) set.
func setLen(s *types.Set) int {
	if s == nil {
		return 0
	}
	return s.Len()
}
