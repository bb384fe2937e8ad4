package command

import (
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

func debugCommand() *Command {
	return &Command{Name: "debug", Arity: -2, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale,
		Keys: debugKeys, ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Since: "1.0.0",
		Complexity: "Depends on subcommand.", Summary: "A container for debugging commands.",
		Handler: debugHandler}
}

// debugKeys names the key of DEBUG OBJECT so the dispatcher locks its slot.
func debugKeys(argv [][]byte, dst []int) []int {
	if len(argv) == 3 && strings.EqualFold(string(argv[1]), "object") {
		dst = append(dst, 2)
	}
	return dst
}

var debugHelp = []string{
	"CHANGE-REPL-ID",
	"    Change the replication IDs of the instance.",
	"    Dangerous: should be used only for testing the replication subsystem.",
	"ERROR <string>",
	"    Return a Valkey protocol error with <string> as message. Useful for clients",
	"    unit tests to simulate Valkey errors.",
	"LOG <message>",
	"    Write <message> to the server log.",
	"OBJECT <key>",
	"    Show low level info about `key` and associated value.",
	"SET-ACTIVE-EXPIRE <0|1>",
	"    Setting it to 0 disables expiring keys in background when they are not",
	"    accessed (otherwise the Valkey behavior). Setting it to 1 reenables back the",
	"    default.",
	"SLEEP <seconds>",
	"    Stop the server for <seconds>. Decimals allowed.",
}

// debugAllowed applies enable-debug-command: "no" refuses DEBUG, "local"
// allows it from loopback connections only. When the setting does not
// exist DEBUG is allowed.
func debugAllowed(c *Ctx) bool {
	v, ok := c.Node.Config.Get("enable-debug-command")
	switch {
	case !ok || strings.EqualFold(v, "yes"):
		return true
	case strings.EqualFold(v, "local"):
		host, _, err := net.SplitHostPort(c.C.Addr)
		ip := net.ParseIP(host)
		return err == nil && ip != nil && ip.IsLoopback()
	}
	return false
}

func debugHandler(c *Ctx) {
	if !debugAllowed(c) {
		c.Error(ErrDebugDisabled)
		return
	}
	sub := strings.ToLower(string(c.Argv[1]))
	argc := len(c.Argv)
	switch {
	case sub == "help" && argc == 2:
		replyHelp(c, "debug", debugHelp)
	case sub == "sleep" && argc == 3:
		secs, _ := types.ParseFloat(c.Argv[2])
		if secs > 0 {
			time.Sleep(time.Duration(secs * float64(time.Second)))
		}
		c.W.OK()
	case sub == "object" && argc == 3:
		debugObject(c)
	case sub == "set-active-expire" && argc == 3:
		n, _ := types.ParseInt(c.Argv[2])
		c.Node.admin.activeExpireOff.Store(n == 0)
		c.W.OK()
	case sub == "error" && argc == 3:
		c.Error(string(c.Argv[2]))
	case sub == "log" && argc == 3:
		slog.Warn("DEBUG LOG: " + string(c.Argv[2]))
		c.W.OK()
	case sub == "slotmigration" && argc == 4 && c.Node.Migrations != nil:
		debugSlotMigration(c)
	case sub == "change-repl-id" && argc == 2:
		c.Node.admin.init()
		c.Node.admin.newReplID()
		if c.Node.Repl != nil {
			c.Node.Repl.ChangeReplID()
		}
		c.W.OK()
	default:
		c.Error(ErrSubcommandSyntax("debug", c.Argv[1]))
	}
}

// debugObject implements DEBUG OBJECT key in Valkey's format.
func debugObject(c *Ctx) {
	e := c.Tx.Lookup(c.Argv[2], keyspace.NoTouch|keyspace.NoStats)
	if e == nil {
		c.Error(ErrNoSuchKey)
		return
	}
	now := c.Now()
	idle, freq := c.Node.KS.AccessInfo(e, now)
	lru := (now/1000 - idle) & (1<<24 - 1)
	if c.Node.KS.LFUMode() {
		lru, idle = freq, 0
	}
	c.W.Simple(fmt.Sprintf("Value at:%p refcount:1 encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d",
		e, e.Encoding(), serializedLength(e), lru, idle))
}

// serializedLength estimates the value's size in an RDB dump (DEBUG
// OBJECT's serializedlength): for strings the RDB encoding without LZF
// compression, for collections the value's memory estimate.
func serializedLength(e *keyspace.Entry) int64 {
	if e.Obj != nil {
		return e.Obj.MemUsage()
	}
	if n, ok := types.ParseInt(e.Str); ok && len(e.Str) <= 11 {
		switch {
		case n >= -(1<<7) && n < 1<<7:
			return 2
		case n >= -(1<<15) && n < 1<<15:
			return 3
		case n >= -(1<<31) && n < 1<<31:
			return 5
		}
	}
	return rdbLenSize(len(e.Str)) + int64(len(e.Str))
}

// rdbLenSize is the size of an RDB length prefix.
func rdbLenSize(n int) int64 {
	switch {
	case n < 1<<6:
		return 1
	case n < 1<<14:
		return 2
	case n <= 1<<32-1:
		return 5
	}
	return 9
}
