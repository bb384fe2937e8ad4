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
	o, ok := parseCollScanOpts(c, false, false)
	count, pattern := o.count, o.pattern
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
