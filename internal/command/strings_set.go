package command

import (
	"bytes"
	"math"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// Flags of the extended SET / GETEX arguments (Valkey's ARGS_* flags).
const (
	strArgNX = 1 << iota
	strArgXX
	strArgGet
	strArgKeepTTL
	strArgPersist
	strArgEX
	strArgPX
	strArgEXAT
	strArgPXAT
	strArgIfEq
)

const (
	strArgExpire   = strArgEX | strArgPX | strArgEXAT | strArgPXAT
	strArgTTLFlags = strArgExpire | strArgKeepTTL | strArgPersist
)

// Which command's option grammar strParseExtArgs applies.
const (
	strGrammarSet = iota
	strGrammarGetex
)

// strExtArgs is a parsed SET / GETEX option list.
type strExtArgs struct {
	flags  int
	expire []byte // the EX/PX/EXAT/PXAT argument
	cmp    []byte // the IFEQ comparison value
	getAt  []int  // argv positions of GET tokens, dropped when propagating
}

// Command names used in rewritten propagation.
const (
	strTokSet     = "SET"
	strTokDel     = "DEL"
	strTokPXAT    = "PXAT"
	strTokKeepTTL = "KEEPTTL"
	strTokPExpAt  = "PEXPIREAT"
	strTokPersist = "PERSIST"
)

// strParseExtArgs parses argv[start:] as Valkey's
// parseExtendedCommandArgumentsOrReply does: every option may repeat, but
// options that conflict with one already seen are a syntax error.
func strParseExtArgs(c *Ctx, start, grammar int) (strExtArgs, bool) {
	var a strExtArgs
	isSet := grammar == strGrammarSet
	for j := start; j < len(c.Argv); j++ {
		opt := c.Argv[j]
		hasNext := j+1 < len(c.Argv)
		f := a.flags
		switch {
		case isSet && strTokIs(opt, "nx") && f&(strArgXX|strArgIfEq) == 0:
			a.flags |= strArgNX
		case isSet && strTokIs(opt, "xx") && f&(strArgNX|strArgIfEq) == 0:
			a.flags |= strArgXX
		case isSet && strTokIs(opt, "ifeq") && hasNext && f&(strArgNX|strArgXX) == 0:
			a.flags |= strArgIfEq
			a.cmp = c.Argv[j+1]
			j++
		case isSet && strTokIs(opt, "get"):
			a.flags |= strArgGet
			a.getAt = append(a.getAt, j)
		case isSet && strTokIs(opt, "keepttl") && f&(strArgPersist|strArgExpire) == 0:
			a.flags |= strArgKeepTTL
		case !isSet && strTokIs(opt, "persist") && f&(strArgExpire|strArgKeepTTL) == 0:
			a.flags |= strArgPersist
		case hasNext && strExpireOpt(opt) != 0 && f&(strArgTTLFlags&^strExpireOpt(opt)) == 0:
			a.flags |= strExpireOpt(opt)
			a.expire = c.Argv[j+1]
			j++
		default:
			c.Error(ErrSyntax)
			return a, false
		}
	}
	return a, true
}

// strExpireOpt maps EX/PX/EXAT/PXAT to its flag, anything else to 0.
func strExpireOpt(opt []byte) int {
	switch {
	case strTokIs(opt, "ex"):
		return strArgEX
	case strTokIs(opt, "px"):
		return strArgPX
	case strTokIs(opt, "exat"):
		return strArgEXAT
	case strTokIs(opt, "pxat"):
		return strArgPXAT
	}
	return 0
}

// strTokIs compares an argument with a lower-case token, ignoring case.
func strTokIs(arg []byte, tok string) bool {
	if len(arg) != len(tok) {
		return false
	}
	for i := 0; i < len(arg); i++ {
		ch := arg[i]
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		if ch != tok[i] {
			return false
		}
	}
	return true
}

// strExpireMillis converts an expire argument into an absolute time in
// ms, replying with Valkey's errors for non-integers, non-positive values
// and overflow.
func strExpireMillis(c *Ctx, arg []byte, flags int) (int64, bool) {
	n, ok := types.ParseInt(arg)
	if !ok {
		c.Error(ErrNotInt)
		return 0, false
	}
	seconds := flags&(strArgEX|strArgEXAT) != 0
	if n <= 0 || (seconds && n > math.MaxInt64/1000) {
		c.Error(ErrInvalidExpire(c.Cmd.Name))
		return 0, false
	}
	if seconds {
		n *= 1000
	}
	if flags&(strArgEX|strArgPX) != 0 {
		n += c.Now() // wraps on overflow, caught below as in Valkey
	}
	if n <= 0 {
		c.Error(ErrInvalidExpire(c.Cmd.Name))
		return 0, false
	}
	return n, true
}

// strDeleteExpired removes a key whose new expire time is already in the
// past, as Valkey's deleteExpiredKeyFromOverwriteAndPropagate: the effect
// is an expiration, announced as "expired" and propagated as DEL.
func strDeleteExpired(c *Ctx, key []byte) {
	if !c.Tx.Delete(key) {
		return
	}
	c.Tx.Keyspace().Stats().ExpiredKeys.Add(1)
	c.Tx.Propagate([]byte(strTokDel), key)
	c.Tx.Notify(keyspace.NotifyExpired, "expired", key)
}

// strReplyValue replies with key's string value or null; it replies
// WRONGTYPE and returns false for other types.
func strReplyValue(c *Ctx, key []byte) bool {
	e, ok := c.LookupKind(key, types.KindString)
	if !ok {
		return false
	}
	if e == nil {
		c.W.Null()
	} else {
		c.W.Bulk(e.Str)
	}
	return true
}

func getCommand(c *Ctx) { strReplyValue(c, c.Argv[1]) }

func setCommand(c *Ctx) {
	a, ok := strParseExtArgs(c, 3, strGrammarSet)
	if !ok {
		return
	}
	strSetGeneric(c, a, c.Argv[1], c.Argv[2], false)
}

func setnxCommand(c *Ctx) {
	strSetGeneric(c, strExtArgs{flags: strArgNX}, c.Argv[1], c.Argv[2], true)
}

func setexCommand(c *Ctx) {
	strSetGeneric(c, strExtArgs{flags: strArgEX, expire: c.Argv[2]}, c.Argv[1], c.Argv[3], false)
}

func psetexCommand(c *Ctx) {
	strSetGeneric(c, strExtArgs{flags: strArgPX, expire: c.Argv[2]}, c.Argv[1], c.Argv[3], false)
}

// strSetGeneric is Valkey's setGenericCommand. intReply selects SETNX's
// :1/:0 replies instead of +OK/null.
func strSetGeneric(c *Ctx, a strExtArgs, key, val []byte, intReply bool) {
	var when int64
	if a.expire != nil {
		var ok bool
		if when, ok = strExpireMillis(c, a.expire, a.flags); !ok {
			return
		}
	}
	withGet := a.flags&strArgGet != 0
	if withGet && !strReplyValue(c, key) {
		return
	}
	old := c.Tx.LookupWrite(key)
	found := old != nil
	abort := (a.flags&strArgNX != 0 && found) || (a.flags&strArgXX != 0 && !found)
	if a.flags&strArgIfEq != 0 {
		if found && !withGet && old.Obj != nil {
			c.Error(ErrWrongType)
			return
		}
		abort = abort || !found || old.Obj != nil || !bytes.Equal(old.Str, a.cmp)
	}
	if abort {
		if !withGet {
			strSetAbortReply(c, intReply)
		}
		return
	}
	if a.expire != nil && when <= c.Now() {
		if found {
			strDeleteExpired(c, key)
		}
		if !withGet {
			strSetOKReply(c, intReply)
		}
		return
	}
	c.Tx.SetString(key, val, a.flags&strArgKeepTTL != 0)
	if a.expire != nil {
		c.Tx.SetExpire(key, when)
	}
	c.Tx.Notify(keyspace.NotifyString, "set", key)
	if a.expire != nil {
		if a.flags&strArgPXAT == 0 {
			c.Tx.Propagate([]byte(strTokSet), key, val, []byte(strTokPXAT), formatInt(when))
		}
		c.Tx.Notify(keyspace.NotifyGeneric, "expire", key)
	}
	if !withGet {
		strSetOKReply(c, intReply)
	} else if a.expire == nil {
		strPropagateWithout(c, a.getAt)
	}
}

func strSetOKReply(c *Ctx, intReply bool) {
	if intReply {
		c.W.Int(1)
	} else {
		c.W.OK()
	}
}

func strSetAbortReply(c *Ctx, intReply bool) {
	if intReply {
		c.W.Int(0)
	} else {
		c.W.Null()
	}
}

// strPropagateWithout propagates argv minus the positions in skip (the
// GET tokens of SET, which a replica must not answer).
func strPropagateWithout(c *Ctx, skip []int) {
	argv := make([][]byte, 0, len(c.Argv)-len(skip))
	for i, arg := range c.Argv {
		if len(skip) > 0 && skip[0] == i {
			skip = skip[1:]
			continue
		}
		argv = append(argv, arg)
	}
	c.Tx.Propagate(argv...)
}

func getsetCommand(c *Ctx) {
	key, val := c.Argv[1], c.Argv[2]
	if !strReplyValue(c, key) {
		return
	}
	c.Tx.SetString(key, val, false)
	c.Tx.Notify(keyspace.NotifyString, "set", key)
	c.Tx.Propagate([]byte(strTokSet), key, val)
}

func getdelCommand(c *Ctx) {
	key := c.Argv[1]
	e, ok := c.LookupKind(key, types.KindString)
	if !ok {
		return
	}
	if e == nil {
		c.W.Null()
		return
	}
	c.W.Bulk(e.Str)
	c.Tx.Delete(key)
	c.Tx.Propagate([]byte(strTokDel), key)
	c.Tx.Notify(keyspace.NotifyGeneric, "del", key)
}

// getexCommand is GETEX key [EX|PX|EXAT|PXAT time | PERSIST]. As in Valkey
// 9.0 the expire value is validated only once the key is known to hold a
// string. It is never propagated as received: the effect is PEXPIREAT,
// PERSIST or DEL.
func getexCommand(c *Ctx) {
	a, ok := strParseExtArgs(c, 2, strGrammarGetex)
	if !ok {
		return
	}
	key := c.Argv[1]
	e, ok := c.LookupKind(key, types.KindString)
	if !ok {
		return
	}
	if e == nil {
		c.W.Null()
		return
	}
	var when int64
	if a.expire != nil {
		if when, ok = strExpireMillis(c, a.expire, a.flags); !ok {
			return
		}
	}
	c.W.Bulk(e.Str)
	switch {
	case a.flags&(strArgEXAT|strArgPXAT) != 0 && when <= c.Now():
		strDeleteExpired(c, key)
	case a.expire != nil:
		c.Tx.SetExpire(key, when)
		c.Tx.Propagate([]byte(strTokPExpAt), key, formatInt(when))
		c.Tx.Notify(keyspace.NotifyGeneric, "expire", key)
	case a.flags&strArgPersist != 0:
		if c.Tx.Persist(key) {
			c.Tx.Propagate([]byte(strTokPersist), key)
			c.Tx.Notify(keyspace.NotifyGeneric, "persist", key)
		}
	}
}

// delifeqCommand is DELIFEQ key value (Valkey 9.0): delete key if it holds
// exactly value. Propagated as DEL.
func delifeqCommand(c *Ctx) {
	key := c.Argv[1]
	e, ok := c.LookupWriteKind(key, types.KindString)
	if !ok {
		return
	}
	if e == nil || !bytes.Equal(e.Str, c.Argv[2]) {
		c.W.Int(0)
		return
	}
	c.Tx.Delete(key)
	c.Tx.Propagate([]byte(strTokDel), key)
	c.Tx.Notify(keyspace.NotifyGeneric, "del", key)
	c.W.Int(1)
}

func mgetCommand(c *Ctx) {
	c.W.ArrayLen(len(c.Argv) - 1)
	for _, key := range c.Argv[1:] {
		e := c.Tx.Lookup(key, 0)
		if e == nil || e.Obj != nil {
			c.W.Null()
			continue
		}
		c.W.Bulk(e.Str)
	}
}

func msetCommand(c *Ctx) {
	if len(c.Argv)%2 == 0 {
		c.WrongArgs()
		return
	}
	strMSet(c)
	c.W.OK()
}

func msetnxCommand(c *Ctx) {
	if len(c.Argv)%2 == 0 {
		c.WrongArgs()
		return
	}
	for j := 1; j < len(c.Argv); j += 2 {
		if c.Tx.LookupWrite(c.Argv[j]) != nil {
			c.W.Int(0)
			return
		}
	}
	strMSet(c)
	c.W.Int(1)
}

func strMSet(c *Ctx) {
	for j := 1; j < len(c.Argv); j += 2 {
		c.Tx.SetString(c.Argv[j], c.Argv[j+1], false)
		c.Tx.Notify(keyspace.NotifyString, "set", c.Argv[j])
	}
}

// strMaxBulkLen is proto-max-bulk-len, the largest string value that
// SETRANGE, APPEND and SETBIT may build.
func strMaxBulkLen(c *Ctx) int64 {
	if n := c.Node.Config.Int("proto-max-bulk-len"); n > 0 {
		return n
	}
	return 512 << 20
}

// strCheckLength is Valkey's checkStringLength: size+grow must not exceed
// proto-max-bulk-len (nor overflow).
func strCheckLength(c *Ctx, size, grow int64) bool {
	total := size + grow
	if total > strMaxBulkLen(c) || total < size || total < grow {
		c.Error(ErrStringTooLong)
		return false
	}
	return true
}
