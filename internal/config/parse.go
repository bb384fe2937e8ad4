package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// parseCtx carries what a setter may need besides its arguments.
type parseCtx struct {
	old     string              // the setting's current canonical value
	loading bool                // reading a file or the command line
	get     func(string) string // current value of another setting
	// saveLoaded reports whether a save directive was already read while
	// loading; save lines then accumulate (Valkey's legacy behaviour).
	saveLoaded bool
}

// parseArgs validates args for s and returns the new canonical value, or
// Valkey's reason for refusing them.
func parseArgs(s *Setting, args []string, ctx parseCtx) (string, string) {
	if s.special != nil {
		v, reason := s.special.parse(args, ctx)
		if reason == "" && s.check != nil {
			reason = s.check(v)
		}
		return v, reason
	}
	if s.Type == TypeEnum {
		v, reason := parseEnum(s, args)
		if reason == "" && s.check != nil {
			reason = s.check(v)
		}
		return v, reason
	}
	if len(args) != 1 {
		return "", "wrong number of arguments"
	}
	var v, reason string
	switch s.Type {
	case TypeBool:
		b, ok := yesno(args[0])
		if !ok {
			return "", "argument must be 'yes' or 'no'"
		}
		v = boolString(b)
	case TypeInt, TypeMemory:
		v, reason = parseNumeric(s, args[0], ctx.loading)
	default:
		v = args[0]
	}
	if reason == "" && s.check != nil {
		reason = s.check(v)
	}
	return v, reason
}

// parseNumeric follows numericParseString and numericBoundaryCheck.
func parseNumeric(s *Setting, arg string, loading bool) (string, string) {
	n, ok := numericValue(s, arg)
	if !ok {
		return "", numericParseError(s)
	}
	if reason := numericBounds(s, n); reason != "" {
		return "", reason
	}
	if s.clamp != nil && (!loading || !s.clampOnSetOnly) {
		n = s.clamp(n)
	}
	return formatNumeric(s, n), ""
}

func numericValue(s *Setting, arg string) (int64, bool) {
	if s.Type == TypeMemory {
		if u, ok := memtoull(arg); ok {
			return int64(u), true
		}
	}
	if s.Has(FlagPercent) && len(arg) > 1 && arg[len(arg)-1] == '%' {
		if n, ok := string2ll(arg[:len(arg)-1]); ok && n >= 0 {
			return -n, true
		}
	}
	if s.Has(FlagOctal) {
		return strtoll(arg, 8)
	}
	if s.Type == TypeInt || s.Has(FlagSigned) {
		return string2ll(arg)
	}
	return 0, false
}

func numericParseError(s *Setting) string {
	switch {
	case s.Type == TypeMemory && s.Has(FlagPercent):
		return "argument must be a memory or percent value"
	case s.Type == TypeMemory:
		return "argument must be a memory value"
	case s.Has(FlagOctal):
		return "argument couldn't be parsed as an octal number"
	}
	return "argument couldn't be parsed into an integer"
}

func numericBounds(s *Setting, n int64) string {
	if s.Has(FlagUnsigned) {
		u, lo, hi := uint64(n), uint64(s.Min), uint64(s.Max)
		if u > hi || u < lo {
			if s.Has(FlagOctal) {
				return fmt.Sprintf("argument must be between %o and %o inclusive", lo, hi)
			}
			return fmt.Sprintf("argument must be between %d and %d inclusive", lo, hi)
		}
		return ""
	}
	if s.Has(FlagPercent) && n < 0 {
		if n < s.Min {
			return fmt.Sprintf("percentage argument must be less or equal to %d", -s.Min)
		}
		return ""
	}
	if n > s.Max || n < s.Min {
		return fmt.Sprintf("argument must be between %d and %d inclusive", s.Min, s.Max)
	}
	return ""
}

// formatNumeric is numericConfigGet: percentages as "N%", memory as an
// unsigned byte count, octal in octal, everything else signed decimal.
func formatNumeric(s *Setting, n int64) string {
	switch {
	case s.Has(FlagPercent) && n < 0:
		return strconv.FormatInt(-n, 10) + "%"
	case s.Type == TypeMemory && !(s.Has(FlagSigned) && n < 0):
		return strconv.FormatUint(uint64(n), 10)
	case s.Has(FlagOctal):
		return strconv.FormatUint(uint64(n), 8)
	}
	return strconv.FormatInt(n, 10)
}

// numericOf reads back a canonical numeric value.
func numericOf(s *Setting, v string) int64 {
	switch {
	case strings.HasSuffix(v, "%"):
		n, _ := strconv.ParseInt(v[:len(v)-1], 10, 64)
		return -n
	case s.Has(FlagOctal):
		n, _ := strconv.ParseInt(v, 8, 64)
		return n
	case s.Type == TypeMemory && !strings.HasPrefix(v, "-"):
		u, _ := strconv.ParseUint(v, 10, 64)
		return int64(u)
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

// parseEnum follows configEnumGetValue and configEnumGetName. Multi-arg
// enums (shutdown-on-sigint) are bit flags.
func parseEnum(s *Setting, args []string) (string, string) {
	multi := s.Has(FlagMultiArg)
	if len(args) == 0 || (!multi && len(args) != 1) {
		return "", enumError(s)
	}
	val := 0
	for _, a := range args {
		matched := false
		for i, name := range s.Enum {
			if strings.EqualFold(a, name) {
				val |= enumVal(s, i)
				matched = true
			}
		}
		if !matched {
			return "", enumError(s)
		}
	}
	return enumName(s, val, multi), ""
}

func enumVal(s *Setting, i int) int {
	if s.enumVals != nil {
		return s.enumVals[i]
	}
	return i
}

func enumName(s *Setting, val int, bitflags bool) string {
	var names []string
	unmatched := val
	for i, name := range s.Enum {
		ev := enumVal(s, i)
		if ev == val {
			return name
		}
		if bitflags && ev != 0 && ev == unmatched&ev {
			names = append(names, name)
			unmatched &^= ev
		}
	}
	if len(names) == 0 || unmatched != 0 {
		return "unknown"
	}
	return strings.Join(names, " ")
}

func enumError(s *Setting) string {
	msg := "argument(s) must be one of the following: " + strings.Join(s.Enum, ", ")
	if len(msg) > 255 { // Valkey copies it into a 256-byte buffer
		msg = msg[:255]
	}
	return msg
}

// clampBacklog is resizeReplicationBacklog's lower bound, applied when
// CONFIG SET changes repl-backlog-size (not when loading, like Valkey).
func clampBacklog(n int64) int64 { return max(n, 16*1024) }

// clampHz is updateHZ: hz is a hint, so out-of-range values are capped.
func clampHz(n int64) int64 {
	return min(max(n, 1), 500)
}

// Bounds used by the table, named after their C counterparts.
const (
	intMax   = math.MaxInt32
	intMin   = math.MinInt32
	uintMax  = math.MaxUint32
	longMax  = math.MaxInt64
	llongMax = math.MaxInt64
	ullMax   = -1 // all ones: with FlagUnsigned it reads as 2^64-1
)
