package command

import (
	"strings"
	"testing"
)

// walkTable calls fn for every command and subcommand of t.
func walkTable(t *Table, fn func(cmd *Command)) {
	var walk func([]*Command)
	walk = func(cmds []*Command) {
		for _, c := range cmds {
			fn(c)
			walk(sortedSubcommands(c))
		}
	}
	walk(t.All())
}

// TestCommandTableWellFormed checks every entry of the command table, of
// every family: a handler, an arity, a lower-case name, key positions the
// dispatcher can use, known ACL categories and documentation.
func TestCommandTableWellFormed(t *testing.T) {
	tbl := NewTable()
	n := 0
	walkTable(tbl, func(c *Command) {
		n++
		name := c.Name
		if name == "" || name != strings.ToLower(name) || strings.ContainsAny(name, " \t\r\n") {
			t.Errorf("%q: name must be lower case without spaces", name)
		}
		if c.Handler == nil && len(c.Subcommands) == 0 {
			t.Errorf("%s: no handler", name)
		}
		if c.Arity == 0 {
			t.Errorf("%s: arity 0", name)
		}
		if c.Parent != nil {
			if !strings.HasPrefix(name, c.Parent.Name+"|") || c.Parent.Subcommands[strings.TrimPrefix(name, c.Parent.Name+"|")] != c {
				t.Errorf("%s: not registered as %s's subcommand", name, c.Parent.Name)
			}
			if c.Arity > 0 && c.Arity < 2 || c.Arity < 0 && c.Arity > -2 {
				t.Errorf("%s: a subcommand's arity counts the command and subcommand names", name)
			}
		} else if strings.Contains(name, "|") {
			t.Errorf("%s: top-level name with '|'", name)
		}
		if c.Flags&FlagWrite != 0 && c.Flags&FlagReadonly != 0 {
			t.Errorf("%s: both write and readonly", name)
		}
		checkKeySpec(t, c)
		for _, a := range c.ACL {
			if aclCategoryIndex(a) < 0 {
				t.Errorf("%s: unknown ACL category %q", name, a)
			}
		}
		if len(commandACL(c)) == 0 {
			t.Errorf("%s: no ACL categories", name)
		}
		group := c.Group
		if group == "" && c.Parent != nil {
			group = c.Parent.Group
		}
		if group == "" || c.Since == "" || c.Summary == "" {
			t.Errorf("%s: missing group, since or summary (COMMAND DOCS)", name)
		}
	})
	if n < 20 {
		t.Fatalf("only %d commands in the table", n)
	}
}

func checkKeySpec(t *testing.T, c *Command) {
	t.Helper()
	name := c.Name
	switch {
	case c.FirstKey < 0:
		t.Errorf("%s: negative first key", name)
	case c.FirstKey == 0 && (c.LastKey != 0 || c.Step != 0):
		t.Errorf("%s: last key/step without a first key", name)
	case c.FirstKey > 0 && (c.Step < 1 || c.LastKey == 0):
		t.Errorf("%s: first key %d with last %d step %d", name, c.FirstKey, c.LastKey, c.Step)
	case c.FirstKey > 0 && c.LastKey > 0 && c.LastKey < c.FirstKey:
		t.Errorf("%s: last key before first key", name)
	case c.Arity > 0 && (c.FirstKey >= c.Arity || c.LastKey >= c.Arity):
		t.Errorf("%s: key positions beyond arity %d", name, c.Arity)
	case c.Arity < 0 && c.FirstKey >= -c.Arity && c.LastKey >= 0:
		// Variadic commands whose keys are optional (SUNSUBSCRIBE with
		// no channel) declare last=-1, as in Valkey's table.
		t.Errorf("%s: first key %d beyond minimum arity %d", name, c.FirstKey, c.Arity)
	}
	// Positions extracted from plausible argument vectors stay inside argv
	// and never name the command itself.
	for extra := 0; extra < 6; extra++ {
		argc := c.Arity
		if argc < 0 {
			argc = -argc + extra
		} else if extra > 0 {
			break
		}
		argv := make([][]byte, argc)
		for i := range argv {
			argv[i] = []byte("arg")
		}
		argv[0] = []byte(name)
		if c.Parent != nil {
			argv[0] = []byte(c.Parent.Name)
			argv[1] = []byte(strings.TrimPrefix(name, c.Parent.Name+"|"))
		}
		for _, p := range c.KeyPositions(argv, nil) {
			if p <= 0 || p >= len(argv) {
				t.Errorf("%s: key position %d for argc %d", name, p, argc)
			}
		}
	}
}

func TestCommandACLOrder(t *testing.T) {
	c := &Command{Name: "x", Flags: FlagWrite | FlagDenyOOM, ACL: []string{"string"}}
	if got := strings.Join(commandACL(c), " "); got != "write string slow" {
		t.Errorf("ACL = %q", got)
	}
	c = &Command{Name: "y", Flags: FlagAdmin | FlagFast, ACL: []string{"connection"}}
	if got := strings.Join(commandACL(c), " "); got != "admin fast dangerous connection" {
		t.Errorf("ACL = %q", got)
	}
}
