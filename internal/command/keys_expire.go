package command

import (
	"math"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

func keysExpireCommands() []*Command {
	rwFast := []string{"keyspace", "write", "fast"}
	roFast := []string{"keyspace", "read", "fast"}
	key1 := func(c *Command) *Command { c.FirstKey, c.LastKey, c.Step = 1, 1, 1; return c }
	return []*Command{
		key1(&Command{Name: "expire", Arity: -3, Flags: FlagWrite | FlagFast, ACL: rwFast, Group: "generic",
			Since: "1.0.0", Summary: "Sets the expiration time of a key in seconds.", Complexity: "O(1)",
			Handler: func(c *Ctx) { expireGeneric(c, c.Now(), true) }}),
		key1(&Command{Name: "pexpire", Arity: -3, Flags: FlagWrite | FlagFast, ACL: rwFast, Group: "generic",
			Since: "2.6.0", Summary: "Sets the expiration time of a key in milliseconds.", Complexity: "O(1)",
			Handler: func(c *Ctx) { expireGeneric(c, c.Now(), false) }}),
		key1(&Command{Name: "expireat", Arity: -3, Flags: FlagWrite | FlagFast, ACL: rwFast, Group: "generic",
			Since: "1.2.0", Summary: "Sets the expiration time of a key to a Unix timestamp.", Complexity: "O(1)",
			Handler: func(c *Ctx) { expireGeneric(c, 0, true) }}),
		key1(&Command{Name: "pexpireat", Arity: -3, Flags: FlagWrite | FlagFast, ACL: rwFast, Group: "generic",
			Since: "2.6.0", Summary: "Sets the expiration time of a key to a Unix milliseconds timestamp.", Complexity: "O(1)",
			Handler: func(c *Ctx) { expireGeneric(c, 0, false) }}),
		key1(&Command{Name: "ttl", Arity: 2, Flags: FlagReadonly | FlagFast, ACL: roFast, Group: "generic",
			Tips: []string{"nondeterministic_output"}, Since: "1.0.0",
			Summary: "Returns the expiration time in seconds of a key.", Complexity: "O(1)",
			Handler: func(c *Ctx) { ttlGeneric(c, false, false) }}),
		key1(&Command{Name: "pttl", Arity: 2, Flags: FlagReadonly | FlagFast, ACL: roFast, Group: "generic",
			Tips: []string{"nondeterministic_output"}, Since: "2.6.0",
			Summary: "Returns the expiration time in milliseconds of a key.", Complexity: "O(1)",
			Handler: func(c *Ctx) { ttlGeneric(c, true, false) }}),
		key1(&Command{Name: "expiretime", Arity: 2, Flags: FlagReadonly | FlagFast, ACL: roFast, Group: "generic",
			Since: "7.0.0", Summary: "Returns the expiration time of a key as a Unix timestamp.", Complexity: "O(1)",
			Handler: func(c *Ctx) { ttlGeneric(c, false, true) }}),
		key1(&Command{Name: "pexpiretime", Arity: 2, Flags: FlagReadonly | FlagFast, ACL: roFast, Group: "generic",
			Since: "7.0.0", Summary: "Returns the expiration time of a key as a Unix milliseconds timestamp.", Complexity: "O(1)",
			Handler: func(c *Ctx) { ttlGeneric(c, true, true) }}),
		key1(&Command{Name: "persist", Arity: 2, Flags: FlagWrite | FlagFast, ACL: rwFast, Group: "generic",
			Since: "2.2.0", Summary: "Removes the expiration time of a key.", Complexity: "O(1)", Handler: persistCommand}),
	}
}

// The EXPIRE family's conditions.
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

// parseExpireFlags parses the NX/XX/GT/LT options from argv[3:], replying
// with Valkey's error on an unknown or incompatible combination.
func parseExpireFlags(c *Ctx) (int, bool) {
	flags := 0
	for i := 3; i < len(c.Argv); i++ {
		switch {
		case c.ArgIs(i, "nx"):
			flags |= expireNX
		case c.ArgIs(i, "xx"):
			flags |= expireXX
		case c.ArgIs(i, "gt"):
			flags |= expireGT
		case c.ArgIs(i, "lt"):
			flags |= expireLT
		default:
			c.Error(ErrKeysUnsupportedOption(c.Argv[i]))
			return 0, false
		}
	}
	if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
		c.Error(ErrKeysNXXXGTLT)
		return 0, false
	}
	if flags&expireGT != 0 && flags&expireLT != 0 {
		c.Error(ErrKeysGTLT)
		return 0, false
	}
	return flags, true
}

// expireGeneric implements EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT: basetime
// is the command time for the relative forms and 0 for the absolute ones.
// A time at or before now deletes the key, as an expiry; a future time is
// propagated as PEXPIREAT with an absolute millisecond timestamp (keeping
// the condition options, which replay identically on a replica).
func expireGeneric(c *Ctx, basetime int64, seconds bool) {
	flags, ok := parseExpireFlags(c)
	if !ok {
		return
	}
	when, ok := c.Int(2)
	if !ok {
		return
	}
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.Error(ErrInvalidExpire(c.Cmd.Name))
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-basetime {
		c.Error(ErrInvalidExpire(c.Cmd.Name))
		return
	}
	when += basetime
	if when < 0 {
		when = 0
	}
	key := c.Argv[1]
	if c.Tx.LookupWrite(key) == nil {
		c.W.Int(0)
		return
	}
	if flags != 0 && !expireConditionHolds(flags, c.Tx.TTL(key), when) {
		c.W.Int(0)
		return
	}
	if when <= c.Now() {
		keysDeleteExpired(c, key)
		c.W.Int(1)
		return
	}
	c.Tx.SetExpire(key, when)
	c.Tx.Notify(keyspace.NotifyGeneric, "expire", key)
	argv := [][]byte{[]byte("PEXPIREAT"), key, formatInt(when)}
	c.Tx.Propagate(append(argv, c.Argv[3:]...)...)
	c.W.Int(1)
}

// expireConditionHolds checks NX/XX/GT/LT against the current expiry (-1
// for none, which GT treats as infinite).
func expireConditionHolds(flags int, current, when int64) bool {
	switch {
	case flags&expireNX != 0 && current != -1:
		return false
	case flags&expireXX != 0 && current == -1:
		return false
	case flags&expireGT != 0 && (current == -1 || when <= current):
		return false
	case flags&expireLT != 0 && current != -1 && when >= current:
		return false
	}
	return true
}

// keysDeleteExpired removes a key whose new expiry is already past: Valkey
// counts it as an expiry ("expired" event, expired_keys) and replicates a
// plain deletion.
func keysDeleteExpired(c *Ctx, key []byte) {
	c.Tx.Delete(key)
	c.Tx.Keyspace().Stats().ExpiredKeys.Add(1)
	c.Tx.Notify(keyspace.NotifyExpired, "expired", key)
	c.Tx.Propagate([]byte("DEL"), key)
}

// ttlGeneric implements TTL, PTTL, EXPIRETIME and PEXPIRETIME.
func ttlGeneric(c *Ctx, ms, abs bool) {
	key := c.Argv[1]
	if c.Tx.Lookup(key, keyspace.NoTouch) == nil {
		c.W.Int(-2)
		return
	}
	at := c.Tx.TTL(key)
	if at == -1 {
		c.W.Int(-1)
		return
	}
	v := at
	if !abs {
		v = at - c.Now()
	}
	if v < 0 {
		v = 0
	}
	if !ms {
		v = (v + 500) / 1000
	}
	c.W.Int(v)
}

func persistCommand(c *Ctx) {
	key := c.Argv[1]
	if c.Tx.LookupWrite(key) == nil || !c.Tx.Persist(key) {
		c.W.Int(0)
		return
	}
	c.Tx.Notify(keyspace.NotifyGeneric, "persist", key)
	c.W.Int(1)
}

// parseKeysInt32 parses an argument as Valkey's getIntFromObjectOrReply:
// an integer within the C int range.
func parseKeysInt32(b []byte) (int, bool) {
	n, ok := types.ParseInt(b)
	if !ok || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false
	}
	return int(n), true
}
