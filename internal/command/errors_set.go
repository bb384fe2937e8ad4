package command

// Error replies of the set family (set*.go), byte for byte as Valkey
// sends them (t_set.c and object.c's getRangeLongFromObjectOrReply).
const (
	// ErrSetCountPositive is SPOP's count error, for a negative count and
	// for one that is not an integer at all (Valkey passes its message to
	// the integer parser too).
	ErrSetCountPositive = "ERR value is out of range, must be positive"
	// ErrSetRandCountRange is SRANDMEMBER's error for LLONG_MIN, the one
	// integer whose negation does not fit.
	ErrSetRandCountRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	ErrSetNumkeys        = "ERR numkeys should be greater than 0"
	ErrSetNumkeysTooMany = "ERR Number of keys can't be greater than number of args"
	ErrSetLimitNegative  = "ERR LIMIT can't be negative"
)
