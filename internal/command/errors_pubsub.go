package command

import "strings"

// Pub/sub and MONITOR error replies, byte-exact with Valkey.
const (
	// ErrSSubscribeDenyBlocking answers SSUBSCRIBE inside MULTI/EXEC.
	// (SUBSCRIBE and PSUBSCRIBE stay allowed there for backward
	// compatibility, as in Valkey.)
	ErrSSubscribeDenyBlocking = "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client"
	// ErrMonitorDenyBlocking answers MONITOR inside MULTI/EXEC.
	ErrMonitorDenyBlocking = "ERR MONITOR isn't allowed for DENY BLOCKING client"
)

// pubsubSubcommandSyntaxErr is Valkey's addReplySubcommandSyntaxError: sub
// is the subcommand as the client typed it, parent the command name. (A
// generic copy may exist elsewhere; this one is named for its family so
// branches merge without a clash.)
func pubsubSubcommandSyntaxErr(parent string, sub []byte) string {
	return "ERR unknown subcommand or wrong number of arguments for '" + truncate(sub, 128) +
		"'. Try " + strings.ToUpper(parent) + " HELP."
}
