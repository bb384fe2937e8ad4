package command

import (
	"sort"
	"strings"

	"github.com/shoal-db/shoal/internal/resp"
)

// aclCategories are Valkey's ACL categories in the order COMMAND INFO
// lists them (the order of their bit flags).
var aclCategories = []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash",
	"string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
	"blocking", "dangerous", "connection", "transaction", "scripting"}

func aclCategoryIndex(name string) int {
	for i, c := range aclCategories {
		if c == name {
			return i
		}
	}
	return -1
}

// commandACL returns cmd's ACL categories: the declared ones plus those
// Valkey implies from the flags (setImplicitACLCategories), in Valkey's
// order. Unknown names sort last.
func commandACL(cmd *Command) []string {
	set := make(map[string]bool, len(cmd.ACL)+3)
	for _, c := range cmd.ACL {
		set[strings.ToLower(c)] = true
	}
	f := cmd.Flags
	if f&FlagWrite != 0 {
		set["write"] = true
	}
	if f&FlagReadonly != 0 && !set["scripting"] {
		set["read"] = true
	}
	if f&FlagAdmin != 0 {
		set["admin"], set["dangerous"] = true, true
	}
	if f&FlagPubSub != 0 {
		set["pubsub"] = true
	}
	if f&FlagFast != 0 {
		set["fast"] = true
	}
	if f&FlagBlocking != 0 {
		set["blocking"] = true
	}
	if f&FlagFast == 0 {
		set["slow"] = true
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := aclCategoryIndex(out[i]), aclCategoryIndex(out[j])
		if a < 0 || b < 0 {
			if a == b {
				return out[i] < out[j]
			}
			return b < 0
		}
		return a < b
	})
	return out
}

// commandFlagNames are the flags COMMAND INFO reports, in Valkey's order.
// may_replicate is hidden, as in Valkey; movablekeys is computed.
var commandFlagNames = []struct {
	f    Flags
	name string
}{
	{FlagWrite, "write"}, {FlagReadonly, "readonly"}, {FlagDenyOOM, "denyoom"},
	{FlagAdmin, "admin"}, {FlagPubSub, "pubsub"}, {FlagNoScript, "noscript"},
	{FlagBlocking, "blocking"}, {FlagLoading, "loading"}, {FlagStale, "stale"},
	{FlagSkipMonitor, "skip_monitor"}, {FlagSkipSlowlog, "skip_slowlog"},
	{FlagAsking, "asking"}, {FlagFast, "fast"}, {FlagNoAuth, "no_auth"},
	{FlagNoMandatoryKeys, "no_mandatory_keys"}, {FlagNoMulti, "no_multi"},
}

func commandFlags(cmd *Command) []string {
	var out []string
	for _, fn := range commandFlagNames {
		if cmd.Flags&fn.f != 0 {
			out = append(out, fn.name)
		}
	}
	if cmd.Keys != nil {
		out = append(out, "movablekeys")
	}
	if cmd.Flags&FlagAllowBusy != 0 {
		out = append(out, "allow_busy")
	}
	return out
}

// keyFlags are the access flags reported for every key of cmd. The table
// does not describe per-key access, so they follow the command's flags:
// read-only commands read, others may read and write.
func keyFlags(cmd *Command) []string {
	switch {
	case cmd.Flags&FlagPubSub != 0:
		return []string{"not_key"}
	case cmd.Flags&FlagReadonly != 0:
		return []string{"RO", "access"}
	case cmd.Flags&FlagWrite != 0:
		return []string{"RW", "update"}
	}
	return []string{"RW", "access", "update"}
}

// hasKeys reports whether cmd takes key arguments (Valkey's
// doesCommandHaveKeys): channels of sharded pub/sub do not count.
func hasKeys(cmd *Command) bool {
	return (cmd.FirstKey > 0 || cmd.Keys != nil) && cmd.Flags&FlagPubSub == 0
}

// writeKeySpecs writes cmd's key specifications, derived from the legacy
// (first, last, step) triple: one "index"/"range" spec for it, and an
// "unknown"/"unknown" spec when a key function finds further keys.
func writeKeySpecs(w *resp.Writer, cmd *Command) {
	n := 0
	if cmd.FirstKey > 0 {
		n++
	}
	if cmd.Keys != nil {
		n++
	}
	w.SetLen(n)
	flags := keyFlags(cmd)
	writeFlags := func() {
		w.BulkString("flags")
		w.SetLen(len(flags))
		for _, f := range flags {
			w.Simple(f)
		}
	}
	if cmd.FirstKey > 0 {
		last := cmd.LastKey
		if last >= 0 {
			last -= cmd.FirstKey
		}
		step := max(cmd.Step, 1)
		w.MapLen(3)
		writeFlags()
		w.BulkString("begin_search")
		w.MapLen(2)
		w.BulkString("type")
		w.BulkString("index")
		w.BulkString("spec")
		w.MapLen(1)
		w.BulkString("index")
		w.Int(int64(cmd.FirstKey))
		w.BulkString("find_keys")
		w.MapLen(2)
		w.BulkString("type")
		w.BulkString("range")
		w.BulkString("spec")
		w.MapLen(3)
		w.BulkString("lastkey")
		w.Int(int64(last))
		w.BulkString("keystep")
		w.Int(int64(step))
		w.BulkString("limit")
		w.Int(0)
	}
	if cmd.Keys != nil {
		w.MapLen(3)
		writeFlags()
		for _, part := range []string{"begin_search", "find_keys"} {
			w.BulkString(part)
			w.MapLen(2)
			w.BulkString("type")
			w.BulkString("unknown")
			w.BulkString("spec")
			w.MapLen(0)
		}
	}
}

// writeCommandInfo writes one COMMAND INFO entry in the Redis 7 / Valkey
// shape: name, arity, flags, first key, last key, step, ACL categories,
// tips, key specs, subcommands.
func writeCommandInfo(w *resp.Writer, cmd *Command) {
	w.ArrayLen(10)
	w.BulkString(cmd.Name)
	w.Int(int64(cmd.Arity))
	flags := commandFlags(cmd)
	w.SetLen(len(flags))
	for _, f := range flags {
		w.Simple(f)
	}
	if cmd.FirstKey > 0 {
		w.Int(int64(cmd.FirstKey))
		w.Int(int64(cmd.LastKey))
		w.Int(int64(max(cmd.Step, 1)))
	} else {
		w.Int(0)
		w.Int(0)
		w.Int(0)
	}
	acl := commandACL(cmd)
	w.SetLen(len(acl))
	for _, a := range acl {
		w.Simple("@" + a)
	}
	w.SetLen(len(cmd.Tips))
	for _, t := range cmd.Tips {
		w.BulkString(t)
	}
	writeKeySpecs(w, cmd)
	if len(cmd.Subcommands) == 0 {
		w.SetLen(0)
		return
	}
	subs := sortedSubcommands(cmd)
	w.ArrayLen(len(subs))
	for _, s := range subs {
		writeCommandInfo(w, s)
	}
}

// writeCommandDocs writes one COMMAND DOCS entry: a map of summary, since,
// group, complexity and, for containers, the subcommands' docs. Argument
// descriptions are not part of the table and are omitted.
func writeCommandDocs(w *resp.Writer, cmd *Command) {
	n := 1
	for _, s := range []string{cmd.Summary, cmd.Since, cmd.Complexity} {
		if s != "" {
			n++
		}
	}
	if len(cmd.Subcommands) > 0 {
		n++
	}
	w.MapLen(n)
	if cmd.Summary != "" {
		w.BulkString("summary")
		w.BulkString(cmd.Summary)
	}
	if cmd.Since != "" {
		w.BulkString("since")
		w.BulkString(cmd.Since)
	}
	w.BulkString("group")
	group := cmd.Group
	if group == "" && cmd.Parent != nil {
		group = cmd.Parent.Group
	}
	w.BulkString(group)
	if cmd.Complexity != "" {
		w.BulkString("complexity")
		w.BulkString(cmd.Complexity)
	}
	if len(cmd.Subcommands) > 0 {
		w.BulkString("subcommands")
		subs := sortedSubcommands(cmd)
		w.MapLen(len(subs))
		for _, s := range subs {
			w.BulkString(s.Name)
			writeCommandDocs(w, s)
		}
	}
}
