package command

import "github.com/shoal-db/shoal/internal/types"

// The sorted-set family: the command table (this file); ZADD, ZINCRBY,
// ZREM and point queries (zset_add.go); the ZRANGE family and ZRANGESTORE
// (zset_range.go); ZCOUNT, ZLEXCOUNT and range removal (zset_count.go);
// ZUNION/ZINTER/ZDIFF and their stores (zset_setops.go); pops and blocking
// pops (zset_pop.go); ZRANDMEMBER and ZSCAN (zset_rand.go); argument
// parsing shared by them (zset_parse.go). The data structure is
// types.ZSet. Valkey 9.0's t_zset.c is the reference for argument order,
// error precedence, notifications, reply shapes and propagation.

const (
	zsetLogN       = "O(log(N)) with N being the number of elements in the sorted set."
	zsetRangeCplx  = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned."
	zsetLimitCplx  = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."
	zsetRemCplx    = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."
	zsetPopCplx    = "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."
	zsetMPopCplx   = "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."
	zsetDiffCplx   = "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."
	zsetInterCplx  = "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."
	zsetDeprecated = "6.2.0"
)

func zsetCommands() []*Command {
	return append(zsetPointCommands(), append(zsetRangeCommands(), zsetMultiKeyCommands()...)...)
}

// zsetOne fills in what every single-key sorted-set command shares.
func zsetOne(c *Command) *Command {
	c.FirstKey, c.LastKey, c.Step, c.Group = 1, 1, 1, "sorted-set"
	c.ACL = []string{"sortedset"}
	return c
}

// zsetPointCommands are the commands on one key that add, remove or look
// up members.
func zsetPointCommands() []*Command {
	return []*Command{
		zsetOne(&Command{Name: "zadd", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagFast, Since: "1.2.0",
			Complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
			Summary:    "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.",
			Handler:    zaddCommand}),
		zsetOne(&Command{Name: "zincrby", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast, Since: "1.2.0",
			Complexity: "O(log(N)) where N is the number of elements in the sorted set.",
			Summary:    "Increments the score of a member in a sorted set.", Handler: zincrbyCommand}),
		zsetOne(&Command{Name: "zrem", Arity: -3, Flags: FlagWrite | FlagFast, Since: "1.2.0",
			Complexity: "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
			Summary:    "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.",
			Handler:    zremCommand}),
		zsetOne(&Command{Name: "zcard", Arity: 2, Flags: FlagReadonly | FlagFast, Since: "1.2.0", Complexity: "O(1)",
			Summary: "Returns the number of members in a sorted set.", Handler: zcardCommand}),
		zsetOne(&Command{Name: "zscore", Arity: 3, Flags: FlagReadonly | FlagFast, Since: "1.2.0", Complexity: "O(1)",
			Summary: "Returns the score of a member in a sorted set.", Handler: zscoreCommand}),
		zsetOne(&Command{Name: "zmscore", Arity: -3, Flags: FlagReadonly | FlagFast, Since: "6.2.0",
			Complexity: "O(N) where N is the number of members being requested.",
			Summary:    "Returns the score of one or more members in a sorted set.", Handler: zmscoreCommand}),
		zsetOne(&Command{Name: "zrank", Arity: -3, Flags: FlagReadonly | FlagFast, Since: "2.0.0", Complexity: "O(log(N))",
			Summary: "Returns the index of a member in a sorted set ordered by ascending scores.", Handler: zrankCommand}),
		zsetOne(&Command{Name: "zrevrank", Arity: -3, Flags: FlagReadonly | FlagFast, Since: "2.0.0", Complexity: "O(log(N))",
			Summary: "Returns the index of a member in a sorted set ordered by descending scores.", Handler: zrevrankCommand}),
		zsetOne(&Command{Name: "zcount", Arity: 4, Flags: FlagReadonly | FlagFast, Since: "2.0.0", Complexity: zsetLogN,
			Summary: "Returns the count of members in a sorted set that have scores within a range.", Handler: zcountCommand}),
		zsetOne(&Command{Name: "zlexcount", Arity: 4, Flags: FlagReadonly | FlagFast, Since: "2.8.9", Complexity: zsetLogN,
			Summary: "Returns the number of members in a sorted set within a lexicographical range.", Handler: zlexcountCommand}),
		zsetOne(&Command{Name: "zpopmin", Arity: -2, Flags: FlagWrite | FlagFast, Since: "5.0.0", Complexity: zsetPopCplx,
			Summary: "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.",
			Handler: zpopminCommand}),
		zsetOne(&Command{Name: "zpopmax", Arity: -2, Flags: FlagWrite | FlagFast, Since: "5.0.0", Complexity: zsetPopCplx,
			Summary: "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.",
			Handler: zpopmaxCommand}),
		zsetOne(&Command{Name: "zrandmember", Arity: -2, Flags: FlagReadonly, Since: "6.2.0",
			Tips: []string{"nondeterministic_output"}, Complexity: "O(N) where N is the number of elements returned",
			Summary: "Returns one or more random members from a sorted set.", Handler: zrandmemberCommand}),
		zsetOne(&Command{Name: "zscan", Arity: -3, Flags: FlagReadonly, Since: "2.8.0",
			Tips:       []string{"nondeterministic_output"},
			Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
			Summary:    "Iterates over members and scores of a sorted set.", Handler: zscanCommand}),
	}
}

// zsetRangeCommands are the range queries and range removals on one key.
func zsetRangeCommands() []*Command {
	return []*Command{
		zsetOne(&Command{Name: "zrange", Arity: -4, Flags: FlagReadonly, Since: "1.2.0", Complexity: zsetRangeCplx,
			Summary: "Returns members in a sorted set within a range of indexes.", Handler: zrangeCommand}),
		{Name: "zrangestore", Arity: -5, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1,
			ACL: []string{"sortedset"}, Group: "sorted-set", Since: "6.2.0",
			Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
			Summary:    "Stores a range of members from sorted set in a key.", Handler: zrangestoreCommand},
		zsetOne(&Command{Name: "zrevrange", Arity: -4, Flags: FlagReadonly, Since: "1.2.0", Complexity: zsetRangeCplx,
			Summary: "Returns members in a sorted set within a range of indexes in reverse order.", Handler: zrevrangeCommand}),
		zsetOne(&Command{Name: "zrangebyscore", Arity: -4, Flags: FlagReadonly, Since: "1.0.5", Complexity: zsetLimitCplx,
			Summary: "Returns members in a sorted set within a range of scores.", Handler: zrangebyscoreCommand}),
		zsetOne(&Command{Name: "zrevrangebyscore", Arity: -4, Flags: FlagReadonly, Since: "2.2.0", Complexity: zsetLimitCplx,
			Summary: "Returns members in a sorted set within a range of scores in reverse order.", Handler: zrevrangebyscoreCommand}),
		zsetOne(&Command{Name: "zrangebylex", Arity: -4, Flags: FlagReadonly, Since: "2.8.9", Complexity: zsetLimitCplx,
			Summary: "Returns members in a sorted set within a lexicographical range.", Handler: zrangebylexCommand}),
		zsetOne(&Command{Name: "zrevrangebylex", Arity: -4, Flags: FlagReadonly, Since: "2.8.9", Complexity: zsetLimitCplx,
			Summary: "Returns members in a sorted set within a lexicographical range in reverse order.", Handler: zrevrangebylexCommand}),
		zsetOne(&Command{Name: "zremrangebyrank", Arity: 4, Flags: FlagWrite, Since: "2.0.0", Complexity: zsetRemCplx,
			Summary: "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.",
			Handler: zremrangebyrankCommand}),
		zsetOne(&Command{Name: "zremrangebyscore", Arity: 4, Flags: FlagWrite, Since: "1.2.0", Complexity: zsetRemCplx,
			Summary: "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.",
			Handler: zremrangebyscoreCommand}),
		zsetOne(&Command{Name: "zremrangebylex", Arity: 4, Flags: FlagWrite, Since: "2.8.9", Complexity: zsetRemCplx,
			Summary: "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.",
			Handler: zremrangebylexCommand}),
	}
}

// zsetMultiKeyCommands take several keys: set operations and (blocking)
// pops over a list of keys.
func zsetMultiKeyCommands() []*Command {
	numkeys := func(c *Command, numIdx int, extra ...int) *Command {
		c.Keys = zsetNumkeysKeys(numIdx, extra...)
		c.ACL, c.Group = []string{"sortedset"}, "sorted-set"
		if len(extra) > 0 {
			c.FirstKey, c.LastKey, c.Step = 1, 1, 1
		}
		return c
	}
	return []*Command{
		numkeys(&Command{Name: "zunion", Arity: -3, Flags: FlagReadonly, Since: "6.2.0",
			Complexity: "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
			Summary:    "Returns the union of multiple sorted sets.", Handler: zunionCommand}, 1),
		numkeys(&Command{Name: "zinter", Arity: -3, Flags: FlagReadonly, Since: "6.2.0", Complexity: zsetInterCplx,
			Summary: "Returns the intersect of multiple sorted sets.", Handler: zinterCommand}, 1),
		numkeys(&Command{Name: "zdiff", Arity: -3, Flags: FlagReadonly, Since: "6.2.0", Complexity: zsetDiffCplx,
			Summary: "Returns the difference between multiple sorted sets.", Handler: zdiffCommand}, 1),
		numkeys(&Command{Name: "zintercard", Arity: -3, Flags: FlagReadonly, Since: "7.0.0",
			Complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
			Summary:    "Returns the number of members of the intersect of multiple sorted sets.", Handler: zintercardCommand}, 1),
		numkeys(&Command{Name: "zunionstore", Arity: -4, Flags: FlagWrite | FlagDenyOOM, Since: "2.0.0",
			Complexity: "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
			Summary:    "Stores the union of multiple sorted sets in a key.", Handler: zunionstoreCommand}, 2, 1),
		numkeys(&Command{Name: "zinterstore", Arity: -4, Flags: FlagWrite | FlagDenyOOM, Since: "2.0.0", Complexity: zsetInterCplx,
			Summary: "Stores the intersect of multiple sorted sets in a key.", Handler: zinterstoreCommand}, 2, 1),
		numkeys(&Command{Name: "zdiffstore", Arity: -4, Flags: FlagWrite | FlagDenyOOM, Since: "6.2.0", Complexity: zsetDiffCplx,
			Summary: "Stores the difference of multiple sorted sets in a key.", Handler: zdiffstoreCommand}, 2, 1),
		numkeys(&Command{Name: "zmpop", Arity: -4, Flags: FlagWrite, Since: "7.0.0", Complexity: zsetMPopCplx,
			Summary: "Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.",
			Handler: zmpopCommand}, 1),
		numkeys(&Command{Name: "bzmpop", Arity: -5, Flags: FlagWrite | FlagBlocking, Since: "7.0.0", Complexity: zsetMPopCplx,
			Summary: "Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.",
			Handler: bzmpopCommand}, 2),
		{Name: "bzpopmin", Arity: -3, Flags: FlagWrite | FlagNoScript | FlagBlocking | FlagFast,
			FirstKey: 1, LastKey: -2, Step: 1, ACL: []string{"sortedset"}, Group: "sorted-set", Since: "5.0.0",
			Complexity: "O(log(N)) with N being the number of elements in the sorted set.",
			Summary:    "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.",
			Handler:    bzpopminCommand},
		{Name: "bzpopmax", Arity: -3, Flags: FlagWrite | FlagNoScript | FlagBlocking | FlagFast,
			FirstKey: 1, LastKey: -2, Step: 1, ACL: []string{"sortedset"}, Group: "sorted-set", Since: "5.0.0",
			Complexity: "O(log(N)) with N being the number of elements in the sorted set.",
			Summary:    "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.",
			Handler:    bzpopmaxCommand},
	}
}

// zsetNumkeysKeys returns the key positions of a command whose keys
// follow a numkeys argument at numIdx, plus the fixed positions extra
// (the destination of ZUNIONSTORE...). A numkeys that is not a positive
// integer within the arguments yields no source keys: the handler replies
// with an error before touching any.
func zsetNumkeysKeys(numIdx int, extra ...int) KeysFunc {
	return func(argv [][]byte, dst []int) []int {
		dst = append(dst, extra...)
		if numIdx >= len(argv) {
			return dst
		}
		n, ok := types.ParseInt(argv[numIdx])
		if !ok || n < 1 || n > int64(len(argv)-numIdx-1) {
			return dst
		}
		for i := 0; i < int(n); i++ {
			dst = append(dst, numIdx+1+i)
		}
		return dst
	}
}
