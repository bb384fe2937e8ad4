package command

import (
	"sort"
	"strings"
	"sync/atomic"
)

// Flags are a command's properties, named as COMMAND INFO reports them.
type Flags uint64

// Command flags.
const (
	FlagWrite Flags = 1 << iota
	FlagReadonly
	FlagDenyOOM
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagFast
	FlagNoAuth
	FlagMayReplicate
	FlagNoMulti
	FlagAllowBusy
	FlagNoMandatoryKeys
	FlagAsking
	// FlagKeyspace marks a command that reads or writes keys it does not
	// name (KEYS, SCAN, DBSIZE, RANDOMKEY): inside MULTI it makes EXEC lock
	// every slot so the block stays atomic. Not reported by COMMAND.
	FlagKeyspace
	// FlagLockAll marks a command that must hold every slot lock while it
	// runs (FLUSHALL, FLUSHDB, SWAPDB). Not reported by COMMAND.
	FlagLockAll
	// FlagAllowedInSubscribe marks commands a RESP2 client may send while
	// subscribed. Not reported by COMMAND.
	FlagAllowedInSubscribe
)

var flagNames = []struct {
	f    Flags
	name string
}{
	{FlagWrite, "write"}, {FlagReadonly, "readonly"}, {FlagDenyOOM, "denyoom"},
	{FlagAdmin, "admin"}, {FlagPubSub, "pubsub"}, {FlagNoScript, "noscript"},
	{FlagBlocking, "blocking"}, {FlagLoading, "loading"}, {FlagStale, "stale"},
	{FlagSkipMonitor, "skip_monitor"}, {FlagSkipSlowlog, "skip_slowlog"},
	{FlagAsking, "asking"}, {FlagFast, "fast"}, {FlagNoAuth, "no_auth"},
	{FlagMayReplicate, "may_replicate"}, {FlagNoMandatoryKeys, "no_mandatory_keys"},
	{FlagNoMulti, "no_multi"}, {FlagAllowBusy, "allow_busy"},
}

// Names returns the COMMAND INFO flag names.
func (f Flags) Names() []string {
	var out []string
	for _, fn := range flagNames {
		if f&fn.f != 0 {
			out = append(out, fn.name)
		}
	}
	return out
}

// KeysFunc extracts key argument positions for commands whose keys the
// (first, last, step) triple cannot describe (numkeys arguments, options).
type KeysFunc func(argv [][]byte, dst []int) []int

// Command is one entry of the command table.
type Command struct {
	Name  string // lower case; subcommands are "parent|sub"
	Arity int    // >0 exact, <0 at least -Arity (argv[0] included)
	Flags Flags
	// Legacy key specification: positions of the first and last key and
	// the step between keys. LastKey -1 is the last argument, -2 the one
	// before. FirstKey 0 means no keys.
	FirstKey, LastKey, Step int
	Keys                    KeysFunc
	ACL                     []string // categories without '@'
	Tips                    []string
	Group, Summary, Since   string
	Complexity              string
	Handler                 func(*Ctx)
	Subcommands             map[string]*Command
	Parent                  *Command

	stats CommandStats
}

// CommandStats are the counters behind INFO commandstats.
type CommandStats struct {
	Calls        atomic.Int64
	Micros       atomic.Int64
	RejectedCall atomic.Int64
	FailedCalls  atomic.Int64
}

// Stats exposes the command's counters.
func (c *Command) Stats() *CommandStats { return &c.stats }

// FullName is the name COMMAND and error messages use ("config|get").
func (c *Command) FullName() string { return c.Name }

// KeyPositions appends the argv indexes of the command's keys to dst.
func (c *Command) KeyPositions(argv [][]byte, dst []int) []int {
	if c.Keys != nil {
		return c.Keys(argv, dst)
	}
	if c.FirstKey <= 0 || c.FirstKey >= len(argv) {
		return dst
	}
	last := c.LastKey
	if last < 0 {
		last = len(argv) + last
	}
	if last >= len(argv) {
		last = len(argv) - 1
	}
	step := c.Step
	if step <= 0 {
		step = 1
	}
	for i := c.FirstKey; i <= last; i += step {
		dst = append(dst, i)
	}
	return dst
}

// Table is the command table. It is built once at start-up and read-only
// afterwards, so lookups need no lock.
type Table struct {
	cmds map[string]*Command
}

// NewTable builds the table from every command family.
func NewTable() *Table {
	t := &Table{cmds: make(map[string]*Command)}
	for _, family := range [][]*Command{
		connectionCommands(),
		stringCommands(),
		keyCommands(),
		transactionCommands(),
		pubsubCommands(),
		serverCommands(),
		replCommands(),
		hashCommands(),
		listCommands(),
		setCommands(),
		zsetCommands(),
		clusterCommands(),
	} {
		for _, c := range family {
			t.add(c)
		}
	}
	return t
}

func (t *Table) add(c *Command) {
	if _, dup := t.cmds[c.Name]; dup {
		panic("command: duplicate command " + c.Name)
	}
	for name, sub := range c.Subcommands {
		sub.Parent = c
		if sub.Name == "" {
			sub.Name = c.Name + "|" + name
		}
	}
	t.cmds[c.Name] = c
}

// Lookup finds a command by name (case-insensitive), without subcommand
// resolution.
func (t *Table) Lookup(name []byte) *Command {
	// Lower-case into a stack buffer: map lookups keyed by string(bytes)
	// do not allocate, and this runs for every command. Clients mostly
	// send upper case, so one lookup of the lowered name beats trying the
	// name as sent first.
	var buf [32]byte
	if len(name) > len(buf) {
		return t.cmds[strings.ToLower(string(name))]
	}
	for i, ch := range name {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf[i] = ch
	}
	return t.cmds[string(buf[:len(name)])]
}

// Resolve finds the command argv names, descending into subcommands. It
// returns the container when argv names an unknown subcommand, with
// unknownSub set.
func (t *Table) Resolve(argv [][]byte) (cmd *Command, unknownSub bool) {
	c := t.Lookup(argv[0])
	if c == nil || c.Subcommands == nil || len(argv) < 2 {
		return c, false
	}
	if sub, ok := c.Subcommands[strings.ToLower(string(argv[1]))]; ok {
		return sub, false
	}
	return c, true
}

// All returns every top-level command sorted by name.
func (t *Table) All() []*Command {
	out := make([]*Command, 0, len(t.cmds))
	for _, c := range t.cmds {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Len is the number of top-level commands (COMMAND COUNT).
func (t *Table) Len() int { return len(t.cmds) }
