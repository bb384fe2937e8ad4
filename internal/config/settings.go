package config

import (
	"sort"
	"strings"
)

// Type is a setting's value type.
type Type int

// Setting types. They mirror Valkey's config.c families: bool, string,
// enum, numeric (plain or memory) and special (own parser and formatter).
const (
	TypeString Type = iota
	TypeBool
	TypeInt
	TypeMemory
	TypeEnum
	TypeSpecial
)

// Flag refines a setting's behaviour.
type Flag uint32

// Setting flags, named after Valkey's config flags.
const (
	// FlagProtected settings may only be changed by CONFIG SET when
	// enable-protected-configs allows it (dir, dbfilename).
	FlagProtected Flag = 1 << iota
	// FlagHidden settings are only returned by CONFIG GET for an exact
	// name, never for a glob pattern.
	FlagHidden
	// FlagSensitive settings hold secrets; callers should redact their
	// values from logs, SLOWLOG and MONITOR.
	FlagSensitive
	// FlagMultiArg settings take several arguments (save, bind, ...).
	FlagMultiArg
	// FlagUnsigned numeric settings are unsigned in Valkey: bounds are
	// compared as uint64, so "-1" is out of range rather than small.
	FlagUnsigned
	// FlagPercent memory settings also accept "N%" (stored as -N).
	FlagPercent
	// FlagOctal numeric settings are written and read in octal.
	FlagOctal
	// FlagEmptyIsNull string settings treat "" as "not set": CONFIG
	// REWRITE then removes them from the file instead of writing "".
	FlagEmptyIsNull
	// FlagSigned memory settings also accept a plain signed integer
	// (slot-migration-max-failover-repl-bytes -1).
	FlagSigned
)

// Setting describes one directive.
type Setting struct {
	Name string
	// Alias is the deprecated or alternative name (slave-read-only for
	// replica-read-only, masterauth for primaryauth), or "".
	Alias   string
	Type    Type
	Default string // canonical form
	// Min and Max bound numeric settings; with FlagUnsigned they are
	// compared as uint64 (Max -1 meaning 2^64-1).
	Min, Max int64
	Enum     []string
	Mutable  bool
	Flags    Flag

	// enumVals are the values behind Enum when they are not simply the
	// index (duplicates such as oom-score-adj yes/relative, bitflags).
	enumVals []int
	// check rejects a parsed canonical value; it returns Valkey's reason.
	check func(v string) string
	// clamp adjusts a numeric value after validation (hz is capped);
	// with clampOnSetOnly only CONFIG SET applies it.
	clamp          func(int64) int64
	clampOnSetOnly bool
	// special implements TypeSpecial settings.
	special *specialOps
}

// Has reports whether s carries flag f.
func (s *Setting) Has(f Flag) bool { return s.Flags&f != 0 }

// Settings returns a copy of the table, sorted by name.
func Settings() []Setting {
	out := make([]Setting, len(settings))
	copy(out, settings)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup finds a setting by name or alias, ignoring ASCII case.
func Lookup(name string) (*Setting, bool) {
	e, ok := nameIndex.byName[strings.ToLower(name)]
	if !ok {
		return nil, false
	}
	return e.s, true
}

// entry is one name a setting answers to: its own name or its alias.
// CONFIG GET and CONFIG SET work on entries, as Valkey registers an alias
// as a separate dictionary entry pointing at the same setting.
type entry struct {
	name  string // lower-case name of this entry
	s     *Setting
	alias bool
}

// settingIndex maps names and aliases to entries. It is built once from
// the static table and never modified.
type settingIndex struct {
	byName  map[string]entry
	entries []entry // sorted by name
}

var nameIndex = buildIndex(settings)

func buildIndex(table []Setting) settingIndex {
	idx := settingIndex{byName: make(map[string]entry, 2*len(table))}
	add := func(e entry) {
		if _, dup := idx.byName[e.name]; dup {
			panic("config: duplicate setting name " + e.name)
		}
		idx.byName[e.name] = e
		idx.entries = append(idx.entries, e)
	}
	for i := range table {
		s := &table[i]
		add(entry{name: s.Name, s: s})
		if s.Alias != "" {
			add(entry{name: s.Alias, s: s, alias: true})
		}
	}
	sort.Slice(idx.entries, func(i, j int) bool { return idx.entries[i].name < idx.entries[j].name })
	return idx
}

func lookupEntry(name string) (entry, bool) {
	e, ok := nameIndex.byName[strings.ToLower(name)]
	return e, ok
}
