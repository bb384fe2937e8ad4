package command

import (
	"fmt"
	"strings"
)

// Client-facing error replies, byte-for-byte as Valkey sends them (without
// the leading '-'). Handlers use these constants or the helpers below and
// never spell an error text inline.
const (
	ErrSyntax          = "ERR syntax error"
	ErrNotInt          = "ERR value is not an integer or out of range"
	ErrNotFloat        = "ERR value is not a valid float"
	ErrWrongType       = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrNoAuth          = "NOAUTH Authentication required."
	ErrWrongPass       = "WRONGPASS invalid username-password pair or user is disabled."
	ErrNoPassword      = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	ErrExecAbort       = "EXECABORT Transaction discarded because of previous errors."
	ErrMultiNested     = "ERR MULTI calls can not be nested"
	ErrExecNoMulti     = "ERR EXEC without MULTI"
	ErrDiscardNoMulti  = "ERR DISCARD without MULTI"
	ErrWatchInMulti    = "ERR WATCH inside MULTI is not allowed"
	ErrOOM             = "OOM command not allowed when used memory > 'maxmemory'."
	ErrDBIndex         = "ERR DB index is out of range"
	ErrNoSuchKey       = "ERR no such key"
	ErrOverflow        = "ERR increment or decrement would overflow"
	ErrIncrFloatNaN    = "ERR increment would produce NaN or Infinity"
	ErrStringTooLong   = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	ErrBitOffset       = "ERR bit offset is not an integer or out of range"
	ErrBitValue        = "ERR bit is not an integer or out of range"
	ErrOffsetRange     = "ERR offset is out of range"
	ErrSameObject      = "ERR source and destination objects are the same"
	ErrTimeout         = "ERR timeout is not an integer or out of range"
	ErrTimeoutNegative = "ERR timeout is negative"
	ErrBusyKey         = "BUSYKEY Target key name already exists."
	ErrCursor          = "ERR invalid cursor"
	ErrNoReplicas      = "NOREPLICAS Not enough good replicas to write."
	ErrReadonlyReplica = "READONLY You can't write against a read only replica."
	ErrLFUNotSelected  = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	ErrDumpPayload     = "ERR DUMP payload version or checksum are wrong"
	ErrInvalidTTL      = "ERR Invalid TTL value, must be >= 0"
	ErrMaxClients      = "ERR max number of clients reached"
	ErrReplicaKeyspace = "ERR Replica can't interact with the keyspace"
)

// ErrUnknownCommand formats Valkey's unknown-command error, quoting up to
// the first arguments as Valkey does.
func ErrUnknownCommand(name []byte, args [][]byte) string {
	var quoted strings.Builder
	for _, a := range args {
		if quoted.Len() >= 128 {
			break
		}
		fmt.Fprintf(&quoted, "'%s' ", truncate(a, 128-quoted.Len()))
	}
	return fmt.Sprintf("ERR unknown command '%s', with args beginning with: %s", truncate(name, 128), quoted.String())
}

// ErrUnknownSubcommand formats Valkey's unknown-subcommand error.
func ErrUnknownSubcommand(parent string, sub []byte) string {
	return fmt.Sprintf("ERR unknown subcommand '%s'. Try %s HELP.", truncate(sub, 128), strings.ToUpper(parent))
}

// ErrWrongArgs formats the wrong-arity error; name is the command's full
// name in lower case ("get", "config|get").
func ErrWrongArgs(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

// ErrInvalidExpire formats the invalid-expire-time error of SET, GETEX, EXPIRE...
func ErrInvalidExpire(cmd string) string {
	return "ERR invalid expire time in '" + cmd + "' command"
}

// ErrPubSubContext formats the error for a command not allowed while
// subscribed under RESP2.
func ErrPubSubContext(name string) string {
	return "ERR Can't execute '" + name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
}

func truncate(b []byte, n int) string {
	if n < 0 {
		n = 0
	}
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}
