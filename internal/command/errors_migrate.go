package command

// MIGRATE replies (cluster.c migrateCommand, migrateGetSocket), byte for
// byte. The IOERR texts start with the error code itself: Valkey passes
// them to addReplyError with a leading '-', which suppresses the "ERR "
// prefix.
const (
	ErrMigrateKeysNotEmpty = "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"
	ErrMigrateConnect      = "IOERR error or timeout connecting to the client"
	ErrMigrateWrite        = "IOERR error or timeout writing to target instance"
	ErrMigrateRead         = "IOERR error or timeout reading to target instance"
)

// ErrMigrateTarget wraps the first error line the target replied with
// (without its leading '-').
func ErrMigrateTarget(line string) string {
	return "ERR Target instance replied with error: " + line
}
