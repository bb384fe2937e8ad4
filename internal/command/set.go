package command

import (
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// The set family: the command table entries (this file), single-key
// commands (set_basic.go), SPOP and SRANDMEMBER (set_random.go), the set
// algebra SINTER/SUNION/SDIFF and their STORE and CARD forms
// (set_algebra.go) and SSCAN (set_scan.go). Valkey's t_set.c is the
// reference for argument checks, their order, replies (RESP3 sets where
// Valkey sends them), notifications, propagation and the encodings the
// results get.

const (
	setO1         = "O(1)"
	setInterCplx  = "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."
	setUnionCplx  = "O(N) where N is the total number of elements in all given sets."
	setCardSumm   = "Returns the number of members of the intersect of multiple sets."
	setScanCplx   = "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection."
	setNondetOut  = "nondeterministic_output"
	setNondetOrd  = "nondeterministic_output_order"
	setGroup      = "set"
	setSinceFirst = "1.0.0"
)

func setCommands() []*Command {
	one := func(c *Command) *Command {
		c.FirstKey, c.LastKey, c.Step, c.Group = 1, 1, 1, setGroup
		if c.Since == "" {
			c.Since = setSinceFirst
		}
		if c.Complexity == "" {
			c.Complexity = setO1
		}
		return c
	}
	multi := func(c *Command) *Command {
		c.FirstKey, c.LastKey, c.Step, c.Group, c.Since = 1, -1, 1, setGroup, setSinceFirst
		return c
	}
	rFast := []string{"read", "set", "fast"}
	rSlow := []string{"read", "set", "slow"}
	wFast := []string{"write", "set", "fast"}
	wSlow := []string{"write", "set", "slow"}
	return []*Command{
		one(&Command{Name: "sadd", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, ACL: wFast,
			Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
			Summary:    "Adds one or more members to a set. Creates the key if it doesn't exist.", Handler: saddCommand}),
		one(&Command{Name: "srem", Arity: -3, Flags: FlagWrite | FlagFast, ACL: wFast,
			Complexity: "O(N) where N is the number of members to be removed.",
			Summary:    "Removes one or more members from a set. Deletes the set if the last member was removed.",
			Handler:    sremCommand}),
		one(&Command{Name: "scard", Arity: 2, Flags: FlagReadonly | FlagFast, ACL: rFast,
			Summary: "Returns the number of members in a set.", Handler: scardCommand}),
		one(&Command{Name: "sismember", Arity: 3, Flags: FlagReadonly | FlagFast, ACL: rFast,
			Summary: "Determines whether a member belongs to a set.", Handler: sismemberCommand}),
		one(&Command{Name: "smismember", Arity: -3, Flags: FlagReadonly | FlagFast, ACL: rFast, Since: "6.2.0",
			Complexity: "O(N) where N is the number of elements being checked for membership",
			Summary:    "Determines whether multiple members belong to a set.", Handler: smismemberCommand}),
		one(&Command{Name: "smembers", Arity: 2, Flags: FlagReadonly, ACL: rSlow, Tips: []string{setNondetOrd},
			Complexity: "O(N) where N is the set cardinality.",
			Summary:    "Returns all members of a set.", Handler: smembersCommand}),
		one(&Command{Name: "srandmember", Arity: -2, Flags: FlagReadonly, ACL: rSlow, Tips: []string{setNondetOut},
			Complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
			Summary:    "Get one or multiple random members from a set", Handler: srandmemberCommand}),
		one(&Command{Name: "spop", Arity: -2, Flags: FlagWrite | FlagFast, ACL: wFast, Tips: []string{setNondetOut},
			Complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
			Summary:    "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.",
			Handler:    spopCommand}),
		{Name: "smove", Arity: 4, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 2, Step: 1, ACL: wFast,
			Group: setGroup, Since: setSinceFirst, Complexity: setO1,
			Summary: "Moves a member from one set to another.", Handler: smoveCommand},
		multi(&Command{Name: "sinter", Arity: -2, Flags: FlagReadonly, ACL: rSlow, Tips: []string{setNondetOrd},
			Complexity: setInterCplx, Summary: "Returns the intersect of multiple sets.", Handler: sinterCommand}),
		{Name: "sintercard", Arity: -3, Flags: FlagReadonly, Keys: sintercardKeys, ACL: rSlow,
			Group: setGroup, Since: "7.0.0", Complexity: setInterCplx, Summary: setCardSumm,
			Handler: sintercardCommand},
		multi(&Command{Name: "sinterstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, ACL: wSlow,
			Complexity: setInterCplx, Summary: "Stores the intersect of multiple sets in a key.",
			Handler: sinterstoreCommand}),
		multi(&Command{Name: "sunion", Arity: -2, Flags: FlagReadonly, ACL: rSlow, Tips: []string{setNondetOrd},
			Complexity: setUnionCplx, Summary: "Returns the union of multiple sets.", Handler: sunionCommand}),
		multi(&Command{Name: "sunionstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, ACL: wSlow,
			Complexity: setUnionCplx, Summary: "Stores the union of multiple sets in a key.",
			Handler: sunionstoreCommand}),
		multi(&Command{Name: "sdiff", Arity: -2, Flags: FlagReadonly, ACL: rSlow, Tips: []string{setNondetOrd},
			Complexity: setUnionCplx, Summary: "Returns the difference of multiple sets.", Handler: sdiffCommand}),
		multi(&Command{Name: "sdiffstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM, ACL: wSlow,
			Complexity: setUnionCplx, Summary: "Stores the difference of multiple sets in a key.",
			Handler: sdiffstoreCommand}),
		one(&Command{Name: "sscan", Arity: -3, Flags: FlagReadonly, ACL: rSlow, Tips: []string{setNondetOut},
			Since: "2.8.0", Complexity: setScanCplx, Summary: "Iterates over members of a set.", Handler: sscanCommand}),
	}
}

// sintercardKeys finds SINTERCARD's keys from its numkeys argument, as
// Valkey's sintercardGetKeys: a numkeys below 1 or beyond the arguments
// yields no keys (the handler rejects it before touching any key).
func sintercardKeys(argv [][]byte, dst []int) []int {
	if len(argv) < 2 {
		return dst
	}
	n, ok := types.ParseInt(argv[1])
	if !ok || n < 1 || n > int64(len(argv)-2) {
		return dst
	}
	for i := 2; i < 2+int(n); i++ {
		dst = append(dst, i)
	}
	return dst
}

// setOf is the set stored in an entry already checked to be a set.
func setOf(e *keyspace.Entry) *types.Set { return e.Obj.(*types.Set) }
