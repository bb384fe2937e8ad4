package command

import (
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// appendCommand is APPEND key value. A new key is stored like SET would;
// an existing one is grown in place and from then on reports the "raw"
// encoding, as in Valkey.
func appendCommand(c *Ctx) {
	key, val := c.Argv[1], c.Argv[2]
	e, ok := c.LookupWriteKind(key, types.KindString)
	if !ok {
		return
	}
	var total int
	if e == nil {
		c.Tx.SetString(key, val, false)
		total = len(val)
	} else {
		if !strCheckLength(c, int64(len(e.Str)), int64(len(val))) {
			return
		}
		c.Tx.Modify(key, e)
		e.Str = append(e.Str, val...)
		e.MarkRaw()
		total = len(e.Str)
	}
	c.Tx.Notify(keyspace.NotifyString, "append", key)
	c.W.Int(int64(total))
}

func strlenCommand(c *Ctx) {
	e, ok := c.LookupKind(c.Argv[1], types.KindString)
	if !ok {
		return
	}
	if e == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(len(e.Str)))
}

// setrangeCommand is SETRANGE key offset value: overwrite from offset,
// zero-padding the string when it has to grow.
func setrangeCommand(c *Ctx) {
	key, val := c.Argv[1], c.Argv[3]
	offset, ok := c.Int(2)
	if !ok {
		return
	}
	if offset < 0 {
		c.Error(ErrOffsetRange)
		return
	}
	e, ok := c.LookupWriteKind(key, types.KindString)
	if !ok {
		return
	}
	if e == nil {
		if len(val) == 0 {
			c.W.Int(0)
			return
		}
		if !strCheckLength(c, offset, int64(len(val))) {
			return
		}
		e = &keyspace.Entry{Str: make([]byte, offset+int64(len(val)))}
		copy(e.Str[offset:], val)
		e.MarkRaw()
		c.Tx.Set(key, e, false)
	} else {
		if len(val) == 0 {
			c.W.Int(int64(len(e.Str)))
			return
		}
		if !strCheckLength(c, offset, int64(len(val))) {
			return
		}
		c.Tx.Modify(key, e)
		e.Str = strGrowZero(e.Str, int(offset)+len(val))
		copy(e.Str[offset:], val)
		e.MarkRaw()
	}
	c.Tx.Notify(keyspace.NotifyString, "setrange", key)
	c.W.Int(int64(len(e.Str)))
}

// strGrowZero extends b with zero bytes to length n (never shrinks). The
// capacity grows geometrically so that repeated small growth (SETBIT on
// increasing offsets) stays amortised O(1), like sdsMakeRoomFor.
func strGrowZero(b []byte, n int) []byte {
	if n <= len(b) {
		return b
	}
	return append(b, make([]byte, n-len(b))...)
}

// getrangeCommand is GETRANGE (and SUBSTR) key start end, with Valkey's
// clamping of negative and out-of-range indexes.
func getrangeCommand(c *Ctx) {
	start, ok := c.Int(2)
	if !ok {
		return
	}
	end, ok := c.Int(3)
	if !ok {
		return
	}
	e, ok := c.LookupKind(c.Argv[1], types.KindString)
	if !ok {
		return
	}
	if e == nil {
		c.W.BulkString("")
		return
	}
	from, to, ok := strClampRange(start, end, int64(len(e.Str)))
	if !ok {
		c.W.BulkString("")
		return
	}
	c.W.Bulk(e.Str[from : to+1])
}

// strClampRange converts GETRANGE's inclusive [start, end] into valid
// indexes of a string of length n, or ok=false for an empty result.
func strClampRange(start, end, n int64) (from, to int64, ok bool) {
	if start < 0 && end < 0 && start > end {
		return 0, 0, false
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		return 0, 0, false
	}
	return start, end, true
}
