package command

// Error replies of the list family (list*.go) and CLIENT UNBLOCK, byte for
// byte as Valkey sends them.
const (
	ErrListIndexRange      = "ERR index out of range"
	ErrListMustBePositive  = "ERR value is out of range, must be positive"
	ErrListRankZero        = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	ErrListCountNegative   = "ERR COUNT can't be negative"
	ErrListMaxlenNegative  = "ERR MAXLEN can't be negative"
	ErrListNumkeys         = "ERR numkeys should be greater than 0"
	ErrListCountPositive   = "ERR count should be greater than 0"
	ErrListTimeoutNotFloat = "ERR timeout is not a float or out of range"
	ErrListTimeoutRange    = "ERR timeout is out of range"
	ErrListUnblockReason   = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
	ErrListUnblocked       = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
	ErrListLongOutOfRange  = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
)
