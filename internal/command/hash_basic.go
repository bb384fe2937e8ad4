package command

import (
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// Propagation and notification tokens of the hash family.
const (
	hashTokHSet      = "HSET"
	hashTokHSetEx    = "HSETEX"
	hashTokHDel      = "HDEL"
	hashTokHPExpAt   = "HPEXPIREAT"
	hashTokHPersist  = "HPERSIST"
	hashTokPXAT      = "PXAT"
	hashTokFields    = "FIELDS"
	hashEvHExpired   = "hexpired"
	hashEvHExpire    = "hexpire"
	hashEvHPersist   = "hpersist"
	hashEvHSet       = "hset"
	hashEvHDel       = "hdel"
	hashEvDel        = "del"
	hashEvHIncrBy    = "hincrby"
	hashEvHIncrFloat = "hincrbyfloat"
)

// hashRead looks key up for reading. It returns (nil, true) for a missing
// key and (nil, false) after replying WRONGTYPE.
func hashRead(c *Ctx, key []byte) (*types.Hash, bool) {
	e, ok := c.LookupKind(key, types.KindHash)
	if !ok || e == nil {
		return nil, ok
	}
	return e.Obj.(*types.Hash), true
}

// hashTarget is a hash about to be written: an existing entry, or a new
// one that is stored (Tx.Set) only when the command leaves it non-empty.
type hashTarget struct {
	key      []byte
	e        *keyspace.Entry
	h        *types.Hash
	created  bool
	modified bool
}

// hashWrite looks key up for writing. It returns ok=false after replying
// WRONGTYPE; t.h is nil for a missing key.
func hashWrite(c *Ctx, key []byte) (t hashTarget, ok bool) {
	e, ok := c.LookupWriteKind(key, types.KindHash)
	if !ok {
		return t, false
	}
	t.key = key
	if e != nil {
		t.e, t.h = e, e.Obj.(*types.Hash)
	}
	return t, true
}

// create makes a missing hash, as Valkey's hashTypeLookupWriteOrCreate.
func (t *hashTarget) create() {
	if t.h == nil {
		t.h = types.NewHash()
		t.e = keyspace.NewObject(t.h)
		t.created = true
	}
}

// touch must run before the first change of an existing hash.
func (t *hashTarget) touch(c *Ctx) {
	if !t.created && !t.modified {
		c.Tx.Modify(t.key, t.e)
		t.modified = true
	}
}

// done settles a written hash: a new one is stored, one left empty is
// deleted (reporting true, the caller notifies "del" after its own
// events), and the volatile-field index learns about TTL changes.
func (t *hashTarget) done(c *Ctx) (deleted bool) {
	switch {
	case t.created:
		if t.h.Len() > 0 {
			c.Tx.Set(t.key, t.e, false)
		}
		return false
	case !t.modified:
		return false
	case t.h.Len() == 0:
		c.Tx.Delete(t.key)
		return true
	default:
		c.Tx.SyncVolatile(t.key, t.e)
		return false
	}
}

// hashCountExpiredOverwrites accounts overwrites of logically expired
// fields as Valkey does: they count as expirations ("hexpired" event and
// expired_fields).
func hashCountExpiredOverwrites(c *Ctx, key []byte, n int) {
	if n == 0 {
		return
	}
	c.Tx.Keyspace().Stats().ExpiredFields.Add(int64(n))
	c.Tx.Notify(keyspace.NotifyHash, hashEvHExpired, key)
}

// hsetCommand is HSET and HMSET (which replies OK).
func hsetCommand(c *Ctx) {
	if len(c.Argv)%2 == 1 {
		c.WrongArgs()
		return
	}
	key := c.Argv[1]
	t, ok := hashWrite(c, key)
	if !ok {
		return
	}
	t.create()
	t.touch(c)
	lim := c.Node.KS.Limits()
	t.h.PrepareSet(c.Argv[2:], lim)
	now := c.Now()
	created, expired := 0, 0
	for i := 2; i < len(c.Argv); i += 2 {
		updated, exp := t.h.Put(c.Argv[i], c.Argv[i+1], types.NoExpiry, false, now, lim)
		if !updated {
			created++
		}
		if exp {
			expired++
		}
	}
	t.done(c)
	hashCountExpiredOverwrites(c, key, expired)
	c.Tx.Notify(keyspace.NotifyHash, hashEvHSet, key)
	if c.Cmd.Name == "hmset" {
		c.W.OK()
		return
	}
	c.W.Int(int64(created))
}

// hsetnxCommand sets a field only when it is absent (an expired field is
// absent). On a hash with volatile fields it propagates as HSET: a replica
// may still hold the field the primary saw as expired.
func hsetnxCommand(c *Ctx) {
	key, field := c.Argv[1], c.Argv[2]
	t, ok := hashWrite(c, key)
	if !ok {
		return
	}
	if t.h != nil && t.h.Exists(field, c.Now()) {
		c.W.Int(0)
		return
	}
	t.create()
	t.touch(c)
	hadVolatile := t.h.VolatileFields() > 0
	lim := c.Node.KS.Limits()
	t.h.PrepareSet(c.Argv[2:4], lim)
	_, expired := t.h.Put(field, c.Argv[3], types.NoExpiry, false, c.Now(), lim)
	t.done(c)
	if expired {
		hashCountExpiredOverwrites(c, key, 1)
	}
	c.Tx.Notify(keyspace.NotifyHash, hashEvHSet, key)
	if hadVolatile {
		c.Tx.Propagate([]byte(hashTokHSet), key, field, c.Argv[3])
	}
	c.W.Int(1)
}

func hgetCommand(c *Ctx) {
	h, ok := hashRead(c, c.Argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.W.Null()
		return
	}
	hashReplyValue(c, h, c.Argv[2])
}

// hashReplyValue replies with a live field's value or null.
func hashReplyValue(c *Ctx, h *types.Hash, field []byte) {
	if h == nil {
		c.W.Null()
		return
	}
	if v, ok := h.Get(field, c.Now()); ok {
		c.W.Bulk(v)
		return
	}
	c.W.Null()
}

func hmgetCommand(c *Ctx) {
	h, ok := hashRead(c, c.Argv[1])
	if !ok {
		return
	}
	c.W.ArrayLen(len(c.Argv) - 2)
	for _, f := range c.Argv[2:] {
		hashReplyValue(c, h, f)
	}
}

// hdelCommand deletes live fields; expired ones are left to the reclaimer
// (and not counted), as in Valkey.
func hdelCommand(c *Ctx) {
	key := c.Argv[1]
	t, ok := hashWrite(c, key)
	if !ok {
		return
	}
	if t.h == nil {
		c.W.Int(0)
		return
	}
	now := c.Now()
	deleted := 0
	for _, f := range c.Argv[2:] {
		if !t.h.Exists(f, now) {
			continue
		}
		t.touch(c)
		t.h.Delete(f, now)
		deleted++
		if t.h.Len() == 0 {
			break
		}
	}
	if deleted > 0 {
		removed := t.done(c)
		c.Tx.Notify(keyspace.NotifyHash, hashEvHDel, key)
		if removed {
			c.Tx.Notify(keyspace.NotifyGeneric, hashEvDel, key)
		}
	}
	c.W.Int(int64(deleted))
}

func hlenCommand(c *Ctx) {
	h, ok := hashRead(c, c.Argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(h.Len()))
}

func hstrlenCommand(c *Ctx) {
	h, ok := hashRead(c, c.Argv[1])
	if !ok {
		return
	}
	var n int
	if h != nil {
		v, _ := h.Get(c.Argv[2], c.Now())
		n = len(v)
	}
	c.W.Int(int64(n))
}

func hexistsCommand(c *Ctx) {
	h, ok := hashRead(c, c.Argv[1])
	if !ok {
		return
	}
	if h != nil && h.Exists(c.Argv[2], c.Now()) {
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}

// What hashReplyAll emits.
const (
	hashWantFields = 1 << iota
	hashWantValues
)

func hkeysCommand(c *Ctx)   { hashReplyAll(c, hashWantFields) }
func hvalsCommand(c *Ctx)   { hashReplyAll(c, hashWantValues) }
func hgetallCommand(c *Ctx) { hashReplyAll(c, hashWantFields|hashWantValues) }

// hashReplyAll is HKEYS, HVALS and HGETALL (a map in RESP3), skipping
// expired fields.
func hashReplyAll(c *Ctx, what int) {
	h, ok := hashRead(c, c.Argv[1])
	if !ok {
		return
	}
	both := what == hashWantFields|hashWantValues
	n := 0
	now := c.Now()
	if h != nil {
		n = hashLiveLen(h, now)
	}
	if both {
		c.W.MapLen(n)
	} else {
		c.W.ArrayLen(n)
	}
	if n == 0 {
		return
	}
	h.Range(now, func(f, v []byte) bool {
		if what&hashWantFields != 0 {
			c.W.Bulk(f)
		}
		if what&hashWantValues != 0 {
			c.W.Bulk(v)
		}
		return true
	})
}

// hashLiveLen counts the fields that are not logically expired.
func hashLiveLen(h *types.Hash, now int64) int {
	if h.VolatileFields() == 0 || h.MinFieldTTL() >= now {
		return h.Len()
	}
	n := 0
	h.Range(now, func(_, _ []byte) bool { n++; return true })
	return n
}
