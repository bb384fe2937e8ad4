package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shoal-db/shoal/internal/resp"
)

// Output modes of one-off and interactive replies, as in redis-cli.
type outputMode int

const (
	outputStandard outputMode = iota // "(integer) 1", quoted strings, numbered arrays
	outputRaw                        // values only, one per line
	outputJSON                       // one JSON value per reply
)

// formatReply renders a reply the way redis-cli prints it, final newline
// included.
func formatReply(r *resp.Reply, mode outputMode) string {
	switch mode {
	case outputRaw:
		return formatRaw(r) + "\n"
	case outputJSON:
		var sb strings.Builder
		formatJSON(&sb, r)
		sb.WriteByte('\n')
		return sb.String()
	}
	var sb strings.Builder
	formatTTY(&sb, r, "")
	return sb.String()
}

// formatTTY is redis-cli's human format (cliFormatReplyTTY).
func formatTTY(sb *strings.Builder, r *resp.Reply, prefix string) {
	switch r.Type {
	case resp.TypeError, resp.TypeBlobError:
		sb.WriteString("(error) " + r.Str + "\n")
	case resp.TypeSimple, resp.TypeVerbatim:
		sb.WriteString(r.Str + "\n")
	case resp.TypeInt:
		sb.WriteString("(integer) " + strconv.FormatInt(r.Int, 10) + "\n")
	case resp.TypeDouble:
		sb.WriteString("(double) " + r.Str + "\n")
	case resp.TypeBigNumber:
		sb.WriteString("(big number) " + r.Str + "\n")
	case resp.TypeBool:
		if r.Int != 0 {
			sb.WriteString("(true)\n")
		} else {
			sb.WriteString("(false)\n")
		}
	case resp.TypeNull:
		sb.WriteString("(nil)\n")
	case resp.TypeBulk:
		if r.Nil {
			sb.WriteString("(nil)\n")
			return
		}
		sb.WriteString(repr(r.Str) + "\n")
	case resp.TypeArray, resp.TypeSet, resp.TypeMap, resp.TypePush:
		formatTTYAggregate(sb, r, prefix)
	default:
		fmt.Fprintf(sb, "(unknown reply type %q)\n", r.Type)
	}
}

func formatTTYAggregate(sb *strings.Builder, r *resp.Reply, prefix string) {
	if r.Nil {
		sb.WriteString("(nil)\n")
		return
	}
	if len(r.Elems) == 0 {
		sb.WriteString(map[byte]string{resp.TypeArray: "(empty array)\n", resp.TypeMap: "(empty hash)\n",
			resp.TypeSet: "(empty set)\n", resp.TypePush: "(empty push)\n"}[r.Type])
		return
	}
	n, step, sep := len(r.Elems), 1, ")"
	switch r.Type {
	case resp.TypeMap:
		n, step, sep = n/2, 2, "#"
	case resp.TypeSet:
		sep = "~"
	}
	width := len(strconv.Itoa(n))
	inner := prefix + strings.Repeat(" ", width+2)
	for i := 0; i < len(r.Elems); i += step {
		if i > 0 {
			sb.WriteString(prefix)
		}
		fmt.Fprintf(sb, "%*d%s ", width, i/step+1, sep)
		if step == 1 {
			formatTTY(sb, r.Elems[i], inner)
			continue
		}
		var key strings.Builder
		formatTTY(&key, r.Elems[i], inner)
		sb.WriteString(strings.TrimSuffix(key.String(), "\n"))
		sb.WriteString(" => ")
		if i+1 >= len(r.Elems) {
			continue
		}
		// A value with several entries starts on its own line.
		if v := r.Elems[i+1]; v.IsAggregate() && entries(v) > 1 {
			sb.WriteString("\n" + inner)
		}
		formatTTY(sb, r.Elems[i+1], inner)
	}
}

// formatRaw is redis-cli's --raw format (cliFormatReplyRaw), without the
// final delimiter.
func formatRaw(r *resp.Reply) string {
	switch r.Type {
	case resp.TypeError, resp.TypeBlobError:
		return r.Str + "\n"
	case resp.TypeInt:
		return strconv.FormatInt(r.Int, 10)
	case resp.TypeBool:
		if r.Int != 0 {
			return "(true)"
		}
		return "(false)"
	case resp.TypeNull:
		return ""
	case resp.TypeArray, resp.TypeSet, resp.TypePush:
		parts := make([]string, len(r.Elems))
		for i, e := range r.Elems {
			parts[i] = formatRaw(e)
		}
		return strings.Join(parts, "\n")
	case resp.TypeMap:
		var parts []string
		for i := 0; i+1 < len(r.Elems); i += 2 {
			parts = append(parts, formatRaw(r.Elems[i])+" "+formatRaw(r.Elems[i+1]))
		}
		return strings.Join(parts, "\n")
	}
	return r.Str // strings, doubles, big numbers; "" for RESP2 nils
}

// formatJSON is redis-cli's --json format (cliFormatReplyJson).
func formatJSON(sb *strings.Builder, r *resp.Reply) {
	switch r.Type {
	case resp.TypeError, resp.TypeBlobError:
		sb.WriteString("error:" + repr(r.Str))
	case resp.TypeSimple, resp.TypeVerbatim:
		sb.WriteString(jsonString(r.Str))
	case resp.TypeBulk:
		if r.Nil {
			sb.WriteString("null")
			return
		}
		sb.WriteString(jsonString(r.Str))
	case resp.TypeInt:
		sb.WriteString(strconv.FormatInt(r.Int, 10))
	case resp.TypeDouble, resp.TypeBigNumber:
		sb.WriteString(r.Str)
	case resp.TypeNull:
		sb.WriteString("null")
	case resp.TypeBool:
		sb.WriteString(strconv.FormatBool(r.Int != 0))
	case resp.TypeArray, resp.TypeSet, resp.TypePush:
		if r.Nil {
			sb.WriteString("null")
			return
		}
		sb.WriteByte('[')
		for i, e := range r.Elems {
			if i > 0 {
				sb.WriteByte(',')
			}
			formatJSON(sb, e)
		}
		sb.WriteByte(']')
	case resp.TypeMap:
		formatJSONMap(sb, r)
	}
}

func formatJSONMap(sb *strings.Builder, r *resp.Reply) {
	sb.WriteByte('{')
	for i := 0; i+1 < len(r.Elems); i += 2 {
		if i > 0 {
			sb.WriteByte(',')
		}
		k := r.Elems[i]
		switch k.Type {
		case resp.TypeError, resp.TypeSimple, resp.TypeBulk, resp.TypeVerbatim:
			formatJSON(sb, k)
		default:
			// JSON keys are strings; RESP3 keys may be anything.
			var kb strings.Builder
			formatJSON(&kb, k)
			sb.WriteString(repr(kb.String()))
		}
		sb.WriteByte(':')
		formatJSON(sb, r.Elems[i+1])
	}
	sb.WriteByte('}')
}

// repr quotes s like Valkey's sdscatrepr: C escapes for the common
// control characters, \xHH for other non-printable bytes.
func repr(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		case '\a':
			sb.WriteString(`\a`)
		case '\b':
			sb.WriteString(`\b`)
		default:
			if c >= ' ' && c <= '~' {
				sb.WriteByte(c)
			} else {
				fmt.Fprintf(&sb, `\x%02x`, c)
			}
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

// jsonString quotes s as redis-cli --json does: JSON escapes for control
// characters, every other byte (UTF-8 included) as is.
func jsonString(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		case '\b':
			sb.WriteString(`\b`)
		case '\f':
			sb.WriteString(`\f`)
		default:
			if c < ' ' {
				fmt.Fprintf(&sb, `\u%04x`, c)
			} else {
				sb.WriteByte(c)
			}
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

// entries counts the entries of an aggregate (pairs for a map).
func entries(r *resp.Reply) int {
	if r.Type == resp.TypeMap {
		return len(r.Elems) / 2
	}
	return len(r.Elems)
}
