package command

import (
	"strconv"

	"github.com/shoal-db/shoal/internal/glob"
	"github.com/shoal-db/shoal/internal/types"
)

// sscanCommand is SSCAN key cursor [MATCH pattern] [COUNT count], checked
// in Valkey's order: the cursor first, then the key (a missing key answers
// an empty scan without looking at the options), then the options. A
// listpack or intset is returned whole with cursor 0; a hashtable is
// walked with the reverse-binary cursor, which returns every member
// present for the whole iteration at least once even if the set grows,
// shrinks or changes encoding between calls.
func sscanCommand(c *Ctx) {
	cursor, ok := parseScanCursor(c.Argv[2])
	if !ok {
		c.Error(ErrCursor)
		return
	}
	e, ok := c.LookupKind(c.Argv[1], types.KindSet)
	if !ok {
		return
	}
	if e == nil {
		c.W.ArrayLen(2)
		c.W.BulkString("0")
		c.W.ArrayLen(0)
		return
	}
	count, pattern, ok := setParseScanOptions(c)
	if !ok {
		return
	}
	var out [][]byte
	next := setOf(e).Scan(cursor, count, func(m []byte) {
		if pattern == nil || glob.Match(pattern, m, false) {
			out = append(out, append([]byte(nil), m...))
		}
	})
	c.W.ArrayLen(2)
	c.W.BulkString(strconv.FormatUint(next, 10))
	c.W.ArrayLen(len(out))
	for _, m := range out {
		c.W.Bulk(m)
	}
}

// setParseScanOptions parses SSCAN's options after the cursor, replying
// with Valkey's errors: TYPE is SCAN-only (a syntax error here), NOVALUES
// and NOSCORES name the commands they belong to.
func setParseScanOptions(c *Ctx) (count int, pattern []byte, ok bool) {
	count = 10
	for i := 3; i < len(c.Argv); {
		more := len(c.Argv) - i - 1
		switch {
		case c.ArgIs(i, "count") && more >= 1:
			n, ok := c.Int(i + 1)
			if !ok {
				return 0, nil, false
			}
			if n < 1 {
				c.Error(ErrSyntax)
				return 0, nil, false
			}
			count = int(min(n, 1<<30))
			i += 2
		case c.ArgIs(i, "match") && more >= 1:
			pattern = c.Argv[i+1]
			if len(pattern) == 1 && pattern[0] == '*' {
				pattern = nil
			}
			i += 2
		case c.ArgIs(i, "novalues"):
			c.Error(ErrKeysNoValuesOption)
			return 0, nil, false
		case c.ArgIs(i, "noscores"):
			c.Error(ErrKeysNoScoresOption)
			return 0, nil, false
		default:
			c.Error(ErrSyntax)
			return 0, nil, false
		}
	}
	return count, pattern, true
}
