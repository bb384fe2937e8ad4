package resp

import "errors"

var errUnbalanced = errors.New("unbalanced quotes")

// SplitArgs splits an inline request line the way Valkey's sdssplitargs
// does: whitespace separates arguments, "double quotes" honour \n \r \t \b
// \a \\ \" and \xHH escapes, 'single quotes' honour only \', and a closing
// quote must be followed by whitespace or the end of the line. It is also
// used for config-file lines, which share the syntax.
func SplitArgs(line []byte, dst [][]byte) ([][]byte, error) {
	// The C implementation works on NUL-terminated strings: a NUL ends
	// the line (and leaves any open quote unbalanced).
	for i, c := range line {
		if c == 0 {
			line = line[:i]
			break
		}
	}
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			return dst, nil
		}
		var (
			cur      []byte
			inDouble bool
			inSingle bool
			done     bool
		)
		cur = make([]byte, 0, 16)
		for !done {
			if i >= len(line) {
				if inDouble || inSingle {
					return nil, errUnbalanced
				}
				break
			}
			c := line[i]
			switch {
			case inDouble:
				switch {
				case c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					cur = append(cur, hexVal(line[i+2])<<4|hexVal(line[i+3]))
					i += 3
				case c == '\\' && i+1 < len(line):
					i++
					cur = append(cur, unescape(line[i]))
				case c == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, errUnbalanced
					}
					done = true
				default:
					cur = append(cur, c)
				}
			case inSingle:
				switch {
				case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
					i++
					cur = append(cur, '\'')
				case c == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, errUnbalanced
					}
					done = true
				default:
					cur = append(cur, c)
				}
			default:
				switch {
				case c == ' ' || c == '\n' || c == '\r' || c == '\t':
					// Only these end a bare word; \v and \f are
					// skipped between words but kept inside one.
					done = true
				case c == '"':
					inDouble = true
				case c == '\'':
					inSingle = true
				default:
					cur = append(cur, c)
				}
			}
			i++
		}
		dst = append(dst, cur)
	}
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
