package command

import (
	"fmt"
	"strings"
	"testing"
)

func TestKeyCommandTable(t *testing.T) {
	tab := NewTable()
	for _, tc := range []struct {
		argv  string
		name  string
		arity int
		flags Flags
		keys  string
	}{
		{"DEL a b c", "del", -2, FlagWrite, "[1 2 3]"},
		{"UNLINK a", "unlink", -2, FlagWrite | FlagFast, "[1]"},
		{"EXISTS a b", "exists", -2, FlagReadonly | FlagFast, "[1 2]"},
		{"TOUCH a b", "touch", -2, FlagReadonly | FlagFast, "[1 2]"},
		{"TYPE a", "type", 2, FlagReadonly | FlagFast, "[1]"},
		{"EXPIRE a 1 NX", "expire", -3, FlagWrite | FlagFast, "[1]"},
		{"PEXPIREAT a 1", "pexpireat", -3, FlagWrite | FlagFast, "[1]"},
		{"TTL a", "ttl", 2, FlagReadonly | FlagFast, "[1]"},
		{"PEXPIRETIME a", "pexpiretime", 2, FlagReadonly | FlagFast, "[1]"},
		{"PERSIST a", "persist", 2, FlagWrite | FlagFast, "[1]"},
		{"RENAME a b", "rename", 3, FlagWrite, "[1 2]"},
		{"RENAMENX a b", "renamenx", 3, FlagWrite | FlagFast, "[1 2]"},
		{"KEYS *", "keys", 2, FlagReadonly | FlagKeyspace, "[]"},
		{"SCAN 0 COUNT 1", "scan", -2, FlagReadonly | FlagKeyspace, "[]"},
		{"RANDOMKEY", "randomkey", 1, FlagReadonly | FlagKeyspace, "[]"},
		{"DBSIZE", "dbsize", 1, FlagReadonly | FlagFast | FlagKeyspace, "[]"},
		{"FLUSHDB ASYNC", "flushdb", -1, FlagWrite | FlagLockAll, "[]"},
		{"FLUSHALL", "flushall", -1, FlagWrite | FlagLockAll, "[]"},
		{"SWAPDB 0 1", "swapdb", 3, FlagWrite | FlagFast | FlagLockAll, "[]"},
		{"MOVE a 1", "move", 3, FlagWrite | FlagFast, "[1]"},
		{"COPY a b DB 1 REPLACE", "copy", -3, FlagWrite | FlagDenyOOM, "[1 2]"},
		{"OBJECT ENCODING a", "object|encoding", 3, FlagReadonly, "[2]"},
		{"OBJECT freq a", "object|freq", 3, FlagReadonly, "[2]"},
		{"OBJECT IDLETIME a", "object|idletime", 3, FlagReadonly, "[2]"},
		{"OBJECT REFCOUNT a", "object|refcount", 3, FlagReadonly, "[2]"},
		{"OBJECT HELP", "object|help", 2, FlagLoading | FlagStale, "[]"},
		{"DUMP a", "dump", 2, FlagReadonly, "[1]"},
		{"RESTORE a 0 p REPLACE", "restore", -4, FlagWrite | FlagDenyOOM, "[1]"},
		{"WAIT 1 0", "wait", 3, FlagBlocking, "[]"},
	} {
		var argv [][]byte
		for _, a := range strings.Fields(tc.argv) {
			argv = append(argv, []byte(a))
		}
		cmd, unknown := tab.Resolve(argv)
		if cmd == nil || unknown {
			t.Fatalf("%s: not found", tc.argv)
		}
		if cmd.Name != tc.name || cmd.Arity != tc.arity || cmd.Flags != tc.flags {
			t.Errorf("%s: name %q arity %d flags %v, want %q %d %v", tc.argv, cmd.Name, cmd.Arity, cmd.Flags.Names(), tc.name, tc.arity, tc.flags.Names())
		}
		if got := fmt.Sprint(cmd.KeyPositions(argv, nil)); got != tc.keys {
			t.Errorf("%s: keys %s, want %s", tc.argv, got, tc.keys)
		}
		if cmd.Summary == "" || cmd.Since == "" || cmd.Group == "" || len(cmd.ACL) == 0 || cmd.Handler == nil {
			t.Errorf("%s: incomplete entry %+v", tc.argv, cmd)
		}
	}
}
