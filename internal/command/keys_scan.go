package command

import (
	"strconv"
	"strings"
	"unsafe"

	"github.com/shoal-db/shoal/internal/glob"
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/slot"
	"github.com/shoal-db/shoal/internal/types"
)

func keysScanCommands() []*Command {
	return []*Command{
		{Name: "keys", Arity: 2, Flags: FlagReadonly | FlagKeyspace,
			ACL: []string{"keyspace", "read", "slow", "dangerous"}, Tips: []string{"request_policy:all_shards", "nondeterministic_output_order"},
			Group: "generic", Since: "1.0.0", Summary: "Returns all key names that match a pattern.",
			Complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
			Handler:    keysCommand},
		{Name: "scan", Arity: -2, Flags: FlagReadonly | FlagKeyspace,
			ACL: []string{"keyspace", "read", "slow"}, Tips: []string{"nondeterministic_output", "request_policy:special"},
			Group: "generic", Since: "2.8.0", Summary: "Iterates over the key names in the database.",
			Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
			Handler:    scanCommand},
	}
}

// keysStringBytes views a key string as bytes for matching, without a
// copy; the bytes are only read.
func keysStringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func keysCommand(c *Ctx) {
	pattern := c.Argv[1]
	all := len(pattern) == 1 && pattern[0] == '*'
	var out []string
	c.Tx.ForEachKey(func(k string, _ *keyspace.Entry) bool {
		if all || glob.Match(pattern, keysStringBytes(k), false) {
			out = append(out, k)
		}
		return true
	})
	c.W.BulkStrings(out)
}

// scanOptions are SCAN's parsed arguments.
type scanOptions struct {
	count    int
	pattern  []byte // nil when every key matches
	kind     types.Kind
	haveKind bool
}

// parseScanOptions parses SCAN's options from argv[2:], replying with
// Valkey's errors.
func parseScanOptions(c *Ctx) (scanOptions, bool) {
	o := scanOptions{count: 10}
	for i := 2; i < len(c.Argv); {
		more := len(c.Argv) - i - 1
		switch {
		case c.ArgIs(i, "count") && more >= 1:
			n, ok := c.Int(i + 1)
			if !ok {
				return o, false
			}
			if n < 1 {
				c.Error(ErrSyntax)
				return o, false
			}
			o.count = int(min(n, 1<<30))
			i += 2
		case c.ArgIs(i, "match") && more >= 1:
			p := c.Argv[i+1]
			o.pattern = nil
			if len(p) != 1 || p[0] != '*' {
				o.pattern = p
			}
			i += 2
		case c.ArgIs(i, "type") && more >= 1:
			k, ok := types.ParseKind(strings.ToLower(c.Arg(i + 1)))
			if !ok {
				c.Error(ErrKeysUnknownType(c.Argv[i+1]))
				return o, false
			}
			o.kind, o.haveKind = k, true
			i += 2
		case c.ArgIs(i, "novalues"):
			c.Error(ErrKeysNoValuesOption)
			return o, false
		case c.ArgIs(i, "noscores"):
			c.Error(ErrKeysNoScoresOption)
			return o, false
		default:
			c.Error(ErrSyntax)
			return o, false
		}
	}
	return o, true
}

// scanCommand walks whole hash slots (keyspace.Tx.Scan): the cursor is the
// next slot to visit, so a key present for the whole iteration is returned
// at least once however the keyspace changes between calls.
func scanCommand(c *Ctx) {
	cursor, ok := parseScanCursor(c.Argv[1])
	if !ok {
		c.Error(ErrCursor)
		return
	}
	o, ok := parseScanOptions(c)
	if !ok {
		return
	}
	keep := func(k string, e *keyspace.Entry) bool {
		return (!o.haveKind || e.Kind() == o.kind) &&
			(o.pattern == nil || glob.Match(o.pattern, keysStringBytes(k), false))
	}
	var out []string
	next := c.Tx.Scan(cursor, o.count, func(k string, e *keyspace.Entry) {
		if keep(k, e) {
			out = append(out, k)
		}
	})
	// Like Valkey, SCAN deletes the expired keys it passes over that match
	// its filters.
	end := next
	if end == 0 {
		end = slot.Count
	}
	if cursor < end {
		c.Tx.ReclaimExpired(int(cursor), int(end), keep)
	}
	c.W.ArrayLen(2)
	c.W.BulkString(strconv.FormatUint(next, 10))
	c.W.BulkStrings(out)
}

// parseScanCursor parses a cursor as Valkey's string2ull: a canonical
// negative integer is invalid, anything else C's strtoull accepts whole
// (leading spaces, a sign, leading zeros) within 64 bits is valid.
func parseScanCursor(b []byte) (uint64, bool) {
	s := strings.TrimLeft(string(b), " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		if _, canonical := types.ParseInt(b); canonical {
			return 0, false
		}
		n = -n
	}
	return n, true
}
