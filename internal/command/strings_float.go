package command

import (
	"bytes"
	"math/big"
)

// INCRBYFLOAT arithmetic. Valkey computes it in C "long double", which on
// x86-64 is the x87 80-bit extended format (64-bit mantissa), and formats
// the result with "%.17Lf" minus trailing zeros. Doing the sum in float64
// would give visibly different answers ("0.2" + 0.1 is "0.3" in Valkey but
// 0.30000000000000004 in float64), so the sum is done with math/big at
// 64 bits of precision, which rounds exactly like the x87 unit.

const (
	// strLDPrec is the x87 extended-precision mantissa width.
	strLDPrec = 64
	// strLDMaxExp is the largest binary exponent of a finite long double in
	// big.Float's mant×2^exp form (mant in [0.5, 1)).
	strLDMaxExp = 16384
	// strLDMinExp is the exponent of the smallest positive subnormal
	// (2^-16445 = 0.5×2^-16444); anything smaller rounds to zero, which
	// strtold reports as a range error.
	strLDMinExp = -16444
	// strLDMaxChars is MAX_LONG_DOUBLE_CHARS: string2ld refuses longer input.
	strLDMaxChars = 5 * 1024
)

// strLDValue is a parsed long double: a finite value, or an infinity.
type strLDValue struct {
	f   *big.Float
	inf int // +1 or -1 for infinities, 0 when f is finite
}

// strParseLongDouble parses b as Valkey's string2ld: strtold syntax
// (decimal or hexadecimal floats, "inf", "infinity"), no leading space,
// nothing after the number, NaN and overflow rejected. Like strtold it
// stops at an embedded NUL byte.
func strParseLongDouble(b []byte) (strLDValue, bool) {
	if len(b) == 0 || len(b) >= strLDMaxChars || strIsSpace(b[0]) {
		return strLDValue{}, false
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	body, neg := b, false
	if len(body) > 0 && (body[0] == '+' || body[0] == '-') {
		neg = body[0] == '-'
		body = body[1:]
	}
	if bytes.EqualFold(body, []byte("inf")) || bytes.EqualFold(body, []byte("infinity")) {
		if neg {
			return strLDValue{inf: -1}, true
		}
		return strLDValue{inf: 1}, true
	}
	base := 10
	switch {
	case strIsHexFloat(body):
		base = 0
	case !strIsDecFloat(body):
		return strLDValue{}, false
	}
	f, _, err := big.ParseFloat(string(b), base, strLDPrec, big.ToNearestEven)
	if err != nil {
		return strLDValue{}, false
	}
	if !strLDInRange(f) || (f.Sign() == 0 && strMantissaNonZero(body, base == 0)) {
		// Overflow, or a non-zero number that rounded to zero: strtold
		// reports both as range errors.
		return strLDValue{}, false
	}
	return strLDValue{f: f}, true
}

// strLDInRange reports whether a finite f is representable as a non-zero
// long double (or is zero).
func strLDInRange(f *big.Float) bool {
	if f.IsInf() {
		return false // big.ParseFloat saturates huge exponents to ±Inf
	}
	if f.Sign() == 0 {
		return true
	}
	exp := f.MantExp(nil)
	return exp <= strLDMaxExp && exp >= strLDMinExp
}

// strIsDecFloat checks strtold's decimal syntax after the sign:
// digits [. digits] [e [sign] digits], with at least one mantissa digit.
func strIsDecFloat(b []byte) bool {
	i, digits := 0, 0
	for i < len(b) && strIsDigit(b[i]) {
		i++
		digits++
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && strIsDigit(b[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for i < len(b) && strIsDigit(b[i]) {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(b)
}

// strIsHexFloat checks strtold's hexadecimal syntax after the sign:
// 0x hexdigits [. hexdigits] [p [sign] digits].
func strIsHexFloat(b []byte) bool {
	if len(b) < 3 || b[0] != '0' || (b[1] != 'x' && b[1] != 'X') {
		return false
	}
	i, digits := 2, 0
	for i < len(b) && strIsHexDigit(b[i]) {
		i++
		digits++
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && strIsHexDigit(b[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(b) && (b[i] == 'p' || b[i] == 'P') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for i < len(b) && strIsDigit(b[i]) {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(b)
}

// strMantissaNonZero reports whether the mantissa of a syntactically valid
// number (before its exponent) has a non-zero digit.
func strMantissaNonZero(b []byte, hex bool) bool {
	if hex {
		b = b[2:]
	}
	for _, ch := range b {
		switch {
		case ch == '.' || ch == '0':
		case !hex && (ch == 'e' || ch == 'E'), hex && (ch == 'p' || ch == 'P'):
			return false
		default:
			return true
		}
	}
	return false
}

func strIsDigit(c byte) bool { return c >= '0' && c <= '9' }

func strIsHexDigit(c byte) bool {
	return strIsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func strIsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// strAddLongDouble returns a+b rounded to long double, or ok=false when
// the result is an infinity or NaN.
func strAddLongDouble(a, b strLDValue) (*big.Float, bool) {
	if a.inf != 0 || b.inf != 0 {
		return nil, false
	}
	z := new(big.Float).SetPrec(strLDPrec).SetMode(big.ToNearestEven).Add(a.f, b.f)
	if z.Sign() != 0 && z.MantExp(nil) > strLDMaxExp {
		return nil, false
	}
	return z, true
}

// strFormatLongDouble formats f as Valkey's ld2string in LD_STR_HUMAN
// mode: "%.17Lf" with trailing zeros (and a bare point) removed, and "-0"
// written as "0".
func strFormatLongDouble(f *big.Float) []byte {
	s := f.Append(make([]byte, 0, 32), 'f', 17)
	if bytes.IndexByte(s, '.') >= 0 {
		s = bytes.TrimRight(s, "0")
		s = bytes.TrimSuffix(s, []byte("."))
	}
	if len(s) == 2 && s[0] == '-' && s[1] == '0' {
		s = s[1:]
	}
	return s
}
