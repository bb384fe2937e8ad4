package command_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/shoal-db/shoal/internal/command"
)

// TestStringsCommandTable pins the table entries to Valkey 9.0's COMMAND
// INFO (arity, flags, first/last/step, ACL categories) and COMMAND DOCS
// (group, since).
func TestStringsCommandTable(t *testing.T) {
	want := []struct {
		name, flags       string
		arity             int
		first, last, step int
		acl, group, since string
	}{
		{"get", "readonly fast", 2, 1, 1, 1, "read string fast", "string", "1.0.0"},
		{"set", "write denyoom", -3, 1, 1, 1, "write string slow", "string", "1.0.0"},
		{"setnx", "write denyoom fast", 3, 1, 1, 1, "write string fast", "string", "1.0.0"},
		{"setex", "write denyoom", 4, 1, 1, 1, "write string slow", "string", "2.0.0"},
		{"psetex", "write denyoom", 4, 1, 1, 1, "write string slow", "string", "2.6.0"},
		{"mget", "readonly fast", -2, 1, -1, 1, "read string fast", "string", "1.0.0"},
		{"mset", "write denyoom", -3, 1, -1, 2, "write string slow", "string", "1.0.1"},
		{"msetnx", "write denyoom", -3, 1, -1, 2, "write string slow", "string", "1.0.1"},
		{"getset", "write denyoom fast", 3, 1, 1, 1, "write string fast", "string", "1.0.0"},
		{"getdel", "write fast", 2, 1, 1, 1, "write string fast", "string", "6.2.0"},
		{"getex", "write fast", -2, 1, 1, 1, "write string fast", "string", "6.2.0"},
		{"delifeq", "write", 3, 1, 1, 1, "write string slow", "string", "9.0.0"},
		{"append", "write denyoom fast", 3, 1, 1, 1, "write string fast", "string", "2.0.0"},
		{"strlen", "readonly fast", 2, 1, 1, 1, "read string fast", "string", "2.2.0"},
		{"incr", "write denyoom fast", 2, 1, 1, 1, "write string fast", "string", "1.0.0"},
		{"decr", "write denyoom fast", 2, 1, 1, 1, "write string fast", "string", "1.0.0"},
		{"incrby", "write denyoom fast", 3, 1, 1, 1, "write string fast", "string", "1.0.0"},
		{"decrby", "write denyoom fast", 3, 1, 1, 1, "write string fast", "string", "1.0.0"},
		{"incrbyfloat", "write denyoom fast", 3, 1, 1, 1, "write string fast", "string", "2.6.0"},
		{"setrange", "write denyoom", 4, 1, 1, 1, "write string slow", "string", "2.2.0"},
		{"getrange", "readonly", 4, 1, 1, 1, "read string slow", "string", "2.4.0"},
		{"substr", "readonly", 4, 1, 1, 1, "read string slow", "string", "1.0.0"},
		{"lcs", "readonly", -3, 1, 2, 1, "read string slow", "string", "7.0.0"},
		{"setbit", "write denyoom", 4, 1, 1, 1, "write bitmap slow", "bitmap", "2.2.0"},
		{"getbit", "readonly fast", 3, 1, 1, 1, "read bitmap fast", "bitmap", "2.2.0"},
		{"bitcount", "readonly", -2, 1, 1, 1, "read bitmap slow", "bitmap", "2.6.0"},
		{"bitpos", "readonly", -3, 1, 1, 1, "read bitmap slow", "bitmap", "2.8.7"},
		{"bitop", "write denyoom", -4, 2, -1, 1, "write bitmap slow", "bitmap", "2.6.0"},
		{"bitfield", "write denyoom", -2, 1, 1, 1, "write bitmap slow", "bitmap", "3.2.0"},
		{"bitfield_ro", "readonly fast", -2, 1, 1, 1, "read bitmap fast", "bitmap", "6.0.0"},
	}
	table := command.NewTable()
	for _, w := range want {
		c := table.Lookup([]byte(strings.ToUpper(w.name)))
		if c == nil {
			t.Errorf("%s: missing", w.name)
			continue
		}
		got := []any{strings.Join(c.Flags.Names(), " "), c.Arity, c.FirstKey, c.LastKey, c.Step,
			strings.Join(c.ACL, " "), c.Group, c.Since}
		exp := []any{w.flags, w.arity, w.first, w.last, w.step, w.acl, w.group, w.since}
		if !reflect.DeepEqual(got, exp) {
			t.Errorf("%s: got %v, want %v", w.name, got, exp)
		}
		if c.Summary == "" || c.Complexity == "" || c.Handler == nil {
			t.Errorf("%s: summary, complexity or handler missing", w.name)
		}
	}
	// Key positions of the multi-key commands.
	for _, c := range []struct {
		argv []string
		want []int
	}{
		{[]string{"mset", "a", "1", "b", "2"}, []int{1, 3}},
		{[]string{"mget", "a", "b", "c"}, []int{1, 2, 3}},
		{[]string{"bitop", "and", "d", "a", "b"}, []int{2, 3, 4}},
		{[]string{"lcs", "a", "b", "idx"}, []int{1, 2}},
		{[]string{"set", "k", "v", "get"}, []int{1}},
	} {
		argv := make([][]byte, len(c.argv))
		for i, a := range c.argv {
			argv[i] = []byte(a)
		}
		if got := table.Lookup(argv[0]).KeyPositions(argv, nil); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v: keys %v, want %v", c.argv, got, c.want)
		}
	}
}
