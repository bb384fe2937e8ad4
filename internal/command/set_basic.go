package command

import (
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// saddCommand is SADD key member [member ...]. Like Valkey it sizes the
// encoding by the number of arguments: a new set is created for that many
// members, and an existing small set converts to a hashtable first when
// the arguments could not fit it — even if they are all present already.
func saddCommand(c *Ctx) {
	key, members := c.Argv[1], c.Argv[2:]
	e, ok := c.LookupWriteKind(key, types.KindSet)
	if !ok {
		return
	}
	lim := c.Node.KS.Limits()
	added := 0
	if e == nil {
		s := types.NewSet(members[0], len(members), lim)
		for _, m := range members {
			if s.Add(m, lim) {
				added++
			}
		}
		c.Tx.Set(key, keyspace.NewObject(s), false)
	} else {
		s := setOf(e)
		switch {
		case setAnyMissing(s, members):
			c.Tx.Modify(key, e)
		case s.WouldConvert(len(members), lim):
			c.Tx.Reencode(key, e)
		}
		s.MaybeConvert(len(members), lim)
		for _, m := range members {
			if s.Add(m, lim) {
				added++
			}
		}
	}
	if added > 0 {
		c.Tx.Notify(keyspace.NotifySet, "sadd", key)
	}
	c.W.Int(int64(added))
}

// setAnyMissing reports whether some member is not in s.
func setAnyMissing(s *types.Set, members [][]byte) bool {
	for _, m := range members {
		if !s.Contains(m) {
			return true
		}
	}
	return false
}

// setAnyPresent reports whether some member is in s.
func setAnyPresent(s *types.Set, members [][]byte) bool {
	for _, m := range members {
		if s.Contains(m) {
			return true
		}
	}
	return false
}

// sremCommand is SREM key member [member ...]; the key goes when its last
// member does.
func sremCommand(c *Ctx) {
	key, members := c.Argv[1], c.Argv[2:]
	e, ok := c.LookupWriteKind(key, types.KindSet)
	if !ok {
		return
	}
	if e == nil || !setAnyPresent(setOf(e), members) {
		c.W.Int(0)
		return
	}
	s := setOf(e)
	c.Tx.Modify(key, e)
	deleted, keyRemoved := 0, false
	for _, m := range members {
		if !s.Remove(m) {
			continue
		}
		deleted++
		if s.Len() == 0 {
			c.Tx.Delete(key)
			keyRemoved = true
			break
		}
	}
	c.Tx.Notify(keyspace.NotifySet, "srem", key)
	if keyRemoved {
		c.Tx.Notify(keyspace.NotifyGeneric, "del", key)
	}
	c.W.Int(int64(deleted))
}

func scardCommand(c *Ctx) {
	e, ok := c.LookupKind(c.Argv[1], types.KindSet)
	switch {
	case !ok:
	case e == nil:
		c.W.Int(0)
	default:
		c.W.Int(int64(setOf(e).Len()))
	}
}

func sismemberCommand(c *Ctx) {
	e, ok := c.LookupKind(c.Argv[1], types.KindSet)
	switch {
	case !ok:
	case e != nil && setOf(e).Contains(c.Argv[2]):
		c.W.Int(1)
	default:
		c.W.Int(0)
	}
}

// smismemberCommand answers one 0/1 per member; a missing key is an empty
// set.
func smismemberCommand(c *Ctx) {
	e, ok := c.LookupKind(c.Argv[1], types.KindSet)
	if !ok {
		return
	}
	members := c.Argv[2:]
	c.W.ArrayLen(len(members))
	for _, m := range members {
		if e != nil && setOf(e).Contains(m) {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
	}
}

// smoveCommand is SMOVE source destination member, checked in Valkey's
// order: a missing source answers 0 before the destination's type is
// looked at, and moving within one set only reports membership.
func smoveCommand(c *Ctx) {
	src, dst, m := c.Argv[1], c.Argv[2], c.Argv[3]
	se := c.Tx.LookupWrite(src)
	de := c.Tx.LookupWrite(dst)
	if se == nil {
		c.W.Int(0)
		return
	}
	if se.Kind() != types.KindSet || (de != nil && de.Kind() != types.KindSet) {
		c.Error(ErrWrongType)
		return
	}
	ss := setOf(se)
	if se == de || !ss.Contains(m) {
		if se == de && ss.Contains(m) {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
		return
	}
	c.Tx.Modify(src, se)
	ss.Remove(m)
	c.Tx.Notify(keyspace.NotifySet, "srem", src)
	if ss.Len() == 0 {
		c.Tx.Delete(src)
		c.Tx.Notify(keyspace.NotifyGeneric, "del", src)
	}
	lim := c.Node.KS.Limits()
	if de == nil {
		ds := types.NewSet(m, 1, lim)
		ds.Add(m, lim)
		c.Tx.Set(dst, keyspace.NewObject(ds), false)
		c.Tx.Notify(keyspace.NotifySet, "sadd", dst)
	} else if ds := setOf(de); !ds.Contains(m) {
		c.Tx.Modify(dst, de)
		ds.Add(m, lim)
		c.Tx.Notify(keyspace.NotifySet, "sadd", dst)
	}
	c.W.Int(1)
}
