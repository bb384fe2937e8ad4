package command

import (
	"github.com/shoal-db/shoal/internal/types"
)

func connectionCommands() []*Command {
	conn := []string{"fast", "connection"}
	return []*Command{
		{Name: "ping", Arity: -1, Flags: FlagFast | FlagStale | FlagLoading | FlagAllowedInSubscribe,
			ACL: conn, Group: "connection", Since: "1.0.0", Summary: "Returns the server's liveliness response.",
			Handler: pingCommand},
		{Name: "echo", Arity: 2, Flags: FlagFast | FlagStale | FlagLoading, ACL: conn, Group: "connection",
			Since: "1.0.0", Summary: "Returns the given string.", Handler: func(c *Ctx) { c.W.Bulk(c.Argv[1]) }},
		{Name: "quit", Arity: -1, Flags: FlagAllowBusy | FlagNoAuth | FlagFast | FlagStale | FlagLoading | FlagAllowedInSubscribe,
			ACL: conn, Group: "connection", Since: "1.0.0", Summary: "Closes the connection.",
			Handler: func(c *Ctx) { c.W.OK(); c.C.SetFlag(ClientCloseAfterReply, true) }},
		{Name: "reset", Arity: 1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagNoAuth | FlagFast | FlagAllowBusy | FlagAllowedInSubscribe,
			ACL: conn, Group: "connection", Since: "6.2.0", Summary: "Resets the connection.", Handler: resetCommand},
		{Name: "auth", Arity: -2, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagNoAuth | FlagAllowBusy,
			ACL: conn, Group: "connection", Since: "1.0.0", Summary: "Authenticates the connection.", Handler: authCommand},
		{Name: "hello", Arity: -1, Flags: FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagNoAuth | FlagAllowBusy,
			ACL: conn, Group: "connection", Since: "6.0.0", Summary: "Handshakes with the server.", Handler: helloCommand},
		{Name: "select", Arity: 2, Flags: FlagLoading | FlagStale | FlagFast, ACL: conn, Group: "connection",
			Since: "1.0.0", Summary: "Changes the selected database.", Handler: selectCommand},
	}
}

func pingCommand(c *Ctx) {
	if len(c.Argv) > 2 {
		c.WrongArgs()
		return
	}
	if c.C.Proto() == 2 && c.C.InSubscribeMode() {
		// RESP2 subscribers get PING as a pub/sub-shaped array.
		c.W.ArrayLen(2)
		c.W.BulkString("pong")
		if len(c.Argv) == 2 {
			c.W.Bulk(c.Argv[1])
		} else {
			c.W.BulkString("")
		}
		return
	}
	if len(c.Argv) == 2 {
		c.W.Bulk(c.Argv[1])
		return
	}
	c.W.Simple("PONG")
}

func resetCommand(c *Ctx) {
	cl := c.C
	cl.ResetTransaction(c.Node)
	c.Node.resetClientState(cl)
	cl.SetDB(0)
	c.Tx.Select(0)
	cl.SetProto(2)
	c.W.Proto = 2
	cl.SetName("")
	cl.Authenticated = c.Node.RequirePass() == ""
	cl.SetFlag(ClientNoEvict|ClientNoTouch|ClientReadonly|ClientAsking, false)
	c.W.Simple("RESET")
}

// resetClientState drops subscriptions and MONITOR (RESET, disconnect).
func (n *Node) resetClientState(c *Client) {
	n.Monitors.Remove(c)
	c.SetFlag(ClientMonitor, false)
	n.unsubscribeAll(c)
}

// checkAuth verifies credentials for the default user; user "" means the
// one-argument AUTH form.
func (n *Node) checkAuth(user, pass string) (ok bool, errMsg string) {
	required := n.RequirePass()
	if user == "" && required == "" {
		return false, ErrNoPassword
	}
	if (user == "" || user == "default") && (required == "" || pass == required) {
		return true, ""
	}
	return false, ErrWrongPass
}

func authCommand(c *Ctx) {
	var user, pass string
	switch len(c.Argv) {
	case 2:
		pass = c.Arg(1)
	case 3:
		user, pass = c.Arg(1), c.Arg(2)
	default:
		c.Error(ErrSyntax)
		return
	}
	ok, msg := c.Node.checkAuth(user, pass)
	if !ok {
		c.Error(msg)
		return
	}
	c.C.Authenticated = true
	c.W.OK()
}

func helloCommand(c *Ctx) {
	proto := c.C.Proto()
	i := 1
	if len(c.Argv) > 1 {
		v, ok := types.ParseInt(c.Argv[1])
		if !ok {
			c.Error("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			c.Error("NOPROTO unsupported protocol version")
			return
		}
		proto = int(v)
		i = 2
	}
	var setName *string
	for ; i < len(c.Argv); i++ {
		more := len(c.Argv) - i - 1
		switch {
		case c.ArgIs(i, "AUTH") && more >= 2:
			ok, msg := c.Node.checkAuth(c.Arg(i+1), c.Arg(i+2))
			if !ok {
				c.Error(msg)
				return
			}
			c.C.Authenticated = true
			i += 2
		case c.ArgIs(i, "SETNAME") && more >= 1:
			name := c.Arg(i + 1)
			if !validClientName(name) {
				c.Error("ERR Client names cannot contain spaces, newlines or special characters.")
				return
			}
			setName = &name
			i++
		default:
			c.Error("ERR Syntax error in HELLO option '" + c.Arg(i) + "'")
			return
		}
	}
	if !c.C.Authenticated && c.Node.RequirePass() != "" {
		c.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if setName != nil {
		c.C.SetName(*setName)
	}
	c.C.SetProto(proto)
	c.W.Proto = proto
	c.W.MapLen(7)
	c.W.BulkString("server")
	c.W.BulkString("valkey")
	c.W.BulkString("version")
	c.W.BulkString(Version)
	c.W.BulkString("proto")
	c.W.Int(int64(proto))
	c.W.BulkString("id")
	c.W.Int(c.C.ID)
	c.W.BulkString("mode")
	c.W.BulkString(c.Node.Mode())
	c.W.BulkString("role")
	c.W.BulkString("master")
	c.W.BulkString("modules")
	c.W.ArrayLen(0)
}

// validClientName reports whether a name has only printable non-space
// ASCII characters, as CLIENT SETNAME requires.
func validClientName(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '!' || s[i] > '~' {
			return false
		}
	}
	return true
}

func selectCommand(c *Ctx) {
	n, ok := types.ParseInt(c.Argv[1])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if n < 0 || n >= int64(c.Node.KS.NumDBs()) {
		c.Error(ErrDBIndex)
		return
	}
	c.C.SetDB(int(n))
	c.Tx.Select(int(n))
	c.W.OK()
}

// Version is the Valkey version Shoal reports to clients (HELLO, INFO), so
// that tools gating features on the server version enable what we support.
const Version = "9.0.0"

// Mode is "standalone" or "cluster".
func (n *Node) Mode() string {
	if n.ClusterEnabled {
		return "cluster"
	}
	return "standalone"
}
