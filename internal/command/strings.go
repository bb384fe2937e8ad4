package command

// The string family: the command table entries (this file), GET/SET and
// their variants (strings_set.go), counters (strings_num.go), ranges
// (strings_range.go), LCS (strings_lcs.go), bitmaps (strings_bits.go,
// bitfield.go). Valkey's t_string.c and bitops.c are the reference for
// argument order, error precedence, notifications and propagation.

const (
	strO1        = "O(1)"
	strRangeCplx = "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings."
	strMSetCplx  = "O(N) where N is the number of keys to set."
)

func stringCommands() []*Command {
	return append(stringBasicCommands(), bitmapCommands()...)
}

// stringBasicCommands are the commands of the "string" group.
func stringBasicCommands() []*Command {
	rFast := []string{"read", "string", "fast"}
	rSlow := []string{"read", "string", "slow"}
	wFast := []string{"write", "string", "fast"}
	wSlow := []string{"write", "string", "slow"}
	one := func(c *Command) *Command {
		c.FirstKey, c.LastKey, c.Step, c.Group = 1, 1, 1, "string"
		if c.Complexity == "" {
			c.Complexity = strO1
		}
		return c
	}
	return []*Command{
		one(&Command{Name: "get", Arity: 2, Flags: FlagReadonly | FlagFast, ACL: rFast, Since: "1.0.0",
			Summary: "Returns the string value of a key.", Handler: getCommand}),
		one(&Command{Name: "set", Arity: -3, Flags: FlagWrite | FlagDenyOOM, ACL: wSlow, Since: "1.0.0",
			Summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
			Handler: setCommand}),
		one(&Command{Name: "setnx", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, ACL: wFast, Since: "1.0.0",
			Summary: "Set the string value of a key only when the key doesn't exist.", Handler: setnxCommand}),
		one(&Command{Name: "setex", Arity: 4, Flags: FlagWrite | FlagDenyOOM, ACL: wSlow, Since: "2.0.0",
			Summary: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
			Handler: setexCommand}),
		one(&Command{Name: "psetex", Arity: 4, Flags: FlagWrite | FlagDenyOOM, ACL: wSlow, Since: "2.6.0",
			Summary: "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.",
			Handler: psetexCommand}),
		one(&Command{Name: "getset", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, ACL: wFast, Since: "1.0.0",
			Summary: "Returns the previous string value of a key after setting it to a new value.", Handler: getsetCommand}),
		one(&Command{Name: "getdel", Arity: 2, Flags: FlagWrite | FlagFast, ACL: wFast, Since: "6.2.0",
			Summary: "Returns the string value of a key after deleting the key.", Handler: getdelCommand}),
		one(&Command{Name: "getex", Arity: -2, Flags: FlagWrite | FlagFast, ACL: wFast, Since: "6.2.0",
			Summary: "Returns the string value of a key after setting its expiration time.", Handler: getexCommand}),
		one(&Command{Name: "delifeq", Arity: 3, Flags: FlagWrite, ACL: wSlow, Since: "9.0.0",
			Summary: "Delete key if value matches string.", Handler: delifeqCommand}),
		{Name: "mget", Arity: -2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1, ACL: rFast,
			Tips: []string{"request_policy:multi_shard"}, Group: "string", Since: "1.0.0",
			Complexity: "O(N) where N is the number of keys to retrieve.",
			Summary:    "Atomically returns the string values of one or more keys.", Handler: mgetCommand},
		{Name: "mset", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 2, ACL: wSlow,
			Tips:  []string{"request_policy:multi_shard", "response_policy:all_succeeded"},
			Group: "string", Since: "1.0.1", Complexity: strMSetCplx,
			Summary: "Atomically creates or modifies the string values of one or more keys.", Handler: msetCommand},
		{Name: "msetnx", Arity: -3, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: -1, Step: 2, ACL: wSlow,
			Group: "string", Since: "1.0.1", Complexity: strMSetCplx,
			Summary: "Atomically modifies the string values of one or more keys only when all keys don't exist.",
			Handler: msetnxCommand},
		one(&Command{Name: "append", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, ACL: wFast, Since: "2.0.0",
			Complexity: "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by the server will double the free space available on every reallocation.",
			Summary:    "Appends a string to the value of a key. Creates the key if it doesn't exist.", Handler: appendCommand}),
		one(&Command{Name: "strlen", Arity: 2, Flags: FlagReadonly | FlagFast, ACL: rFast, Since: "2.2.0",
			Summary: "Returns the length of a string value.", Handler: strlenCommand}),
		one(&Command{Name: "incr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast, ACL: wFast, Since: "1.0.0",
			Summary: "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
			Handler: incrCommand}),
		one(&Command{Name: "decr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast, ACL: wFast, Since: "1.0.0",
			Summary: "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
			Handler: decrCommand}),
		one(&Command{Name: "incrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, ACL: wFast, Since: "1.0.0",
			Summary: "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
			Handler: incrbyCommand}),
		one(&Command{Name: "decrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, ACL: wFast, Since: "1.0.0",
			Summary: "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.",
			Handler: decrbyCommand}),
		one(&Command{Name: "incrbyfloat", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, ACL: wFast, Since: "2.6.0",
			Summary: "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
			Handler: incrbyfloatCommand}),
		one(&Command{Name: "setrange", Arity: 4, Flags: FlagWrite | FlagDenyOOM, ACL: wSlow, Since: "2.2.0",
			Complexity: "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
			Summary:    "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.",
			Handler:    setrangeCommand}),
		one(&Command{Name: "getrange", Arity: 4, Flags: FlagReadonly, ACL: rSlow, Since: "2.4.0", Complexity: strRangeCplx,
			Summary: "Returns a substring of the string stored at a key.", Handler: getrangeCommand}),
		one(&Command{Name: "substr", Arity: 4, Flags: FlagReadonly, ACL: rSlow, Since: "1.0.0", Complexity: strRangeCplx,
			Summary: "Returns a substring from a string value.", Handler: getrangeCommand}),
		{Name: "lcs", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 2, Step: 1, ACL: rSlow,
			Group: "string", Since: "7.0.0", Complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
			Summary: "Finds the longest common substring.", Handler: lcsCommand},
	}
}

// bitmapCommands are the commands of the "bitmap" group.
func bitmapCommands() []*Command {
	bit := func(c *Command) *Command {
		c.Group = "bitmap"
		if c.FirstKey == 0 {
			c.FirstKey, c.LastKey, c.Step = 1, 1, 1
		}
		return c
	}
	return []*Command{
		bit(&Command{Name: "setbit", Arity: 4, Flags: FlagWrite | FlagDenyOOM, ACL: []string{"write", "bitmap", "slow"},
			Since: "2.2.0", Complexity: strO1,
			Summary: "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.",
			Handler: setbitCommand}),
		bit(&Command{Name: "getbit", Arity: 3, Flags: FlagReadonly | FlagFast, ACL: []string{"read", "bitmap", "fast"},
			Since: "2.2.0", Complexity: strO1, Summary: "Returns a bit value by offset.", Handler: getbitCommand}),
		bit(&Command{Name: "bitcount", Arity: -2, Flags: FlagReadonly, ACL: []string{"read", "bitmap", "slow"},
			Since: "2.6.0", Complexity: "O(N)",
			Summary: "Counts the number of set bits (population counting) in a string.", Handler: bitcountCommand}),
		bit(&Command{Name: "bitpos", Arity: -3, Flags: FlagReadonly, ACL: []string{"read", "bitmap", "slow"},
			Since: "2.8.7", Complexity: "O(N)",
			Summary: "Finds the first set (1) or clear (0) bit in a string.", Handler: bitposCommand}),
		bit(&Command{Name: "bitop", Arity: -4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 2, LastKey: -1, Step: 1,
			ACL: []string{"write", "bitmap", "slow"}, Since: "2.6.0", Complexity: "O(N)",
			Summary: "Performs bitwise operations on multiple strings, and stores the result.", Handler: bitopCommand}),
		bit(&Command{Name: "bitfield", Arity: -2, Flags: FlagWrite | FlagDenyOOM, ACL: []string{"write", "bitmap", "slow"},
			Since: "3.2.0", Complexity: "O(1) for each subcommand specified",
			Summary: "Performs arbitrary bitfield integer operations on strings.", Handler: bitfieldCommand}),
		bit(&Command{Name: "bitfield_ro", Arity: -2, Flags: FlagReadonly | FlagFast, ACL: []string{"read", "bitmap", "fast"},
			Since: "6.0.0", Complexity: "O(1) for each subcommand specified",
			Summary: "Performs arbitrary read-only bitfield integer operations on strings.", Handler: bitfieldROCommand}),
	}
}
