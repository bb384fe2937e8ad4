package command

import (
	"errors"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

func keysDumpCommands() []*Command {
	return []*Command{
		{Name: "dump", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1,
			ACL: []string{"keyspace", "read", "slow"}, Tips: []string{"nondeterministic_output"},
			Group: "generic", Since: "2.6.0", Summary: "Returns a serialized representation of the value stored at a key.",
			Complexity: "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Valkey objects composing the value and M their average size.",
			Handler:    dumpCommand},
		{Name: "restore", Arity: -4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
			ACL: []string{"keyspace", "write", "slow", "dangerous"}, Group: "generic", Since: "2.6.0",
			Summary:    "Creates a key from the serialized representation of a value.",
			Complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Valkey objects composing the value and M their average size.",
			Handler:    restoreCommand},
	}
}

// dumpCommand serializes a value in Shoal's payload format (types.DumpString,
// types.DumpObject), which RESTORE on any Shoal node accepts.
func dumpCommand(c *Ctx) {
	e := c.Tx.Lookup(c.Argv[1], 0)
	if e == nil {
		c.W.Null()
		return
	}
	if e.Obj == nil {
		c.W.Bulk(types.DumpString(e.Str))
		return
	}
	p, err := types.DumpObject(e.Obj)
	if err != nil {
		c.Error(ErrKeysDumpUnsupported)
		return
	}
	c.W.Bulk(p)
}

// restoreOptions are RESTORE's options after the payload.
type restoreOptions struct {
	replace, absTTL bool
	idle, freq      int64 // -1 when not given
}

func parseRestoreOptions(c *Ctx) (restoreOptions, bool) {
	o := restoreOptions{idle: -1, freq: -1}
	for j := 4; j < len(c.Argv); j++ {
		more := len(c.Argv) - j - 1
		switch {
		case c.ArgIs(j, "replace"):
			o.replace = true
		case c.ArgIs(j, "absttl"):
			o.absTTL = true
		case c.ArgIs(j, "idletime") && more >= 1 && o.freq == -1:
			n, ok := c.Int(j + 1)
			if !ok {
				return o, false
			}
			if n < 0 {
				c.Error(ErrKeysInvalidIdleTime)
				return o, false
			}
			o.idle = n
			j++
		case c.ArgIs(j, "freq") && more >= 1 && o.idle == -1:
			n, ok := c.Int(j + 1)
			if !ok {
				return o, false
			}
			if n < 0 || n > 255 {
				c.Error(ErrKeysInvalidFreq)
				return o, false
			}
			o.freq = n
			j++
		default:
			c.Error(ErrSyntax)
			return o, false
		}
	}
	return o, true
}

// restoreCommand is RESTORE key ttl payload [REPLACE] [ABSTTL]
// [IDLETIME s] [FREQ f], checked in Valkey's order. A relative TTL is
// propagated as an absolute one (ABSTTL appended); a TTL already in the
// past creates nothing, and with REPLACE propagates the deletion of the
// old value.
func restoreCommand(c *Ctx) {
	o, ok := parseRestoreOptions(c)
	if !ok {
		return
	}
	key := c.Argv[1]
	if !o.replace && c.Tx.LookupWrite(key) != nil {
		c.Error(ErrBusyKey)
		return
	}
	ttl, ok := c.Int(2)
	if !ok {
		return
	}
	if ttl < 0 {
		c.Error(ErrInvalidTTL)
		return
	}
	v, err := types.ParseDump(c.Argv[3])
	if err != nil {
		if errors.Is(err, types.ErrDumpFormat) {
			c.Error(ErrKeysBadDataFormat)
		} else {
			c.Error(ErrDumpPayload)
		}
		return
	}
	deleted := o.replace && c.Tx.Delete(key)
	if ttl != 0 && !o.absTTL {
		ttl += c.Now()
	}
	if ttl != 0 && ttl <= c.Now() {
		if deleted {
			c.Tx.Propagate([]byte("DEL"), key)
			c.Tx.Notify(keyspace.NotifyGeneric, "del", key)
		}
		c.W.OK()
		return
	}
	e := &keyspace.Entry{Str: v.Str, Obj: v.Obj}
	c.Tx.Set(key, e, false)
	if ttl != 0 {
		c.Tx.SetExpire(key, ttl)
		if !o.absTTL {
			argv := append([][]byte(nil), c.Argv...)
			argv[2] = formatInt(ttl)
			c.Tx.Propagate(append(argv, []byte("ABSTTL"))...)
		}
	}
	c.Tx.SetAccess(e, o.idle, o.freq)
	c.Tx.Notify(keyspace.NotifyGeneric, "restore", key)
	c.W.OK()
}
