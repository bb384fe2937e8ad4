package command

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/shoal-db/shoal/internal/types"
)

// Argument parsing shared by the sorted-set commands.

// zsetParseScoreRange parses the min and max of ZRANGEBYSCORE, ZCOUNT...
// as Valkey's zslParseRange: a leading "(" makes the bound exclusive and
// the rest is read by strtod, which must consume it whole. NaN is
// rejected; overflow saturates to ±inf as strtod does.
func zsetParseScoreRange(minArg, maxArg []byte) (types.ScoreRange, bool) {
	var r types.ScoreRange
	var ok bool
	if r.Min, r.MinEx, ok = zsetParseScoreBound(minArg); !ok {
		return r, false
	}
	if r.Max, r.MaxEx, ok = zsetParseScoreBound(maxArg); !ok {
		return r, false
	}
	return r, true
}

func zsetParseScoreBound(b []byte) (v float64, ex, ok bool) {
	s := string(b)
	if strings.HasPrefix(s, "(") {
		s, ex = s[1:], true
	}
	v, n, _ := zsetStrtod(s)
	// strtod leaves its end pointer at the start when it converts
	// nothing, so an empty string reads as 0 and anything else
	// unconverted is an error.
	if n != len(s) || math.IsNaN(v) {
		return 0, false, false
	}
	return v, ex, true
}

// zsetStrtod emulates C's strtod: it returns the value of the longest
// prefix of s that strtod converts and that prefix's length (0 when
// nothing converts). Leading white space is skipped; "inf", "infinity"
// and "nan" are recognized in any case; hexadecimal floats are read too.
// erange is strtod's ERANGE: a finite number too large (the value is then
// ±inf) or a nonzero one too small (the value is then 0).
func zsetStrtod(s string) (v float64, n int, erange bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	rest := strings.ToLower(s[i:])
	switch {
	case strings.HasPrefix(rest, "infinity"):
		return zsetSign(s[start], math.Inf(1)), i + 8, false
	case strings.HasPrefix(rest, "inf"):
		return zsetSign(s[start], math.Inf(1)), i + 3, false
	case strings.HasPrefix(rest, "nan"):
		return math.NaN(), i + 3, false
	case len(rest) > 2 && rest[0] == '0' && rest[1] == 'x' && (isHexDigit(rest[2]) ||
		(rest[2] == '.' && len(rest) > 3 && isHexDigit(rest[3]))):
		return zsetStrtodHex(s, start, i+2)
	}
	end := zsetScanDecimal(s, i)
	if end == i {
		return 0, 0, false
	}
	v, err := strconv.ParseFloat(s[start:end], 64)
	if err != nil && !isRangeErr(err) {
		return 0, 0, false
	}
	return v, end, zsetOutOfRange(v, s[i:end], "eE")
}

// zsetOutOfRange reports strtod's ERANGE for a converted value whose
// mantissa text (up to an exponent marker in expChars) is mant.
func zsetOutOfRange(v float64, mant, expChars string) bool {
	if math.IsInf(v, 0) {
		return true
	}
	if v != 0 {
		return false
	}
	if k := strings.IndexAny(mant, expChars); k >= 0 {
		mant = mant[:k]
	}
	return strings.ContainsAny(mant, "123456789abcdefABCDEF")
}

// zsetParseFloat parses a score, an increment or a weight as Valkey's
// string2d: strtod must consume the whole argument, which must not start
// with white space, and a result out of range (overflow, or underflow to
// zero) or NaN is an error. Unlike Go's ParseFloat it accepts what C does
// (hexadecimal floats without an exponent) and refuses what C does not
// (digit separators).
func zsetParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || isCSpace(b[0]) {
		return 0, false
	}
	v, n, erange := zsetStrtod(string(b))
	if n != len(b) || erange || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// zsetScanDecimal returns the end of the decimal number starting at i
// (digits, an optional fraction, an optional exponent with digits), or i
// when there is none.
func zsetScanDecimal(s string, i int) int {
	j := i
	digits := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
			digits++
		}
	}
	if digits == 0 {
		return i
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && s[k] >= '0' && s[k] <= '9' {
			for k < len(s) && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			j = k
		}
	}
	return j
}

// zsetStrtodHex reads a hexadecimal float whose digits start at i (after
// "0x"); start is where its sign (if any) begins.
func zsetStrtodHex(s string, start, i int) (float64, int, bool) {
	j := i
	for j < len(s) && isHexDigit(s[j]) {
		j++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && isHexDigit(s[j]) {
			j++
		}
	}
	mant := s[start:j]
	exp := "p0"
	if j < len(s) && (s[j] == 'p' || s[j] == 'P') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && s[k] >= '0' && s[k] <= '9' {
			for k < len(s) && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			exp, j = s[j:k], k
		}
	}
	v, err := strconv.ParseFloat(mant+exp, 64)
	if err != nil && !isRangeErr(err) {
		return 0, 0, false
	}
	return v, j, zsetOutOfRange(v, s[i:j], "pP")
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func zsetSign(c byte, v float64) float64 {
	if c == '-' {
		return -v
	}
	return v
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// zsetParseLexRange parses the min and max of ZRANGEBYLEX as Valkey's
// zsetParseLexRange: "-" and "+" alone, or "(" / "[" followed by the
// member.
func zsetParseLexRange(minArg, maxArg []byte) (types.LexRange, bool) {
	lo, ok1 := zsetParseLexBound(minArg)
	hi, ok2 := zsetParseLexBound(maxArg)
	return types.LexRange{Min: lo, Max: hi}, ok1 && ok2
}

func zsetParseLexBound(b []byte) (types.LexBound, bool) {
	if len(b) == 0 {
		return types.LexBound{}, false
	}
	switch b[0] {
	case '+':
		return types.LexBound{Kind: types.LexPlusInf, Ex: true}, len(b) == 1
	case '-':
		return types.LexBound{Kind: types.LexMinusInf, Ex: true}, len(b) == 1
	case '(':
		return types.LexBound{Value: string(b[1:]), Ex: true}, true
	case '[':
		return types.LexBound{Value: string(b[1:])}, true
	}
	return types.LexBound{}, false
}

// zsetRangeLong parses argument i as a long within [lo, hi] as Valkey's
// getRangeLongFromObjectOrReply: msg (when not empty) answers every
// failure, otherwise a parse failure is ErrNotInt and a range failure
// rangeMsg.
func (c *Ctx) zsetRangeLong(i int, lo, hi int64, msg, rangeMsg string) (int64, bool) {
	n, ok := types.ParseInt(c.Argv[i])
	switch {
	case !ok && msg != "":
		c.Error(msg)
	case !ok:
		c.Error(ErrNotInt)
	case n < lo || n > hi:
		if msg != "" {
			c.Error(msg)
		} else {
			c.Error(rangeMsg)
		}
		ok = false
	}
	return n, ok
}

// zsetTimeoutMillis is C's (long long)(ftval * 1000.0) for the long
// double ftval that text reads as: the product is taken with x87's 64-bit
// mantissa and truncated toward zero; out of range (infinities included)
// it is LLONG_MIN, as the x86 conversion gives.
func zsetTimeoutMillis(text string, v float64) int64 {
	if math.IsInf(v, 0) {
		return math.MinInt64
	}
	f, _, err := big.ParseFloat(strings.TrimPrefix(text, "+"), 0, 64, big.ToNearestEven)
	if err != nil {
		f = new(big.Float).SetPrec(64).SetFloat64(v)
	}
	f.Mul(f, new(big.Float).SetPrec(64).SetInt64(1000))
	n, acc := f.Int64()
	if (acc == big.Below && n == math.MaxInt64) || (acc == big.Above && n == math.MinInt64) {
		return math.MinInt64
	}
	return n
}

// zsetParseTimeout parses a blocking timeout in seconds as Valkey's
// getTimeoutFromObjectOrReply: a long double (strtold, no leading space)
// converted to whole milliseconds by truncation, so 0.0001 waits forever.
// Values beyond the range of a long long wrap as the C conversion does on
// x86 (to LLONG_MIN), which reports a negative timeout.
func (c *Ctx) zsetParseTimeout(i int) (time.Duration, bool) {
	b := c.Argv[i]
	v, n, _ := zsetStrtod(string(b))
	if len(b) == 0 || len(b) >= 5*1024 || isCSpace(b[0]) || n != len(b) || math.IsNaN(v) {
		c.Error(ErrZSetTimeoutNotFloat)
		return 0, false
	}
	tval := zsetTimeoutMillis(string(b), v)
	if tval < 0 {
		c.Error(ErrTimeoutNegative)
		return 0, false
	}
	if tval > 0 && tval > math.MaxInt64-c.Now() {
		c.Error(ErrKeysTimeoutRange)
		return 0, false
	}
	// Beyond a century the wait is as good as forever, and a Duration
	// (int64 nanoseconds) cannot hold much more.
	const century = 100 * 365 * 24 * time.Hour
	if tval > int64(century/time.Millisecond) {
		return century, true
	}
	return time.Duration(tval) * time.Millisecond, true
}
