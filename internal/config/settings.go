package config

// Type is a setting's value type.
type Type int

// Setting types.
const (
	TypeString Type = iota
	TypeBool
	TypeInt
	TypeMemory
	TypeEnum
	TypeSpecial
)

// Setting describes one directive.
type Setting struct {
	Name     string
	Type     Type
	Default  string
	Min, Max int64
	Enum     []string
	Mutable  bool
}

var settings = []Setting{
	{Name: "bind", Type: TypeSpecial, Default: "* -::*", Mutable: true},
	{Name: "port", Type: TypeInt, Default: "6379", Min: 0, Max: 65535, Mutable: true},
	{Name: "requirepass", Type: TypeString, Default: "", Mutable: true},
	{Name: "databases", Type: TypeInt, Default: "16", Min: 1, Max: 1 << 30},
	{Name: "maxmemory", Type: TypeMemory, Default: "0", Mutable: true},
	{Name: "maxmemory-policy", Type: TypeEnum, Default: "noeviction", Mutable: true},
	{Name: "maxmemory-samples", Type: TypeInt, Default: "5", Min: 1, Max: 64, Mutable: true},
	{Name: "notify-keyspace-events", Type: TypeSpecial, Default: "", Mutable: true},
	{Name: "hz", Type: TypeInt, Default: "10", Min: 0, Max: 500, Mutable: true},
	{Name: "active-expire-effort", Type: TypeInt, Default: "1", Min: 1, Max: 10, Mutable: true},
	{Name: "protected-mode", Type: TypeBool, Default: "yes", Mutable: true},
	{Name: "maxclients", Type: TypeInt, Default: "10000", Min: 1, Max: 1 << 30, Mutable: true},
	{Name: "timeout", Type: TypeInt, Default: "0", Min: 0, Max: 1 << 31, Mutable: true},
	{Name: "proto-max-bulk-len", Type: TypeMemory, Default: "536870912", Mutable: true},
	{Name: "client-query-buffer-limit", Type: TypeMemory, Default: "1073741824", Mutable: true},
	{Name: "slowlog-log-slower-than", Type: TypeInt, Default: "10000", Min: -1, Max: 1 << 62, Mutable: true},
	{Name: "slowlog-max-len", Type: TypeInt, Default: "128", Min: 0, Max: 1 << 31, Mutable: true},
	{Name: "latency-monitor-threshold", Type: TypeInt, Default: "0", Min: 0, Max: 1 << 62, Mutable: true},
	{Name: "loglevel", Type: TypeEnum, Default: "notice", Mutable: true},
	{Name: "logfile", Type: TypeString, Default: ""},
	{Name: "dir", Type: TypeString, Default: ".", Mutable: true},
}
