package resp

import (
	"bytes"
	"strconv"
	"strings"
)

// AppendRESP appends r's canonical wire encoding (attributes first) to dst.
// Parsing the result yields a reply Equal to r.
func (r *Reply) AppendRESP(dst []byte) []byte {
	if r.Attrs != nil {
		dst = appendHeader(dst, TypeAttribute, int64(len(r.Attrs)/2))
		for _, a := range r.Attrs {
			dst = a.AppendRESP(dst)
		}
	}
	switch r.Type {
	case TypeSimple, TypeError, TypeBigNumber, TypeDouble:
		dst = append(dst, r.Type)
		dst = append(dst, r.Str...)
		return append(dst, '\r', '\n')
	case TypeInt:
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, r.Int, 10)
		return append(dst, '\r', '\n')
	case TypeNull:
		return append(dst, "_\r\n"...)
	case TypeBool:
		if r.Int != 0 {
			return append(dst, "#t\r\n"...)
		}
		return append(dst, "#f\r\n"...)
	case TypeBulk, TypeBlobError:
		if r.Nil {
			return append(dst, "$-1\r\n"...)
		}
		dst = appendHeader(dst, r.Type, int64(len(r.Str)))
		dst = append(dst, r.Str...)
		return append(dst, '\r', '\n')
	case TypeVerbatim:
		dst = appendHeader(dst, r.Type, int64(len(r.Str)+4))
		dst = append(dst, r.Format...)
		dst = append(dst, ':')
		dst = append(dst, r.Str...)
		return append(dst, '\r', '\n')
	case TypeArray, TypeSet, TypePush, TypeMap:
		if r.Nil {
			return append(dst, "*-1\r\n"...)
		}
		n := int64(len(r.Elems))
		if r.Type == TypeMap {
			n /= 2
		}
		dst = appendHeader(dst, r.Type, n)
		for _, e := range r.Elems {
			dst = e.AppendRESP(dst)
		}
		return dst
	}
	return dst
}

func appendHeader(dst []byte, typ byte, n int64) []byte {
	dst = append(dst, typ)
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, '\r', '\n')
}

// Equal reports whether r and o are the same reply, attributes included.
func (r *Reply) Equal(o *Reply) bool {
	if r == nil || o == nil {
		return r == o
	}
	return bytes.Equal(r.AppendRESP(nil), o.AppendRESP(nil))
}

// IsError reports whether r is an error reply (simple or blob).
func (r *Reply) IsError() bool { return r.Type == TypeError || r.Type == TypeBlobError }

// IsNull reports whether r is any of the null replies ($-1, *-1, _).
func (r *Reply) IsNull() bool { return r.Nil || r.Type == TypeNull }

// IsAggregate reports whether r has elements (array, set, push, map).
func (r *Reply) IsAggregate() bool {
	switch r.Type {
	case TypeArray, TypeSet, TypePush, TypeMap:
		return !r.Nil
	}
	return false
}

// Text returns the reply's scalar value as text: strings and errors as
// they are, integers and booleans in decimal, doubles as sent.
func (r *Reply) Text() string {
	switch r.Type {
	case TypeInt, TypeBool:
		return strconv.FormatInt(r.Int, 10)
	}
	return r.Str
}

// String renders r on one line for humans (test failures, logs), in the
// spirit of redis-cli: "OK" is a status, "\"OK\"" a bulk string.
func (r *Reply) String() string {
	var sb strings.Builder
	r.format(&sb)
	return sb.String()
}

func (r *Reply) format(sb *strings.Builder) {
	if r.Attrs != nil {
		sb.WriteString("|")
		formatPairs(sb, r.Attrs)
		sb.WriteString("| ")
	}
	switch r.Type {
	case TypeSimple:
		sb.WriteString(printable(r.Str))
	case TypeError:
		sb.WriteString("(error) " + printable(r.Str))
	case TypeBlobError:
		sb.WriteString("(blob error) " + strconv.Quote(r.Str))
	case TypeInt:
		sb.WriteString("(integer) " + strconv.FormatInt(r.Int, 10))
	case TypeDouble:
		sb.WriteString("(double) " + r.Str)
	case TypeBigNumber:
		sb.WriteString("(big number) " + r.Str)
	case TypeBool:
		sb.WriteString("(boolean) " + strconv.FormatBool(r.Int != 0))
	case TypeNull:
		sb.WriteString("(null)")
	case TypeVerbatim:
		sb.WriteString("(verbatim " + r.Format + ") " + strconv.Quote(r.Str))
	case TypeBulk:
		if r.Nil {
			sb.WriteString("(nil)")
		} else {
			sb.WriteString(strconv.Quote(r.Str))
		}
	case TypeMap:
		sb.WriteString("%")
		formatPairs(sb, r.Elems)
	case TypeArray, TypeSet, TypePush:
		r.formatList(sb)
	default:
		sb.WriteString("(unknown type " + strconv.Quote(string(r.Type)) + ")")
	}
}

func (r *Reply) formatList(sb *strings.Builder) {
	if r.Nil {
		sb.WriteString("(nil array)")
		return
	}
	open, close := "[", "]"
	switch r.Type {
	case TypeSet:
		open, close = "~{", "}"
	case TypePush:
		open, close = ">[", "]"
	}
	sb.WriteString(open)
	for i, e := range r.Elems {
		if i > 0 {
			sb.WriteString(", ")
		}
		e.format(sb)
	}
	sb.WriteString(close)
}

// printable returns s as is when it is printable ASCII, quoted otherwise,
// so that a rendered reply never carries control bytes into a log.
func printable(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return strconv.Quote(s)
		}
	}
	return s
}

func formatPairs(sb *strings.Builder, kv []*Reply) {
	sb.WriteString("{")
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			sb.WriteString(", ")
		}
		kv[i].format(sb)
		sb.WriteString(": ")
		kv[i+1].format(sb)
	}
	sb.WriteString("}")
}
