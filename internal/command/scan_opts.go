package command

// collScanOpts are the options of HSCAN, SSCAN and ZSCAN after the cursor.
type collScanOpts struct {
	count   int
	pattern []byte // nil matches everything
	// noValues is HSCAN NOVALUES, noScores ZSCAN NOSCORES.
	noValues, noScores bool
}

// parseCollScanOpts parses HSCAN/SSCAN/ZSCAN options from argv[3:] with
// Valkey's errors. allowNoValues and allowNoScores say which of the two
// flags the command accepts; the other one names the command it belongs
// to in its error, as Valkey does.
func parseCollScanOpts(c *Ctx, allowNoValues, allowNoScores bool) (collScanOpts, bool) {
	o := collScanOpts{count: 10}
	for i := 3; i < len(c.Argv); {
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
			o.pattern = c.Argv[i+1]
			if len(o.pattern) == 1 && o.pattern[0] == '*' {
				o.pattern = nil
			}
			i += 2
		case c.ArgIs(i, "novalues"):
			if !allowNoValues {
				c.Error(ErrKeysNoValuesOption)
				return o, false
			}
			o.noValues = true
			i++
		case c.ArgIs(i, "noscores"):
			if !allowNoScores {
				c.Error(ErrKeysNoScoresOption)
				return o, false
			}
			o.noScores = true
			i++
		default:
			c.Error(ErrSyntax)
			return o, false
		}
	}
	return o, true
}
