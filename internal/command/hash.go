package command

// The hash family: the command table entries (this file), the classic
// field commands (hash_basic.go), counters (hash_incr.go), HRANDFIELD and
// HSCAN (hash_rand.go), and hash field expiration: HEXPIRE and friends,
// HTTL and friends, HPERSIST (hash_expire.go), HGETEX and HSETEX
// (hash_ex.go). Valkey 9's t_hash.c is the reference for argument order,
// error precedence, notifications and propagation.
//
// Field expiration follows Valkey: a field whose TTL has passed is absent
// for every command, but reads never delete it; the active expiry job
// (keyspace/fieldexpire.go) reclaims it, or a command that sets a 0/past
// TTL deletes it at once. Every handler that changes field TTLs in place
// calls hashDone, which tells the keyspace's volatile-field index.

const (
	hashO1       = "O(1)"
	hashONFields = "O(N) where N is the number of specified fields."
	hashOAll     = "O(N) where N is the size of the hash."
)

func hashCommands() []*Command {
	one := func(c *Command) *Command {
		c.FirstKey, c.LastKey, c.Step, c.Group = 1, 1, 1, "hash"
		if c.Complexity == "" {
			c.Complexity = hashO1
		}
		return c
	}
	hash := []string{"hash"}
	wFast := FlagWrite | FlagFast
	wOOMFast := FlagWrite | FlagDenyOOM | FlagFast
	rFast := FlagReadonly | FlagFast
	cmds := []*Command{
		one(&Command{Name: "hset", Arity: -4, Flags: wOOMFast, ACL: hash, Since: "2.0.0",
			Complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
			Summary:    "Creates or modifies the value of a field in a hash.", Handler: hsetCommand}),
		one(&Command{Name: "hsetnx", Arity: 4, Flags: wOOMFast, ACL: hash, Since: "2.0.0",
			Summary: "Sets the value of a field in a hash only when the field doesn't exist.", Handler: hsetnxCommand}),
		one(&Command{Name: "hmset", Arity: -4, Flags: wOOMFast, ACL: hash, Since: "2.0.0",
			Complexity: "O(N) where N is the number of fields being set.",
			Summary:    "Sets the values of multiple fields.", Handler: hsetCommand}),
		one(&Command{Name: "hget", Arity: 3, Flags: rFast, ACL: hash, Since: "2.0.0",
			Summary: "Returns the value of a field in a hash.", Handler: hgetCommand}),
		one(&Command{Name: "hmget", Arity: -3, Flags: rFast, ACL: hash, Since: "2.0.0",
			Complexity: "O(N) where N is the number of fields being requested.",
			Summary:    "Returns the values of all fields in a hash.", Handler: hmgetCommand}),
		one(&Command{Name: "hdel", Arity: -3, Flags: wFast, ACL: hash, Since: "2.0.0",
			Complexity: "O(N) where N is the number of fields to be removed.",
			Summary:    "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.",
			Handler:    hdelCommand}),
		one(&Command{Name: "hlen", Arity: 2, Flags: rFast, ACL: hash, Since: "2.0.0",
			Summary: "Returns the number of fields in a hash.", Handler: hlenCommand}),
		one(&Command{Name: "hstrlen", Arity: 3, Flags: rFast, ACL: hash, Since: "3.2.0",
			Summary: "Returns the length of the value of a field.", Handler: hstrlenCommand}),
		one(&Command{Name: "hexists", Arity: 3, Flags: rFast, ACL: hash, Since: "2.0.0",
			Summary: "Determines whether a field exists in a hash.", Handler: hexistsCommand}),
		one(&Command{Name: "hkeys", Arity: 2, Flags: FlagReadonly, ACL: hash, Since: "2.0.0", Complexity: hashOAll,
			Tips: []string{"nondeterministic_output_order"}, Summary: "Returns all fields in a hash.", Handler: hkeysCommand}),
		one(&Command{Name: "hvals", Arity: 2, Flags: FlagReadonly, ACL: hash, Since: "2.0.0", Complexity: hashOAll,
			Tips: []string{"nondeterministic_output_order"}, Summary: "Returns all values in a hash.", Handler: hvalsCommand}),
		one(&Command{Name: "hgetall", Arity: 2, Flags: FlagReadonly, ACL: hash, Since: "2.0.0", Complexity: hashOAll,
			Tips: []string{"nondeterministic_output_order"}, Summary: "Returns all fields and values in a hash.", Handler: hgetallCommand}),
		one(&Command{Name: "hincrby", Arity: 4, Flags: wOOMFast, ACL: hash, Since: "2.0.0",
			Summary: "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.",
			Handler: hincrbyCommand}),
		one(&Command{Name: "hincrbyfloat", Arity: 4, Flags: wOOMFast, ACL: hash, Since: "2.6.0",
			Summary: "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.",
			Handler: hincrbyfloatCommand}),
		one(&Command{Name: "hrandfield", Arity: -2, Flags: FlagReadonly, ACL: hash, Since: "6.2.0",
			Complexity: "O(N) where N is the number of fields returned", Tips: []string{"nondeterministic_output"},
			Summary: "Returns one or more random fields from a hash.", Handler: hrandfieldCommand}),
		one(&Command{Name: "hscan", Arity: -3, Flags: FlagReadonly, ACL: hash, Since: "2.8.0",
			Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
			Tips:       []string{"nondeterministic_output"}, Summary: "Iterates over fields and values of a hash.", Handler: hscanCommand}),
	}
	return append(cmds, hashTTLCommands(one)...)
}

// hashTTLCommands are the hash field expiration commands of Valkey 9.0.
func hashTTLCommands(one func(*Command) *Command) []*Command {
	hash := []string{"hash"}
	wFast := FlagWrite | FlagFast
	rFast := FlagReadonly | FlagFast
	const since = "9.0.0"
	const ttlCplx = "O(1) for each field, so O(N) for N items when the command is called with multiple fields."
	expire := func(name string, h func(*Ctx)) *Command {
		return one(&Command{Name: name, Arity: -6, Flags: wFast, ACL: hash, Since: since, Complexity: hashONFields,
			Summary: "Sets expiry time on hash fields.", Handler: h})
	}
	ttl := func(name, summary string, h func(*Ctx)) *Command {
		return one(&Command{Name: name, Arity: -5, Flags: rFast, ACL: hash, Since: since, Complexity: ttlCplx,
			Summary: summary, Handler: h})
	}
	return []*Command{
		expire("hexpire", hexpireCommand),
		expire("hpexpire", hpexpireCommand),
		expire("hexpireat", hexpireatCommand),
		expire("hpexpireat", hpexpireatCommand),
		ttl("httl", "Returns the remaining time to live (in seconds) of a hash key's field(s) that have an associated expiration.", httlCommand),
		ttl("hpttl", "Returns the remaining time to live (in milliseconds) of a hash key's field(s) that have an associated expiration.", hpttlCommand),
		ttl("hexpiretime", "Returns the Unix timestamp in seconds since Unix epoch at which the given key's field(s) will expire", hexpiretimeCommand),
		ttl("hpexpiretime", "Returns the Unix timestamp in milliseconds since Unix epoch at which the given key's field(s) will expire", hpexpiretimeCommand),
		one(&Command{Name: "hpersist", Arity: -5, Flags: wFast, ACL: hash, Since: since, Complexity: hashONFields,
			Summary: "Remove the existing expiration on a hash key's field(s).", Handler: hpersistCommand}),
		one(&Command{Name: "hgetex", Arity: -5, Flags: wFast, ACL: hash, Since: since, Complexity: hashONFields,
			Summary: "Get the value of one or more fields of a given hash key, and optionally set their expiration time or time-to-live (TTL).",
			Handler: hgetexCommand}),
		one(&Command{Name: "hsetex", Arity: -6, Flags: FlagWrite | FlagDenyOOM | FlagFast, ACL: hash, Since: since, Complexity: hashONFields,
			Summary: "Set the value of one or more fields of a given hash key, and optionally set their expiration time.",
			Handler: hsetexCommand}),
	}
}
