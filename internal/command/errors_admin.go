package command

import (
	"fmt"
	"strings"
)

// Error replies of the server/admin command family (INFO, CONFIG, CLIENT,
// COMMAND, SLOWLOG, LATENCY, MEMORY, DEBUG, SHUTDOWN), byte for byte as
// Valkey sends them.
const (
	ErrNoSuchClient          = "ERR No such client"
	ErrClientIDPositive      = "ERR client-id should be greater than 0"
	ErrMaxAgeNotInt          = "ERR maxage is not an integer or out of range"
	ErrMaxAgePositive        = "ERR maxage should be greater than 0"
	ErrIdleNotInt            = "ERR idle is not an integer or out of range"
	ErrIdlePositive          = "ERR idle should be greater than 0"
	ErrDBFilterNotInt        = "ERR DB is not an integer or out of range"
	ErrClientNameChars       = "ERR Client names cannot contain spaces, newlines or special characters."
	ErrPauseMode             = "ERR CLIENT PAUSE mode must be WRITE or ALL"
	ErrTimeoutOutOfRange     = "ERR timeout is out of range"
	ErrGetKeysInvalidCommand = "ERR Invalid command specified"
	ErrGetKeysNoKeys         = "ERR The command has no key arguments"
	ErrGetKeysArity          = "ERR Invalid number of arguments specified for command"
	ErrGetKeysInvalidArgs    = "ERR Invalid arguments specified for command"
	ErrSlowlogCount          = "ERR count should be greater than or equal to -1"
	ErrNoShutdown            = "ERR No shutdown in progress."
	ErrDebugDisabled         = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."
)

// ErrUnknownClientType formats the error for a bad CLIENT LIST/KILL TYPE.
func ErrUnknownClientType(name []byte) string {
	return "ERR Unknown client type '" + string(name) + "'"
}

// ErrNoSuchUser formats the error for an unknown ACL user in a filter.
func ErrNoSuchUser(name []byte) string { return "ERR No such user '" + string(name) + "'" }

// ErrUnknownClientFlags formats the error for a bad FLAGS filter.
func ErrUnknownClientFlags(flags []byte) string {
	return "ERR Unknown flags found in the provided filter: " + string(flags)
}

// ErrUnknownClientCapa formats the error for a bad CAPA filter.
func ErrUnknownClientCapa(capa []byte) string {
	return "ERR Unknown capa found in the provided filter: " + string(capa)
}

// ErrDBFilterRange formats the error for a DB filter outside 0..n-1.
func ErrDBFilterRange(numDBs int) string {
	return fmt.Sprintf("ERR DB number should be between 0 and %d", numDBs-1)
}

// ErrSetinfoOption formats the error for an unknown CLIENT SETINFO attribute.
func ErrSetinfoOption(attr []byte) string { return "ERR Unrecognized option '" + string(attr) + "'" }

// ErrSetinfoChars formats the error for a CLIENT SETINFO value with spaces
// or control characters; attr is echoed as the client spelled it.
func ErrSetinfoChars(attr []byte) string {
	return "ERR " + string(attr) + " cannot contain spaces, newlines or special characters."
}

// ErrSubcommandSyntax formats Valkey's addReplySubcommandSyntaxError: a
// known command whose subcommand or argument count is wrong.
func ErrSubcommandSyntax(cmd string, sub []byte) string {
	return fmt.Sprintf("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.",
		truncate(sub, 128), strings.ToUpper(cmd))
}
