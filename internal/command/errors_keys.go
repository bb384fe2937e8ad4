package command

import "fmt"

// Error replies of the generic key commands (keys*.go, dump.go), byte for
// byte as Valkey sends them.
const (
	ErrKeysNXXXGTLT         = "ERR NX and XX, GT or LT options at the same time are not compatible"
	ErrKeysGTLT             = "ERR GT and LT options at the same time are not compatible"
	ErrKeysInvalidFirstDB   = "ERR invalid first DB index"
	ErrKeysInvalidSecondDB  = "ERR invalid second DB index"
	ErrKeysSwapDBCluster    = "ERR SWAPDB is not allowed in cluster mode"
	ErrKeysBadDataFormat    = "ERR Bad data format"
	ErrKeysInvalidIdleTime  = "ERR Invalid IDLETIME value, must be >= 0"
	ErrKeysInvalidFreq      = "ERR Invalid FREQ value, must be >= 0 and <= 255"
	ErrKeysTimeoutRange     = "ERR timeout is out of range"
	ErrKeysNoValuesOption   = "ERR NOVALUES option can only be used in HSCAN"
	ErrKeysNoScoresOption   = "ERR NOSCORES option can only be used in ZSCAN"
	ErrKeysDumpUnsupported  = "ERR DUMP is not supported for this value type"
	ErrKeysUnknownObjectSub = "ERR unknown subcommand or wrong number of arguments for 'object'. Try OBJECT HELP."
	// ErrKeysLFUSelected is OBJECT IDLETIME's refusal under an LFU policy.
	// (errors.go's ErrLRUNotSelected spells the policy "LRU"; Valkey says
	// "LFU" here.)
	ErrKeysLFUSelected = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
)

// ErrKeysUnsupportedOption formats the EXPIRE family's unknown-option error.
func ErrKeysUnsupportedOption(opt []byte) string {
	return "ERR Unsupported option " + string(opt)
}

// ErrKeysUnknownType formats SCAN ... TYPE's unknown-type error.
func ErrKeysUnknownType(name []byte) string {
	return fmt.Sprintf("ERR unknown type name '%s'", name)
}
