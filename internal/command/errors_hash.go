package command

// Error replies of the hash family, byte for byte as Valkey 9 sends them
// (t_hash.c). The option errors of HEXPIRE and friends are the key
// family's (ErrKeysNXXXGTLT, ErrKeysGTLT, ErrKeysUnsupportedOption).
const (
	ErrHashNotInt     = "ERR hash value is not an integer"
	ErrHashNotFloat   = "ERR hash value is not a float"
	ErrHashIncrNaN    = "ERR value is NaN or Infinity"
	ErrHashValueRange = "ERR value is out of range"
	ErrHashNumFields  = "ERR numfields should be greater than 0 and match the provided number of fields"
	// ErrHashCountRange is getRangeLongFromObjectOrReply's error for a
	// HRANDFIELD count of LLONG_MIN.
	ErrHashCountRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
)
