package resp

import "strconv"

// Encoders for requests (commands) as a client or a replication stream
// sends them: arrays of bulk strings. They append to dst and return it.

// AppendArrayHeader appends "*n\r\n".
func AppendArrayHeader(dst []byte, n int) []byte { return appendHeader(dst, '*', int64(n)) }

// AppendBulk appends b as a bulk string.
func AppendBulk(dst, b []byte) []byte {
	dst = appendHeader(dst, '$', int64(len(b)))
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

// AppendBulkString appends s as a bulk string.
func AppendBulkString(dst []byte, s string) []byte {
	dst = appendHeader(dst, '$', int64(len(s)))
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendCommand appends argv as one command.
func AppendCommand(dst []byte, argv [][]byte) []byte {
	dst = AppendArrayHeader(dst, len(argv))
	for _, a := range argv {
		dst = AppendBulk(dst, a)
	}
	return dst
}

// AppendCommandStrings is AppendCommand for string arguments.
func AppendCommandStrings(dst []byte, argv ...string) []byte {
	dst = AppendArrayHeader(dst, len(argv))
	for _, a := range argv {
		dst = AppendBulkString(dst, a)
	}
	return dst
}

// AppendIntBulk appends n in decimal as a bulk string.
func AppendIntBulk(dst []byte, n int64) []byte {
	var buf [20]byte
	return AppendBulk(dst, strconv.AppendInt(buf[:0], n, 10))
}
