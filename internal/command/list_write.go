package command

import (
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// listLookup finds key as a list, for reading or writing. It replies
// WRONGTYPE and returns ok=false for another type; a missing key returns
// (nil, nil, true).
func listLookup(c *Ctx, key []byte, write bool) (*keyspace.Entry, *types.List, bool) {
	var e *keyspace.Entry
	var ok bool
	if write {
		e, ok = c.LookupWriteKind(key, types.KindList)
	} else {
		e, ok = c.LookupKind(key, types.KindList)
	}
	if !ok || e == nil {
		return nil, nil, ok
	}
	return e, e.Obj.(*types.List), true
}

func listLimits(c *Ctx) types.Limits { return c.Node.KS.Limits() }

// listRemoved finishes a removal from key's list l, as Valkey's
// listElementsRemoved: the pop event, then deletion of an emptied list
// ("del") or the shrinking conversion check.
func listRemoved(c *Ctx, key []byte, l *types.List, event string) {
	c.Tx.Notify(keyspace.NotifyList, event, key)
	listDeleteIfEmpty(c, key, l)
}

// listDeleteIfEmpty deletes an emptied list (Valkey never keeps one) or
// lets a shrunk one convert back to a listpack.
func listDeleteIfEmpty(c *Ctx, key []byte, l *types.List) {
	if l.Len() == 0 {
		c.Tx.Delete(key)
		c.Tx.Notify(keyspace.NotifyGeneric, "del", key)
		return
	}
	l.Shrink(listLimits(c))
}

func listPushEvent(left bool) string {
	if left {
		return "lpush"
	}
	return "rpush"
}

func listPopEvent(left bool) string {
	if left {
		return "lpop"
	}
	return "rpop"
}

// listPushCommand is LPUSH, RPUSH, LPUSHX and RPUSHX (xx: only when the
// list exists).
func listPushCommand(c *Ctx, left, xx bool) {
	key := c.Argv[1]
	e, l, ok := listLookup(c, key, true)
	if !ok {
		return
	}
	lim := listLimits(c)
	switch {
	case e == nil && xx:
		c.W.Int(0)
		return
	case e == nil:
		l = types.NewList()
		l.PushMany(c.Argv[2:], left, lim)
		c.Tx.Set(key, keyspace.NewObject(l), false)
	default:
		c.Tx.Modify(key, e)
		l.PushMany(c.Argv[2:], left, lim)
	}
	c.Tx.Notify(keyspace.NotifyList, listPushEvent(left), key)
	c.W.Int(int64(l.Len()))
}

// listWhere parses LEFT | RIGHT.
func listWhere(c *Ctx, i int) (left, ok bool) {
	switch {
	case c.ArgIs(i, "left"):
		return true, true
	case c.ArgIs(i, "right"):
		return false, true
	}
	c.Error(ErrSyntax)
	return false, false
}

// linsertCommand is LINSERT key BEFORE|AFTER pivot element.
func linsertCommand(c *Ctx) {
	var after bool
	switch {
	case c.ArgIs(2, "after"):
		after = true
	case c.ArgIs(2, "before"):
	default:
		c.Error(ErrSyntax)
		return
	}
	key, pivot, elem := c.Argv[1], c.Argv[3], c.Argv[4]
	e, l, ok := listLookup(c, key, true)
	if !ok {
		return
	}
	if e == nil {
		c.W.Int(0)
		return
	}
	lim := listLimits(c)
	if l.Find(pivot) < 0 {
		// Valkey converts the encoding before it looks for the pivot.
		l.GrowCheck(1, len(elem), lim)
		c.W.Int(-1)
		return
	}
	c.Tx.Modify(key, e)
	l.Insert(pivot, elem, after, lim)
	c.Tx.Notify(keyspace.NotifyList, "linsert", key)
	c.W.Int(int64(l.Len()))
}

// lsetCommand is LSET key index element.
func lsetCommand(c *Ctx) {
	key, elem := c.Argv[1], c.Argv[3]
	e, l, ok := listLookup(c, key, true)
	if !ok {
		return
	}
	if e == nil {
		c.Error(ErrNoSuchKey)
		return
	}
	index, ok := c.Int(2)
	if !ok {
		return
	}
	lim := listLimits(c)
	i, in := listIndex(index, l.Len())
	if !in {
		l.GrowCheck(1, len(elem), lim)
		c.Error(ErrListIndexRange)
		return
	}
	c.Tx.Modify(key, e)
	l.SetIndex(i, elem, lim)
	c.Tx.Notify(keyspace.NotifyList, "lset", key)
	c.W.OK()
}

// listIndex resolves a possibly negative index against a list of n
// elements and reports whether it is in range.
func listIndex(index int64, n int) (int, bool) {
	if index < 0 {
		index += int64(n)
	}
	if index < 0 || index >= int64(n) {
		return 0, false
	}
	return int(index), true
}
