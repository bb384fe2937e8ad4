package command

import (
	"strconv"
	"strings"
	"time"

	"github.com/shoal-db/shoal/internal/resp"
	"github.com/shoal-db/shoal/internal/types"
)

// Client flags for CLIENT REPLY. They live above the flags of client.go so
// the two sets never collide.
const (
	ClientReplyOff      = 1 << 40 // CLIENT REPLY OFF
	ClientReplySkipNext = 1 << 41 // CLIENT REPLY SKIP: skip the next command's reply
	ClientReplySkip     = 1 << 42 // the reply of the current command is dropped
	// ClientReplyOffNext turns replies off after the current command (a
	// slot migration import link answers ESTABLISH, then nothing).
	ClientReplyOffNext = 1 << 43
)

func clientCommand() *Command {
	base := FlagNoScript | FlagLoading | FlagStale
	conn := []string{"slow", "connection"}
	admin := []string{"admin", "slow", "dangerous", "connection"}
	sub := func(name string, arity int, flags Flags, acl []string, since, summary string, h func(*Ctx)) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, ACL: acl, Since: since,
			Complexity: "O(1)", Summary: summary, Handler: h}
	}
	list := sub("list", -2, base|FlagAdmin, admin, "2.4.0",
		"Lists open connections.", clientListCommand)
	list.Complexity = "O(N) where N is the number of client connections"
	list.Tips = []string{"nondeterministic_output"}
	kill := sub("kill", -3, base|FlagAdmin, admin, "2.4.0", "Terminates open connections.", clientKillCommand)
	kill.Complexity = "O(N) where N is the number of client connections"
	info := sub("info", 2, base, conn, "6.2.0", "Returns information about the connection.", clientInfoCommand)
	info.Tips = []string{"nondeterministic_output"}
	return container("client", "connection", "2.4.0", "A container for client connection commands.",
		sub("id", 2, base, conn, "5.0.0", "Returns the unique client ID of the connection.",
			func(c *Ctx) { c.W.Int(c.C.ID) }),
		info, list, kill,
		sub("setname", 3, base, conn, "2.6.9", "Sets the connection name.", clientSetNameCommand),
		sub("getname", 2, base, conn, "2.6.9", "Returns the name of the connection.", clientGetNameCommand),
		sub("setinfo", 4, base, conn, "7.2.0", "Sets information specific to the client or connection.",
			clientSetInfoCommand),
		sub("pause", -3, base|FlagAdmin, admin, "3.0.0",
			"Suspends commands processing.", clientPauseCommand),
		sub("unpause", 2, base|FlagAdmin, admin, "6.2.0", "Resumes processing commands from paused clients.",
			func(c *Ctx) { c.Node.Unpause(); c.W.OK() }),
		sub("no-evict", 3, base|FlagAdmin, admin, "7.0.0",
			"Sets the client eviction mode of the connection.", clientOnOffCommand(ClientNoEvict)),
		sub("no-touch", 3, base, conn, "7.2.0",
			"Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
			clientOnOffCommand(ClientNoTouch)),
		sub("reply", 3, base, conn, "3.2.0", "Instructs the server whether to reply to commands.",
			clientReplyCommand),
		clientUnblockSubcommand(),
		helpCommand("client", clientHelp),
	)
}

var clientHelp = []string{
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made from the specified address.",
	"    * LADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made to the specified local address.",
	"    * TYPE (NORMAL|PRIMARY|REPLICA|PUBSUB)",
	"      Kill connections by type.",
	"    * USER <username>",
	"      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)",
	"      Skip killing current connection (default: yes).",
	"    * ID <client-id> [<client-id>...]",
	"      Kill connections by client IDs.",
	"    * MAXAGE <maxage>",
	"      Kill connections older than the specified age.",
	"    * FLAGS <flags>",
	"      Kill connections that include the specified flags.",
	"    * NAME <client-name>",
	"      Kill connections with the specified name.",
	"    * IDLE <idle>",
	"      Kill connections with idle time greater than or equal to <idle> seconds.",
	"    * LIB-NAME <library-name>",
	"      Kill connections with the specified library name.",
	"    * LIB-VER <library-version>",
	"      Kill connections with the specified library version.",
	"    * DB <db-id>",
	"      Kill connections currently operating on the specified database ID.",
	"    * CAPA <capa>",
	"      Kill connections currently with the specified capa.",
	"    * IP <ip>",
	"      Kill connections made from the specified ip.",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|PRIMARY|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"    * USER <username>",
	"      Return clients authenticated by <username>.",
	"    * ADDR <ip:port>",
	"      Return clients connected from the specified address.",
	"    * LADDR <ip:port>",
	"      Return clients connected to the specified local address.",
	"    * ID <client-id> [<client-id>...]",
	"      Return clients with the specified IDs.",
	"    * SKIPME (YES|NO)",
	"      Exclude the current client from the list (default: no).",
	"    * MAXAGE <maxage>",
	"      List connections older than the specified age.",
	"    * FLAGS <flags>",
	"      Return clients with the specified flags.",
	"    * NAME <client-name>",
	"      Return clients with the specified name.",
	"    * IDLE <idle>",
	"      Return clients with idle time greater than or equal to <idle> seconds.",
	"    * LIB-NAME <lib-name>",
	"      Return clients with the specified lib name.",
	"    * LIB-VER <lib-version>",
	"      Return clients with the specified lib version.",
	"    * DB <db-id>",
	"      Return clients currently operating on the specified database ID.",
	"    * CAPA <capa>",
	"      Return connections currently with the specified capa.",
	"    * IP <ip>",
	"      Return connections made from the specified ip.",
	"UNPAUSE",
	"    Stop the current client pause, resuming traffic.",
	"PAUSE <timeout> [WRITE|ALL]",
	"    Suspend all, or just write, clients for <timeout> milliseconds.",
	"REPLY (ON|OFF|SKIP)",
	"    Control the replies sent to the current connection.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"SETINFO <option> <value>",
	"    Set client meta attr. Options are:",
	"    * LIB-NAME: the client lib name.",
	"    * LIB-VER: the client lib version.",
	"UNBLOCK <clientid> [TIMEOUT|ERROR]",
	"    Unblock the specified blocked client.",
	"NO-EVICT (ON|OFF)",
	"    Protect current client connection from eviction.",
	"NO-TOUCH (ON|OFF)",
	"    Will not touch LRU/LFU stats when this mode is on.",
}

// fdConn is implemented by connections that can report their socket's
// file descriptor for CLIENT LIST's fd= field.
type fdConn interface{ FD() int }

// appendClientInfo appends one CLIENT LIST line (without the newline) in
// Valkey's field order. c is the calling command, whose own client shows
// the running command and its argv memory, as in Valkey.
func appendClientInfo(dst []byte, cl *Client, ci *ClientInfo, c *Ctx) []byte {
	self := cl == c.C
	lastCmd, argvMem := ci.LastCmd, 0
	if self {
		lastCmd = c.Cmd.Name
		for _, a := range c.Argv {
			argvMem += len(a)
		}
	}
	if lastCmd == "" {
		lastCmd = "NULL"
	}
	fd := -1
	if f, ok := cl.Conn.(fdConn); ok {
		fd = f.FD()
	}
	multi := -1
	if ci.Flags&ClientMulti != 0 {
		multi = ci.MultiLen
	}
	const rbs = 16 << 10 // the reply writer's initial buffer
	num := func(field string, v int64) {
		dst = append(dst, ' ')
		dst = append(dst, field...)
		dst = append(dst, '=')
		dst = strconv.AppendInt(dst, v, 10)
	}
	str := func(field, v string) {
		dst = append(dst, ' ')
		dst = append(dst, field...)
		dst = append(dst, '=')
		dst = append(dst, v...)
	}
	dst = append(dst, "id="...)
	dst = strconv.AppendInt(dst, ci.ID, 10)
	str("addr", ci.Addr)
	str("laddr", ci.LocalAddr)
	num("fd", int64(fd))
	str("name", ci.Name)
	num("age", ci.AgeSec)
	num("idle", ci.IdleSec)
	str("flags", clientFlagLetters(ci.Flags))
	str("capa", "")
	num("db", int64(ci.DB))
	num("sub", ci.Subs)
	num("psub", ci.PSubs)
	num("ssub", ci.SSubs)
	num("multi", int64(multi))
	num("watch", int64(ci.WatchLen))
	num("qbuf", int64(ci.QBuf))
	num("qbuf-free", int64(ci.QBufFree))
	num("argv-mem", int64(argvMem))
	num("multi-mem", 0)
	num("rbs", rbs)
	num("rbp", rbs)
	num("obl", 0)
	num("oll", 0)
	num("omem", int64(ci.OBuf))
	num("tot-mem", int64(ci.QBuf+ci.QBufFree+ci.OBuf+argvMem)+rbs)
	str("events", "r")
	str("cmd", lastCmd)
	str("user", ci.User)
	num("redir", -1)
	num("resp", int64(ci.Proto))
	str("lib-name", ci.LibName)
	str("lib-ver", ci.LibVer)
	return dst
}

func clientInfoCommand(c *Ctx) {
	ci := c.C.Info(time.Now())
	line := appendClientInfo(nil, c.C, &ci, c)
	c.W.Verbatim("txt", string(append(line, '\n')))
}

func clientListCommand(c *Ctx) {
	var f *clientFilter
	switch {
	case len(c.Argv) > 3:
		f = newClientFilter(false)
		if !parseClientFilter(c, 2, f) {
			return
		}
	case len(c.Argv) != 2:
		c.Error(ErrSyntax)
		return
	}
	now := time.Now()
	var out []byte
	for _, cl := range c.Node.Clients.All() {
		ci := cl.Info(now)
		if f != nil && !f.matches(&ci, cl == c.C, now) {
			continue
		}
		out = appendClientInfo(out, cl, &ci, c)
		out = append(out, '\n')
	}
	c.W.Verbatim("txt", string(out))
}

// clientKillCommand implements both forms of CLIENT KILL: the old
// "CLIENT KILL addr", which may kill the caller and replies OK or an
// error, and the filter form, which skips the caller unless SKIPME NO and
// replies with the number of clients killed. The caller, when killed,
// gets its reply first and is closed after it.
func clientKillCommand(c *Ctx) {
	oldForm := len(c.Argv) == 3
	var f *clientFilter
	if oldForm {
		f = newClientFilter(false)
		addr := string(c.Argv[2])
		f.addr = &addr
	} else {
		f = newClientFilter(true)
		if !parseClientFilter(c, 2, f) {
			return
		}
	}
	now := time.Now()
	killed := 0
	for _, cl := range c.Node.Clients.All() {
		ci := cl.Info(now)
		if !f.matches(&ci, cl == c.C, now) {
			continue
		}
		killed++
		if cl == c.C {
			c.C.SetFlag(ClientCloseAfterReply, true)
			continue
		}
		cl.SetFlag(ClientCloseASAP, true)
		cl.Conn.Close()
	}
	if !oldForm {
		c.W.Int(int64(killed))
		return
	}
	if killed == 0 {
		c.Error(ErrNoSuchClient)
		return
	}
	c.W.OK()
}

func clientSetNameCommand(c *Ctx) {
	name := string(c.Argv[2])
	if !validClientName(name) {
		c.Error(ErrClientNameChars)
		return
	}
	c.C.SetName(name)
	c.W.OK()
}

func clientGetNameCommand(c *Ctx) {
	if name := c.C.Name(); name != "" {
		c.W.BulkString(name)
		return
	}
	c.W.Null()
}

func clientSetInfoCommand(c *Ctx) {
	attr, val := c.Argv[2], string(c.Argv[3])
	isName := strings.EqualFold(string(attr), "lib-name")
	if !isName && !strings.EqualFold(string(attr), "lib-ver") {
		c.Error(ErrSetinfoOption(attr))
		return
	}
	if !validClientName(val) {
		c.Error(ErrSetinfoChars(attr))
		return
	}
	if isName {
		c.C.SetLibInfo(&val, nil)
	} else {
		c.C.SetLibInfo(nil, &val)
	}
	c.W.OK()
}

// clientPauseCommand implements CLIENT PAUSE timeout [WRITE|ALL].
func clientPauseCommand(c *Ctx) {
	all := true
	switch {
	case len(c.Argv) == 4 && c.ArgIs(3, "write"):
		all = false
	case len(c.Argv) == 4 && !c.ArgIs(3, "all"):
		c.Error(ErrPauseMode)
		return
	}
	ms, ok := types.ParseInt(c.Argv[2])
	switch {
	case !ok:
		c.Error(ErrTimeout)
		return
	case ms < 0:
		c.Error(ErrTimeoutNegative)
		return
	case ms > (1<<63-1)-time.Now().UnixMilli():
		c.Error(ErrTimeoutOutOfRange)
		return
	}
	c.Node.Pause(time.Duration(min(ms, int64(1<<62)/int64(time.Millisecond)))*time.Millisecond, all)
	c.W.OK()
}

// clientOnOffCommand implements CLIENT NO-EVICT and CLIENT NO-TOUCH.
func clientOnOffCommand(flag int64) func(*Ctx) {
	return func(c *Ctx) {
		switch {
		case c.ArgIs(2, "on"):
			c.C.SetFlag(flag, true)
		case c.ArgIs(2, "off"):
			c.C.SetFlag(flag, false)
		default:
			c.Error(ErrSyntax)
			return
		}
		c.W.OK()
	}
}

// clientReplyCommand implements CLIENT REPLY ON|OFF|SKIP. OFF and SKIP
// send no reply; the suppression itself is applied by FilterReply.
func clientReplyCommand(c *Ctx) {
	switch {
	case c.ArgIs(2, "on"):
		c.C.SetFlag(ClientReplyOff|ClientReplySkip|ClientReplySkipNext, false)
		c.W.OK()
	case c.ArgIs(2, "off"):
		c.C.SetFlag(ClientReplyOff, true)
	case c.ArgIs(2, "skip"):
		if !c.C.Flag(ClientReplyOff) {
			c.C.SetFlag(ClientReplySkipNext, true)
		}
	default:
		c.Error(ErrSyntax)
	}
}

// FilterReply applies CLIENT REPLY OFF/SKIP after a command: it drops what
// the command wrote to w after mark when replies are off or skipped, and
// arms the skip requested by CLIENT REPLY SKIP for the next command. The
// network layer calls it after every Exec:
//
//	mark := w.Len(); node.Exec(c, w, argv); c.FilterReply(w, mark)
//
// Out-of-band pushes (pub/sub, MONITOR) are not affected.
func (c *Client) FilterReply(w *resp.Writer, mark int) {
	f := c.Flags()
	if f&(ClientReplyOff|ClientReplySkip|ClientReplySkipNext|ClientReplyOffNext) == 0 {
		return
	}
	if f&ClientReplyOffNext != 0 {
		c.SetFlag(ClientReplyOffNext, false)
		c.SetFlag(ClientReplyOff, true)
		return
	}
	if f&(ClientReplyOff|ClientReplySkip) != 0 {
		w.Truncate(mark)
	}
	c.SetFlag(ClientReplySkip, false)
	if f&ClientReplySkipNext != 0 {
		c.SetFlag(ClientReplySkipNext, false)
		c.SetFlag(ClientReplySkip, true)
	}
}
