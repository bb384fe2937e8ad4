package command

// Error replies of the sorted-set family, byte for byte as Valkey 9.0's
// t_zset.c sends them (without the leading '-').
const (
	ErrZSetXXAndNX         = "ERR XX and NX options at the same time are not compatible"
	ErrZSetGTLTNX          = "ERR GT, LT, and/or NX options at the same time are not compatible"
	ErrZSetIncrPair        = "ERR INCR option supports a single increment-element pair"
	ErrZSetNaN             = "ERR resulting score is not a number (NaN)"
	ErrZSetMinMaxFloat     = "ERR min or max is not a float"
	ErrZSetMinMaxLex       = "ERR min or max not valid string range item"
	ErrZSetLimitRank       = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	ErrZSetWithscoresLex   = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
	ErrZSetWeight          = "ERR weight value is not a float"
	ErrZSetLimitNegative   = "ERR LIMIT can't be negative"
	ErrZSetNumkeys         = "ERR numkeys should be greater than 0"
	ErrZSetCount           = "ERR count should be greater than 0"
	ErrZSetPositive        = "ERR value is out of range, must be positive"
	ErrZSetOutOfRange      = "ERR value is out of range"
	ErrZSetRandCountRange  = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	ErrZSetTimeoutNotFloat = "ERR timeout is not a float or out of range"
)

// ErrZSetNoKeys formats the numkeys < 1 error of ZUNION, ZINTERSTORE...
func ErrZSetNoKeys(cmd string) string {
	return "ERR at least 1 input key is needed for '" + cmd + "' command"
}
