package command

import (
	"strconv"
	"strings"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/migration"
	"github.com/shoal-db/shoal/internal/resp"
)

// CLUSTER SYNCSLOTS: the link protocol of atomic slot migration (spec
// §1.5). The source sends ESTABLISH on a connection it opened to the
// target; from then on that connection is an import link: its commands
// skip routing and are applied to the staging area, its replies are off,
// and the target talks back with CLUSTER SYNCSLOTS pushes.

func clusterSyncSlots(c *Ctx) {
	sub := strings.ToUpper(c.Arg(2))
	switch sub {
	case "ESTABLISH":
		syncSlotsEstablish(c)
	case "ACK", "SNAPSHOT-EOF", "PAUSED", "FAILOVER-GRANTED":
		l := c.C.importLink
		if l == nil {
			c.Error(ErrSyncSlotsLinkOnly(sub))
			return
		}
		if !l.Control(sub) {
			c.C.Conn.Close() // out of order: drop the link
		}
	case "REQUEST-PAUSE", "REQUEST-FAILOVER", "CLAIMED":
		// Target-to-source messages travel as pushes on the source's
		// own link, never as commands.
		c.Error(ErrSyncSlotsLinkOnly(sub))
	case "FINISH":
		syncSlotsFinish(c)
	case "CAPA":
		c.W.OK()
	default:
		if l := c.C.importLink; l != nil {
			l.Fail(migration.MsgUnknownSyncSlot)
		}
		c.Error(ErrSyntax)
	}
}

// syncSlotsEstablish parses ESTABLISH SOURCE id NAME name SLOTSRANGE ...
// (keys in any order) and turns the connection into an import link. On a
// replica the same command arrives from the primary and starts tracking.
func syncSlotsEstablish(c *Ctx) {
	source, name, ranges, size, msg := parseEstablish(c.Argv[3:])
	if msg != "" {
		c.Error(msg)
		return
	}
	m := c.Node.Migrations
	if c.C.Flag(ClientPrimary) {
		m.Track(name, ranges, c.Argv)
		return
	}
	if c.C.importLink != nil {
		c.Error(ErrSyntax)
		return
	}
	conn := c.C.Conn
	pushFn := conn.Push
	if pn, ok := conn.(pushNower); ok {
		pushFn = pn.PushNow
	}
	push := func(sub ...string) {
		pushFn(func(w *resp.Writer) {
			w.ArrayLen(2 + len(sub))
			w.BulkString("CLUSTER")
			w.BulkString("SYNCSLOTS")
			for _, a := range sub {
				w.BulkString(a)
			}
		})
	}
	// Slots this node lost not long ago: their old keys go first.
	for _, s := range migration.Slots(ranges) {
		c.awaitSlotDropped(s)
	}
	// The import's staging opens with ESTABLISH propagated to the
	// replicas, as one step (migration.Manager.Establish).
	l, err := m.Establish(source, name, ranges, size, c.Argv, push, conn.Close)
	if err != nil {
		c.Error(migrationErrorText(err))
		return
	}
	c.C.importLink = l
	if rs, ok := conn.(readBufferSetter); ok {
		rs.SetReadBuffer(importReadBuffer)
	}
	c.W.OK()
	// Pushes to the source (ACK, REQUEST-PAUSE...) follow the +OK on the
	// connection's asynchronous output; nothing else is answered.
	conn.Sync(c.W)
	c.C.SetFlag(ClientReplyOffNext, true)
}

// importReadBuffer is the input buffer of an import link: the source
// sends in 256 KiB blocks, and a read per block instead of per 16 KiB
// value takes most of the read system calls off the target.
const importReadBuffer = 256 << 10

// pushNower is a connection that can write a push on the caller's
// goroutine (the server's client connections): the import link's
// messages to the source are part of the hand-over's write pause.
type pushNower interface {
	PushNow(encode func(w *resp.Writer))
}

// readBufferSetter is a connection whose input buffer can grow (the
// server's client connections).
type readBufferSetter interface{ SetReadBuffer(n int) }

func parseEstablish(args [][]byte) (source, name string, ranges []migration.Range, size int64, msg string) {
	seen := map[string]bool{}
	for len(args) > 0 {
		key := strings.ToUpper(string(args[0]))
		if seen[key] {
			return "", "", nil, 0, ErrSyntax
		}
		seen[key] = true
		switch key {
		case "SOURCE", "NAME":
			if len(args) < 2 || len(args[1]) != cluster.IDLen {
				return "", "", nil, 0, ErrSyntax
			}
			if key == "SOURCE" {
				source = string(args[1])
			} else {
				name = string(args[1])
			}
			args = args[2:]
		case "SIZE": // Shoal: bytes the source will send (pre-flight)
			if len(args) < 2 {
				return "", "", nil, 0, ErrSyntax
			}
			n, err := strconv.ParseInt(string(args[1]), 10, 64)
			if err != nil || n < 0 {
				return "", "", nil, 0, ErrSyntax
			}
			size, args = n, args[2:]
		case "SLOTSRANGE":
			rs, used, m := parseSlotRanges(args[1:])
			if m != "" {
				return "", "", nil, 0, m
			}
			ranges = rs
			args = args[1+used:]
		default:
			return "", "", nil, 0, ErrSyntax
		}
	}
	if source == "" || name == "" || ranges == nil {
		return "", "", nil, 0, ErrSyntax
	}
	return source, name, ranges, size, ""
}

// syncSlotsFinish is FINISH STATE success|failed NAME name [MESSAGE m]:
// the target primary tells its replicas how an import ended.
func syncSlotsFinish(c *Ctx) {
	args := c.Argv[3:]
	var state, name, message string
	for len(args) >= 2 {
		switch strings.ToUpper(string(args[0])) {
		case "STATE":
			state = strings.ToLower(string(args[1]))
		case "NAME":
			name = string(args[1])
		case "MESSAGE":
			message = string(args[1])
		default:
			c.Error(ErrSyntax)
			return
		}
		args = args[2:]
	}
	if len(args) != 0 || name == "" || (state != "success" && state != "failed") {
		c.Error(ErrSyntax)
		return
	}
	if err := c.Node.Migrations.Finish(name, state == "success", message); err != nil {
		c.Error(migrationErrorText(err))
		return
	}
	c.W.OK()
}

// staging reports whether a command on slots is applied to the staging
// area of an atomic slot migration: every command of an import link, and
// on a replica of the target, the primary's commands for slots its
// primary is importing (they arrive after the replicated ESTABLISH).
func (n *Node) staging(c *Client, slots []int) bool {
	if c.importLink != nil {
		return true
	}
	return len(slots) > 0 && c.Flag(ClientPrimary) && n.KS.Staging(slots[0])
}

// importLinkLive reports, under the command's slot locks, whether a
// command of c's import link may still be applied: the import has not
// ended and its slots are still staged. Once an import fails its staged
// tables are dropped slot by slot under these locks, but the link may
// still carry commands read before the source saw the failure; applied,
// they would build new staged tables that nothing ever drops.
func (n *Node) importLinkLive(c *Client, slots []int) bool {
	if !c.importLink.Live() {
		return false
	}
	if n.Cluster.Routes().Replica {
		// Demoted (a failover of the target shard) before the manager
		// noticed: the data now follows the new primary's stream, and a
		// write applied here would move this node's offset past it (its
		// PSYNC would then need a full sync). Closing the link lets the
		// manager turn the import into a tracking entry.
		return false
	}
	for _, s := range slots {
		if !n.KS.Staging(s) {
			return false
		}
	}
	return true
}
