package command

// Error replies of the string and bitmap families, byte for byte as Valkey
// 9.0 sends them (without the leading '-').
const (
	ErrDecrOverflow      = "ERR decrement would overflow"
	ErrBitArg            = "ERR The bit argument must be 1 or 0."
	ErrBitopNot          = "ERR BITOP NOT must be called with a single source key."
	ErrBitfieldType      = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	ErrBitfieldOverflow  = "ERR Invalid OVERFLOW type specified"
	ErrBitfieldRO        = "ERR BITFIELD_RO only supports the GET subcommand"
	ErrLCSKeysNotStrings = "ERR The specified keys must contain string values"
	ErrLCSLenAndIdx      = "ERR If you want both the length and indexes, please just use IDX."
	ErrLCSTooLong        = "ERR String too long for LCS"
	ErrLCSTooMuchMemory  = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
)
