package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Value parsing and formatting. The parsers follow Valkey's C helpers
// (string2ll, memtoull, strtoll with an end-pointer check, yesnotoi)
// because what a config value may look like is part of the
// compatibility surface: "01" is not an integer, "1KB" is a size, "" is a
// size of zero.

// string2ll parses a strict decimal int64: no spaces, no '+', no leading
// zeros, no "-0".
func string2ll(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	if s == "0" {
		return 0, true
	}
	neg := false
	p := s
	if p[0] == '-' {
		neg = true
		p = p[1:]
		if len(p) == 0 {
			return 0, false
		}
	}
	if p[0] < '1' || p[0] > '9' {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-uint64(c-'0'))/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > uint64(math.MaxInt64)+1 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// memtoull parses a size with an optional unit: b, k (1000), kb (1024),
// m, mb, g, gb, case-insensitive. Digits are optional ("" and "kb" are
// zero), a sign is not. Unlike Valkey it refuses values that overflow 64
// bits instead of wrapping them.
func memtoull(s string) (uint64, bool) {
	if strings.HasPrefix(s, "-") {
		return 0, false
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	var mul uint64
	switch strings.ToLower(s[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i == 0 {
		return 0, true
	}
	v, err := strconv.ParseUint(s[:i], 10, 64)
	if err != nil || v > math.MaxUint64/mul {
		return 0, false
	}
	return v * mul, true
}

// strtoll mimics C strtoll(s, &end, base) followed by a check that *end
// is NUL: leading white space and a sign are allowed, "" is 0, overflow
// saturates.
func strtoll(s string, base int) (int64, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	t := s[i:]
	if s == "" {
		return 0, true
	}
	neg := false
	if len(t) > 0 && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if len(t) == 0 {
		return 0, false
	}
	var v uint64
	overflow := false
	for j := 0; j < len(t); j++ {
		d := digitVal(t[j])
		if d >= base {
			return 0, false
		}
		if v > (math.MaxUint64-uint64(d))/uint64(base) {
			overflow = true
			continue
		}
		v = v*uint64(base) + uint64(d)
	}
	switch {
	case neg && (overflow || v > uint64(math.MaxInt64)+1):
		return math.MinInt64, true
	case neg:
		return -int64(v), true
	case overflow || v > math.MaxInt64:
		return math.MaxInt64, true
	}
	return int64(v), true
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// yesno parses a boolean the way yesnotoi does.
func yesno(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "yes"):
		return true, true
	case strings.EqualFold(s, "no"):
		return false, true
	}
	return false, false
}

func boolString(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// formatMemory writes a byte count for valkey.conf, using gb/mb/kb when
// the value is an exact multiple (rewriteConfigFormatMemory).
func formatMemory(v uint64) string {
	const kb, mb, gb = 1024, 1024 * 1024, 1024 * 1024 * 1024
	switch {
	case v != 0 && v%gb == 0:
		return fmt.Sprintf("%dgb", v/gb)
	case v != 0 && v%mb == 0:
		return fmt.Sprintf("%dmb", v/mb)
	case v != 0 && v%kb == 0:
		return fmt.Sprintf("%dkb", v/kb)
	}
	return strconv.FormatUint(v, 10)
}

// repr quotes s like sdscatrepr, so that SplitArgs reads it back intact.
func repr(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c >= 0x20 && c <= 0x7e {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// splitSpaces splits a CONFIG SET value of a multi-argument setting on
// single spaces, as sdssplitlen does: "" is no argument at all and two
// spaces in a row make an empty argument.
func splitSpaces(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, " ")
}
