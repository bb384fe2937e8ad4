package command

import (
	"math"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// Per-field result codes of the field expiration commands (Valkey's
// expiryModificationResult).
const (
	hashFieldMissing   = -2 // no such field (or key)
	hashFieldNoTTL     = -1 // HPERSIST / HTTL: the field has no TTL
	hashFieldCondition = 0  // NX/XX/GT/LT not met
	hashFieldSet       = 1  // TTL set (or removed by HPERSIST)
	hashFieldDeleted   = 2  // time 0 or past: the field was deleted
)

// HEXPIRE conditions.
const (
	hashExpNX = 1 << iota
	hashExpXX
	hashExpGT
	hashExpLT
)

func hexpireCommand(c *Ctx)    { hexpireGeneric(c, c.Now(), true) }
func hpexpireCommand(c *Ctx)   { hexpireGeneric(c, c.Now(), false) }
func hexpireatCommand(c *Ctx)  { hexpireGeneric(c, 0, true) }
func hpexpireatCommand(c *Ctx) { hexpireGeneric(c, 0, false) }

// hashFieldsArg finds "FIELDS numfields" at or after argv[from] and checks
// that exactly numfields arguments follow (pairs when perField is 2). It
// returns the index of the first field and the count; opts is called
// with the index of FIELDS to parse the options before it. Errors are
// replied in Valkey's order: options, numfields not an integer, count.
func hashFieldsArg(c *Ctx, from, perField int, opts func(fieldsAt int) bool) (first, n int, ok bool) {
	var num int64
	i := from
	for ; i < len(c.Argv)-1; i++ {
		if c.ArgIs(i, "fields") {
			if opts != nil && !opts(i) {
				return 0, 0, false
			}
			if num, ok = c.Int(i + 1); !ok {
				return 0, 0, false
			}
			i += 2
			break
		}
	}
	if num <= 0 || num > math.MaxInt64/int64(perField) || num*int64(perField) != int64(len(c.Argv)-i) {
		c.Error(ErrHashNumFields)
		return 0, 0, false
	}
	return i, int(num), true
}

// hashExpireFlags parses NX|XX|GT|LT from argv[3:end] as Valkey's
// parseExtendedExpireArgumentsOrReply.
func hashExpireFlags(c *Ctx, end int) (int, bool) {
	flags := 0
	for j := 3; j < end; j++ {
		switch {
		case c.ArgIs(j, "nx"):
			flags |= hashExpNX
		case c.ArgIs(j, "xx"):
			flags |= hashExpXX
		case c.ArgIs(j, "gt"):
			flags |= hashExpGT
		case c.ArgIs(j, "lt"):
			flags |= hashExpLT
		default:
			c.Error(ErrKeysUnsupportedOption(c.Argv[j]))
			return 0, false
		}
	}
	if flags&hashExpNX != 0 && flags&(hashExpXX|hashExpGT|hashExpLT) != 0 {
		c.Error(ErrKeysNXXXGTLT)
		return 0, false
	}
	if flags&hashExpGT != 0 && flags&hashExpLT != 0 {
		c.Error(ErrKeysGTLT)
		return 0, false
	}
	return flags, true
}

// hashExpireTime converts a TTL argument to absolute ms as Valkey's
// convertExpireArgumentToUnixTime: negative values and overflow are
// "invalid expire time" errors.
func hashExpireTime(c *Ctx, arg []byte, basetime int64, seconds bool) (int64, bool) {
	when, ok := types.ParseInt(arg)
	if !ok {
		c.Error(ErrNotInt)
		return 0, false
	}
	if when < 0 || (seconds && when > math.MaxInt64/1000) {
		c.Error(ErrInvalidExpire(c.Cmd.Name))
		return 0, false
	}
	if seconds {
		when *= 1000
	}
	if when > math.MaxInt64-basetime {
		c.Error(ErrInvalidExpire(c.Cmd.Name))
		return 0, false
	}
	return when + basetime, true
}

// hexpireGeneric is HEXPIRE, HPEXPIRE, HEXPIREAT and HPEXPIREAT: one code
// per field. A future time is propagated as HPEXPIREAT with the absolute
// time; a 0/past time deletes the fields, propagated as HDEL.
func hexpireGeneric(c *Ctx, basetime int64, seconds bool) {
	var flags int
	first, n, ok := hashFieldsArg(c, 3, 1, func(at int) bool {
		var ok bool
		flags, ok = hashExpireFlags(c, at)
		return ok
	})
	if !ok {
		return
	}
	when, ok := hashExpireTime(c, c.Argv[2], basetime, seconds)
	if !ok {
		return
	}
	key := c.Argv[1]
	t, ok := hashWrite(c, key)
	if !ok {
		return
	}
	now := c.Now()
	past := when <= now
	var deleted [][]byte
	updated := 0
	c.W.ArrayLen(n)
	for _, f := range c.Argv[first:] {
		code := hashSetFieldExpire(c, &t, f, when, past, flags, now)
		switch code {
		case hashFieldDeleted:
			deleted = append(deleted, f)
		case hashFieldSet:
			updated++
		}
		c.W.Int(int64(code))
	}
	if len(deleted) == 0 && updated == 0 {
		return
	}
	removed := t.done(c)
	if len(deleted) > 0 {
		c.Tx.Keyspace().Stats().ExpiredFields.Add(int64(len(deleted)))
		c.Tx.Propagate(append([][]byte{[]byte(hashTokHDel), key}, deleted...)...)
		c.Tx.Notify(keyspace.NotifyHash, hashEvHExpired, key)
	} else {
		if c.Cmd.Name != "hpexpireat" {
			argv := append([][]byte{[]byte(hashTokHPExpAt), key, formatInt(when)}, c.Argv[3:]...)
			c.Tx.Propagate(argv...)
		}
		c.Tx.Notify(keyspace.NotifyHash, hashEvHExpire, key)
	}
	if removed {
		c.Tx.Notify(keyspace.NotifyGeneric, hashEvDel, key)
	}
}

// hashSetFieldExpire applies one field's expiry (Valkey's
// hashTypeSetExpire) and returns its code.
func hashSetFieldExpire(c *Ctx, t *hashTarget, f []byte, when int64, past bool, flags int, now int64) int {
	if t.h == nil {
		return hashFieldMissing
	}
	cur, ok := t.h.FieldTTL(f, now)
	if !ok {
		return hashFieldMissing
	}
	none := cur == types.NoExpiry
	switch {
	case flags&hashExpNX != 0 && !none,
		flags&hashExpXX != 0 && none,
		flags&hashExpGT != 0 && (none || when <= cur),
		flags&hashExpLT != 0 && !none && when >= cur:
		return hashFieldCondition
	}
	t.touch(c)
	if past {
		t.h.DeleteAny(f)
		return hashFieldDeleted
	}
	t.h.SetFieldTTL(f, when, now)
	return hashFieldSet
}

func httlCommand(c *Ctx)         { httlGeneric(c, c.Now(), false) }
func hpttlCommand(c *Ctx)        { httlGeneric(c, c.Now(), true) }
func hexpiretimeCommand(c *Ctx)  { httlGeneric(c, 0, false) }
func hpexpiretimeCommand(c *Ctx) { httlGeneric(c, 0, true) }

// hashNumFieldsAt parses the numfields of HTTL and HPERSIST, which Valkey
// reads at argv[3] without checking the FIELDS token, and checks the
// field count, replying mismatch (its error differs by command).
func hashNumFieldsAt(c *Ctx, mismatch string) (int, bool) {
	n, ok := c.Int(3)
	if !ok {
		return 0, false
	}
	if n <= 0 || n != int64(len(c.Argv)-4) {
		c.Error(mismatch)
		return 0, false
	}
	return int(n), true
}

// httlGeneric is HTTL, HPTTL, HEXPIRETIME and HPEXPIRETIME: -2 for a
// missing field, -1 without TTL, else the TTL (relative to basetime, not
// below 0, seconds rounded) as Valkey's httlGenericCommand.
func httlGeneric(c *Ctx, basetime int64, ms bool) {
	n, ok := hashNumFieldsAt(c, ErrSyntax)
	if !ok {
		return
	}
	h, ok := hashRead(c, c.Argv[1])
	if !ok {
		return
	}
	now := c.Now()
	c.W.ArrayLen(n)
	for _, f := range c.Argv[4:] {
		if h == nil {
			c.W.Int(hashFieldMissing)
			continue
		}
		at, ok := h.FieldTTL(f, now)
		switch {
		case !ok:
			c.W.Int(hashFieldMissing)
		case at == types.NoExpiry:
			c.W.Int(hashFieldNoTTL)
		default:
			r := max(at-basetime, 0)
			if !ms {
				r = (r + 500) / 1000
			}
			c.W.Int(r)
		}
	}
}

// hpersistCommand removes field TTLs: 1 removed, -1 no TTL, -2 missing.
// It propagates as received.
func hpersistCommand(c *Ctx) {
	n, ok := hashNumFieldsAt(c, ErrHashNumFields)
	if !ok {
		return
	}
	key := c.Argv[1]
	t, ok := hashWrite(c, key)
	if !ok {
		return
	}
	now := c.Now()
	changed := 0
	c.W.ArrayLen(n)
	for _, f := range c.Argv[4:] {
		code := hashPersistField(c, &t, f, now)
		if code == hashFieldSet {
			changed++
		}
		c.W.Int(int64(code))
	}
	if changed > 0 {
		t.done(c)
		c.Tx.Notify(keyspace.NotifyHash, hashEvHPersist, key)
	}
}

// hashPersistField removes one field's TTL (Valkey's hashTypePersist).
func hashPersistField(c *Ctx, t *hashTarget, f []byte, now int64) int {
	if t.h == nil {
		return hashFieldMissing
	}
	at, ok := t.h.FieldTTL(f, now)
	switch {
	case !ok:
		return hashFieldMissing
	case at == types.NoExpiry:
		return hashFieldNoTTL
	}
	t.touch(c)
	t.h.PersistField(f, now)
	return hashFieldSet
}
