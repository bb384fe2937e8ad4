package command

import "github.com/shoal-db/shoal/internal/types"

// The list family: the command table (this file), pushes and in-place
// edits (list_write.go), pops and moves (list_pop.go), reads and removals
// (list_read.go), the blocking variants (list_block.go) and their
// timeouts. Valkey's t_list.c is the reference for argument order, error
// precedence, notifications and propagation; the encodings live in
// types.List. Blocked clients are parked and served by blocking.go.

const (
	listPushCplx = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."
	listPopCplx  = "O(N) where N is the number of elements returned"
	listMPopCplx = "O(N+M) where N is the number of provided keys and M is the number of elements returned."
	listBPopCplx = "O(N) where N is the number of provided keys."
)

func listCommands() []*Command {
	wFast := []string{"write", "list", "fast"}
	wSlow := []string{"write", "list", "slow"}
	rFast := []string{"read", "list", "fast"}
	rSlow := []string{"read", "list", "slow"}
	bSlow := []string{"write", "list", "slow", "blocking"}
	one := func(c *Command) *Command {
		c.FirstKey, c.LastKey, c.Step, c.Group = 1, 1, 1, "list"
		return c
	}
	two := func(c *Command) *Command {
		c.FirstKey, c.LastKey, c.Step, c.Group = 1, 2, 1, "list"
		return c
	}
	return []*Command{
		one(&Command{Name: "lpush", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, ACL: wFast,
			Since: "1.0.0", Complexity: listPushCplx,
			Summary: "Prepends one or more elements to a list. Creates the key if it doesn't exist.",
			Handler: func(c *Ctx) { listPushCommand(c, true, false) }}),
		one(&Command{Name: "rpush", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, ACL: wFast,
			Since: "1.0.0", Complexity: listPushCplx,
			Summary: "Appends one or more elements to a list. Creates the key if it doesn't exist.",
			Handler: func(c *Ctx) { listPushCommand(c, false, false) }}),
		one(&Command{Name: "lpushx", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, ACL: wFast,
			Since: "2.2.0", Complexity: listPushCplx,
			Summary: "Prepends one or more elements to a list only when the list exists.",
			Handler: func(c *Ctx) { listPushCommand(c, true, true) }}),
		one(&Command{Name: "rpushx", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast, ACL: wFast,
			Since: "2.2.0", Complexity: listPushCplx,
			Summary: "Appends an element to a list only when the list exists.",
			Handler: func(c *Ctx) { listPushCommand(c, false, true) }}),
		one(&Command{Name: "lpop", Arity: -2, Flags: FlagWrite | FlagFast, ACL: wFast,
			Since: "1.0.0", Complexity: listPopCplx,
			Summary: "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.",
			Handler: func(c *Ctx) { listPopCommand(c, true) }}),
		one(&Command{Name: "rpop", Arity: -2, Flags: FlagWrite | FlagFast, ACL: wFast,
			Since: "1.0.0", Complexity: listPopCplx,
			Summary: "Returns and removes the last elements of a list. Deletes the list if the last element was popped.",
			Handler: func(c *Ctx) { listPopCommand(c, false) }}),
		one(&Command{Name: "llen", Arity: 2, Flags: FlagReadonly | FlagFast, ACL: rFast,
			Since: "1.0.0", Complexity: "O(1)",
			Summary: "Returns the length of a list.", Handler: llenCommand}),
		one(&Command{Name: "lrange", Arity: 4, Flags: FlagReadonly, ACL: rSlow, Since: "1.0.0",
			Complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
			Summary:    "Returns a range of elements from a list.", Handler: lrangeCommand}),
		one(&Command{Name: "lindex", Arity: 3, Flags: FlagReadonly, ACL: rSlow, Since: "1.0.0",
			Complexity: "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
			Summary:    "Returns an element from a list by its index.", Handler: lindexCommand}),
		one(&Command{Name: "lset", Arity: 4, Flags: FlagWrite | FlagDenyOOM, ACL: wSlow, Since: "1.0.0",
			Complexity: "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
			Summary:    "Sets the value of an element in a list by its index.", Handler: lsetCommand}),
		one(&Command{Name: "linsert", Arity: 5, Flags: FlagWrite | FlagDenyOOM, ACL: wSlow, Since: "2.2.0",
			Complexity: "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
			Summary:    "Inserts an element before or after another element in a list.", Handler: linsertCommand}),
		one(&Command{Name: "lrem", Arity: 4, Flags: FlagWrite, ACL: wSlow, Since: "1.0.0",
			Complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
			Summary:    "Removes elements from a list. Deletes the list if the last element was removed.",
			Handler:    lremCommand}),
		one(&Command{Name: "ltrim", Arity: 4, Flags: FlagWrite, ACL: wSlow, Since: "1.0.0",
			Complexity: "O(N) where N is the number of elements to be removed by the operation.",
			Summary:    "Removes elements from both ends a list. Deletes the list if all elements were trimmed.",
			Handler:    ltrimCommand}),
		one(&Command{Name: "lpos", Arity: -3, Flags: FlagReadonly, ACL: rSlow, Since: "6.0.6",
			Complexity: "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
			Summary:    "Returns the index of matching elements in a list.", Handler: lposCommand}),
		two(&Command{Name: "lmove", Arity: 5, Flags: FlagWrite | FlagDenyOOM, ACL: wSlow, Since: "6.2.0",
			Complexity: "O(1)",
			Summary:    "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.",
			Handler:    lmoveCommand}),
		two(&Command{Name: "rpoplpush", Arity: 3, Flags: FlagWrite | FlagDenyOOM, ACL: wSlow, Since: "1.2.0",
			Complexity: "O(1)",
			Summary:    "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.",
			Handler:    rpoplpushCommand}),
		{Name: "lmpop", Arity: -4, Flags: FlagWrite, Keys: listNumkeysKeys(1), ACL: wSlow, Group: "list",
			Since: "7.0.0", Complexity: listMPopCplx,
			Summary: "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.",
			Handler: lmpopCommand},
		{Name: "blpop", Arity: -3, Flags: FlagWrite | FlagBlocking, FirstKey: 1, LastKey: -2, Step: 1,
			ACL: bSlow, Group: "list", Since: "2.0.0", Complexity: listBPopCplx,
			Summary: "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.",
			Handler: func(c *Ctx) { blockingPopCommand(c, true) }},
		{Name: "brpop", Arity: -3, Flags: FlagWrite | FlagBlocking, FirstKey: 1, LastKey: -2, Step: 1,
			ACL: bSlow, Group: "list", Since: "2.0.0", Complexity: listBPopCplx,
			Summary: "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.",
			Handler: func(c *Ctx) { blockingPopCommand(c, false) }},
		two(&Command{Name: "blmove", Arity: 6, Flags: FlagWrite | FlagDenyOOM | FlagBlocking, ACL: bSlow,
			Since: "6.2.0", Complexity: "O(1)",
			Summary: "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.",
			Handler: blmoveCommand}),
		two(&Command{Name: "brpoplpush", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagBlocking, ACL: bSlow,
			Since: "2.2.0", Complexity: "O(1)",
			Summary: "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.",
			Handler: brpoplpushCommand}),
		{Name: "blmpop", Arity: -5, Flags: FlagWrite | FlagBlocking, Keys: listNumkeysKeys(2), ACL: bSlow,
			Group: "list", Since: "7.0.0", Complexity: listMPopCplx,
			Summary: "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.",
			Handler: blmpopCommand},
	}
}

// listNumkeysKeys finds the keys of LMPOP / BLMPOP: numkeys at argv[idx],
// the keys right after it. A numkeys the handler will reject names no
// key, and the keys never run past argv.
func listNumkeysKeys(idx int) KeysFunc {
	return func(argv [][]byte, dst []int) []int {
		if idx >= len(argv) {
			return dst
		}
		n, ok := types.ParseInt(argv[idx])
		if !ok || n <= 0 {
			return dst
		}
		last := idx + int(min(n, int64(len(argv))))
		for i := idx + 1; i <= last && i < len(argv); i++ {
			dst = append(dst, i)
		}
		return dst
	}
}
