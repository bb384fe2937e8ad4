package command

import (
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// Options of HGETEX and HSETEX (Valkey's ARGS_* flags for COMMAND_HGET and
// COMMAND_HSET).
const (
	hashOptFNX = 1 << iota
	hashOptFXX
	hashOptKeepTTL
	hashOptPersist
	hashOptEX
	hashOptPX
	hashOptEXAT
	hashOptPXAT
)

const hashOptExpire = hashOptEX | hashOptPX | hashOptEXAT | hashOptPXAT

// hashExArgs are parsed HGETEX / HSETEX options.
type hashExArgs struct {
	flags    int
	expire   []byte // the EX/PX/EXAT/PXAT argument
	expireAt int    // its argv index
}

// hashParseExArgs parses argv[2:end] as Valkey's
// parseExtendedCommandArgumentsOrReply: every option may repeat, an option
// conflicting with one already given, or a time option without its value
// before FIELDS, is a syntax error.
func hashParseExArgs(c *Ctx, end int, set bool) (hashExArgs, bool) {
	var a hashExArgs
	for j := 2; j < end; j++ {
		opt := c.Argv[j]
		hasNext := j+1 < end
		f := a.flags
		exp := hashExpireOpt(opt)
		switch {
		case set && strTokIs(opt, "fnx") && f&hashOptFXX == 0:
			a.flags |= hashOptFNX
		case set && strTokIs(opt, "fxx") && f&hashOptFNX == 0:
			a.flags |= hashOptFXX
		case set && strTokIs(opt, "keepttl") && f&hashOptExpire == 0:
			a.flags |= hashOptKeepTTL
		case !set && strTokIs(opt, "persist") && f&hashOptExpire == 0:
			a.flags |= hashOptPersist
		case exp != 0 && hasNext && f&((hashOptExpire|hashOptKeepTTL|hashOptPersist)&^exp) == 0:
			a.flags |= exp
			a.expire, a.expireAt = c.Argv[j+1], j+1
			j++
		default:
			c.Error(ErrSyntax)
			return a, false
		}
	}
	return a, true
}

func hashExpireOpt(opt []byte) int {
	switch {
	case strTokIs(opt, "ex"):
		return hashOptEX
	case strTokIs(opt, "px"):
		return hashOptPX
	case strTokIs(opt, "exat"):
		return hashOptEXAT
	case strTokIs(opt, "pxat"):
		return hashOptPXAT
	}
	return 0
}

// when converts the time option to absolute ms.
func (a hashExArgs) when(c *Ctx) (int64, bool) {
	base := c.Now()
	if a.flags&(hashOptEXAT|hashOptPXAT) != 0 {
		base = 0
	}
	return hashExpireTime(c, a.expire, base, a.flags&(hashOptEX|hashOptEXAT) != 0)
}

// hgetexCommand is HGETEX key [EX|PX|EXAT|PXAT time | PERSIST] FIELDS n
// field...: the values, like HMGET, then the TTL change on the fields
// that exist. It is never propagated as received but as HDEL (time 0 or
// past), HPEXPIREAT or HPERSIST of the changed fields only.
func hgetexCommand(c *Ctx) {
	var a hashExArgs
	first, n, ok := hashFieldsArg(c, 2, 1, func(at int) bool {
		var ok bool
		a, ok = hashParseExArgs(c, at, false)
		return ok
	})
	if !ok {
		return
	}
	key := c.Argv[1]
	e, ok := c.LookupKind(key, types.KindHash)
	if !ok {
		return
	}
	t := hashTarget{key: key, e: e}
	if e != nil {
		t.h = e.Obj.(*types.Hash)
	}
	var when int64
	if a.expire != nil {
		if when, ok = a.when(c); !ok {
			return
		}
	}
	now := c.Now()
	past := a.expire != nil && when <= now
	var changed [][]byte
	c.W.ArrayLen(n)
	for _, f := range c.Argv[first:] {
		hashReplyValue(c, t.h, f)
		if hgetexApply(c, &t, f, a, when, past, now) {
			changed = append(changed, f)
		}
	}
	if len(changed) == 0 {
		return
	}
	removed := t.done(c)
	hgetexPropagate(c, key, a, when, past, changed)
	if removed {
		c.Tx.Notify(keyspace.NotifyGeneric, hashEvDel, key)
	}
}

// hgetexApply changes one field's TTL and reports whether it did.
func hgetexApply(c *Ctx, t *hashTarget, f []byte, a hashExArgs, when int64, past bool, now int64) bool {
	if t.h == nil {
		return false
	}
	switch {
	case past:
		if !t.h.Exists(f, now) {
			return false
		}
		t.touch(c)
		t.h.DeleteAny(f)
		c.Tx.Keyspace().Stats().ExpiredFields.Add(1)
		return true
	case a.expire != nil:
		return hashSetFieldExpire(c, t, f, when, false, 0, now) == hashFieldSet
	case a.flags&hashOptPersist != 0:
		return hashPersistField(c, t, f, now) == hashFieldSet
	}
	return false
}

// hgetexPropagate records HGETEX's effect and its event.
func hgetexPropagate(c *Ctx, key []byte, a hashExArgs, when int64, past bool, changed [][]byte) {
	var argv [][]byte
	var event string
	switch {
	case past:
		argv = [][]byte{[]byte(hashTokHDel), key}
		event = hashEvHExpired
	case a.expire != nil:
		argv = [][]byte{[]byte(hashTokHPExpAt), key, formatInt(when), []byte(hashTokFields), formatInt(int64(len(changed)))}
		event = hashEvHExpire
	default:
		argv = [][]byte{[]byte(hashTokHPersist), key, []byte(hashTokFields), formatInt(int64(len(changed)))}
		event = hashEvHPersist
	}
	c.Tx.Propagate(append(argv, changed...)...)
	c.Tx.Notify(keyspace.NotifyHash, event, key)
}

// hsetexCommand is HSETEX key [FNX|FXX] [EX|PX|EXAT|PXAT time | KEEPTTL]
// FIELDS n field value...: 1 when every field was written, 0 when FNX/FXX
// refused (nothing changes then). A 0/past time deletes the fields
// instead (propagated as HDEL); a relative time is propagated as PXAT, and
// FNX/FXX are dropped from the propagated command.
func hsetexCommand(c *Ctx) {
	var a hashExArgs
	fieldsAt := 0
	first, _, ok := hashFieldsArg(c, 2, 2, func(at int) bool {
		var ok bool
		fieldsAt = at
		a, ok = hashParseExArgs(c, at, true)
		return ok
	})
	if !ok {
		return
	}
	key := c.Argv[1]
	t, ok := hashWrite(c, key)
	if !ok {
		return
	}
	when := types.NoExpiry
	if a.expire != nil && a.flags&hashOptKeepTTL == 0 {
		if when, ok = a.when(c); !ok {
			return
		}
	}
	now := c.Now()
	if !hsetexConditionsHold(c, &t, a, first, now) {
		c.W.Int(0)
		return
	}
	past := a.expire != nil && when <= now
	var effect [][]byte
	if past {
		effect = hsetexDelete(c, &t, first)
	} else {
		effect = hsetexWrite(c, &t, a, when, first, fieldsAt)
	}
	removed := t.done(c)
	if len(effect) > 0 {
		c.Tx.Propagate(effect...)
	}
	// Valkey announces these whenever the conditions held, even when
	// nothing was left to delete.
	c.Tx.Notify(keyspace.NotifyHash, hashEvHSet, key)
	if a.expire != nil {
		c.Tx.Notify(keyspace.NotifyHash, hashEvHExpire, key)
	}
	if past {
		c.Tx.Notify(keyspace.NotifyHash, hashEvHExpired, key)
	}
	// A hash left empty (or, with a past time, never created: Valkey
	// creates it and deletes it again) is announced as deleted.
	if removed || t.h == nil || t.h.Len() == 0 {
		c.Tx.Notify(keyspace.NotifyGeneric, hashEvDel, key)
	}
	c.W.Int(1)
}

// hsetexConditionsHold checks FNX (no field exists) and FXX (every field
// exists); a missing key fails FXX and passes FNX.
func hsetexConditionsHold(c *Ctx, t *hashTarget, a hashExArgs, first int, now int64) bool {
	if a.flags&(hashOptFNX|hashOptFXX) == 0 {
		return true
	}
	if t.h == nil {
		return a.flags&hashOptFXX == 0
	}
	for i := first; i < len(c.Argv); i += 2 {
		exists := t.h.Exists(c.Argv[i], now)
		if (a.flags&hashOptFNX != 0 && exists) || (a.flags&hashOptFXX != 0 && !exists) {
			return false
		}
	}
	return true
}

// hsetexDelete is HSETEX with a 0/past time: the named fields are deleted,
// even logically expired ones, and every named field counts in
// expired_fields as in Valkey. It returns the HDEL effect (nil when
// nothing was stored).
func hsetexDelete(c *Ctx, t *hashTarget, first int) [][]byte {
	c.Tx.Keyspace().Stats().ExpiredFields.Add(int64((len(c.Argv) - first) / 2))
	if t.h == nil {
		return nil
	}
	effect := [][]byte{[]byte(hashTokHDel), t.key}
	for i := first; i < len(c.Argv); i += 2 {
		f := c.Argv[i]
		if t.h.Stored(f) {
			t.touch(c)
			t.h.DeleteAny(f)
			effect = append(effect, f)
		}
	}
	if len(effect) == 2 {
		return nil
	}
	return effect
}

// hsetexWrite writes the fields and returns the propagated effect: HSETEX
// with EX/PX/EXAT turned into PXAT and FNX/FXX dropped. With KEEPTTL the
// fields that were logically expired are first propagated as deleted, so
// that a replica does not keep their old TTL.
func hsetexWrite(c *Ctx, t *hashTarget, a hashExArgs, when int64, first, fieldsAt int) [][]byte {
	t.create()
	t.touch(c)
	lim := c.Node.KS.Limits()
	now := c.Now()
	keep := a.flags&hashOptKeepTTL != 0
	var overwritten [][]byte
	for i := first; i < len(c.Argv); i += 2 {
		if _, exp := t.h.Put(c.Argv[i], c.Argv[i+1], when, keep, now, lim); exp {
			overwritten = append(overwritten, c.Argv[i])
		}
	}
	if len(overwritten) > 0 {
		hashCountExpiredOverwrites(c, t.key, len(overwritten))
		if keep {
			c.Tx.Propagate(append([][]byte{[]byte(hashTokHDel), t.key}, overwritten...)...)
		}
	}
	rewrite := a.flags&(hashOptFNX|hashOptFXX|hashOptEX|hashOptPX|hashOptEXAT) != 0
	if !rewrite {
		return c.Argv
	}
	argv := make([][]byte, 0, len(c.Argv)+1)
	for i := 0; i < fieldsAt; i++ {
		switch {
		case i >= 2 && (strTokIs(c.Argv[i], "fnx") || strTokIs(c.Argv[i], "fxx")):
		case i >= 2 && hashExpireOpt(c.Argv[i]) != 0:
			// The last time option becomes PXAT; a repeated earlier one
			// is dropped (Valkey would copy it and the replica would
			// refuse the conflicting options).
			if i+1 == a.expireAt {
				argv = append(argv, []byte(hashTokPXAT), formatInt(when))
			}
			i++
		default:
			argv = append(argv, c.Argv[i])
		}
	}
	return append(argv, c.Argv[fieldsAt:]...)
}
