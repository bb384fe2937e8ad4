package command

import (
	"bytes"
	"net"
	"strconv"
	"time"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// migrateCommands are MIGRATE and RESTORE-ASKING, the two halves of
// legacy (key by key) slot migration as redis-cli --cluster drives it.
func migrateCommands() []*Command {
	return []*Command{
		{Name: "migrate", Arity: -6, Flags: FlagWrite, FirstKey: 3, LastKey: 3, Step: 1, Keys: migrateKeys,
			ACL: []string{"keyspace", "write", "slow", "dangerous"}, Tips: []string{"nondeterministic_output"},
			Group: "generic", Since: "2.6.0", Summary: "Atomically transfers a key from one instance to another.",
			Complexity: "This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the " +
				"target instance. See the pages of these commands for time complexity. Also an O(N) data " +
				"transfer between the two instances is performed.",
			Handler: migrateCommand},
		// RESTORE with the asking flag: the target of a migration accepts
		// it for a slot it is importing without a preceding ASKING.
		{Name: "restore-asking", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagAsking, FirstKey: 1, LastKey: 1,
			Step: 1, ACL: []string{"keyspace", "write", "slow", "dangerous"}, Group: "server", Since: "3.0.0",
			Summary: "An internal command for migrating keys in a cluster.",
			Complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, " +
				"where N is the number of Valkey objects composing the value and M their average size.",
			Handler: restoreCommand},
	}
}

// migrateKeys is Valkey's migrateGetKeys: the key argument, or the
// arguments after KEYS (none when the key argument is not empty then).
func migrateKeys(argv [][]byte, dst []int) []int {
	first, num := 3, 1
scan:
	for i := 6; i < len(argv); i++ {
		switch {
		case bytes.EqualFold(argv[i], []byte("keys")):
			if len(argv[3]) > 0 {
				return dst
			}
			first, num = i+1, len(argv)-i-1
			break scan
		case bytes.EqualFold(argv[i], []byte("auth")):
			i++
		case bytes.EqualFold(argv[i], []byte("auth2")):
			i += 2
		}
	}
	for j := first; j < first+num && j < len(argv); j++ {
		dst = append(dst, j)
	}
	return dst
}

// migrateArgs is a parsed MIGRATE.
type migrateArgs struct {
	host, port     string
	db             int64
	timeout        time.Duration
	copy, replace  bool
	user, password string
	auth           bool
	keys           [][]byte
}

// migrateParse checks MIGRATE's arguments in Valkey's order: options,
// then timeout, then the database.
func migrateParse(c *Ctx) (migrateArgs, bool) {
	a := migrateArgs{host: c.Arg(1), port: c.Arg(2)}
	first, num := 3, 1
	var redact []int
	for j := 6; j < len(c.Argv); j++ {
		more := len(c.Argv) - 1 - j
		switch {
		case c.ArgIs(j, "copy"):
			a.copy = true
		case c.ArgIs(j, "replace"):
			a.replace = true
		case c.ArgIs(j, "auth") && more >= 1:
			j++
			a.auth, a.password = true, c.Arg(j)
			redact = append(redact, j)
		case c.ArgIs(j, "auth2") && more >= 2:
			a.auth, a.user, a.password = true, c.Arg(j+1), c.Arg(j+2)
			redact = append(redact, j+1, j+2)
			j += 2
		case c.ArgIs(j, "keys"):
			if len(c.Argv[3]) != 0 {
				c.Error(ErrMigrateKeysNotEmpty)
				return a, false
			}
			first, num = j+1, len(c.Argv)-j-1
			j = len(c.Argv)
		default:
			c.Error(ErrSyntax)
			return a, false
		}
	}
	if len(redact) > 0 {
		argv := append([][]byte(nil), c.Argv...)
		for _, j := range redact {
			argv[j] = []byte("(redacted)") // what SLOWLOG and MONITOR show
		}
		c.Argv = argv
	}
	timeout, ok := c.Int(5)
	if !ok {
		return a, false
	}
	if a.db, ok = c.Int(4); !ok {
		return a, false
	}
	if timeout <= 0 {
		timeout = 1000
	}
	a.timeout = time.Duration(min(timeout, int64(1)<<40)) * time.Millisecond
	a.keys = c.Argv[first : first+num]
	return a, true
}

// migrateItem is one key to send, with its value's payload.
type migrateItem struct {
	key []byte
	ttl int64 // relative, ms; 0 for none
	// The value, encoded as a DUMP payload straight into the request
	// (migrateRequest); valid while the command holds the key's slot lock.
	str []byte
	obj types.Object
}

// migrateCommand is MIGRATE host port key|"" destination-db timeout [COPY]
// [REPLACE] [AUTH password | AUTH2 username password] [KEYS key ...].
//
// The dispatcher holds the slot locks of every key named for the whole
// command, network round trip included: between DUMP and DEL no client
// can read or write a migrating key on this node, so the key is on exactly
// one side at every instant as clients see it (the target only serves it to
// clients this node redirected with -ASK once the key is gone here). Other
// slots keep serving.
func migrateCommand(c *Ctx) {
	a, ok := migrateParse(c)
	if !ok {
		return
	}
	items := make([]migrateItem, 0, len(a.keys))
	for _, k := range a.keys {
		if e := c.Tx.Lookup(k, 0); e != nil {
			if _, ok := e.Obj.(types.Dumpable); e.Obj != nil && !ok {
				c.Error(ErrKeysDumpUnsupported)
				return
			}
			items = append(items, migrateItem{key: k, str: e.Str, obj: e.Obj})
		}
	}
	if len(items) == 0 {
		c.W.Simple("NOKEY")
		return
	}
	// Relative TTLs, at least 1 ms. Valkey re-checks expiry here because
	// its clock moves while it serializes; the command's clock is fixed,
	// so a key found live is never already expired, but the check stays.
	live := items[:0]
	for _, it := range items {
		if at := c.Tx.TTL(it.key); at != -1 {
			it.ttl = at - c.Now()
			if it.ttl < 0 {
				continue
			}
			it.ttl = max(it.ttl, 1)
		}
		live = append(live, it)
	}
	c.Node.migrateTransfer(c, &a, live)
}

// migrateRequest appends to b [AUTH] [SELECT] and one RESTORE(-ASKING)
// per item, each value encoded in scratch first; it returns both buffers
// for reuse. A payload and a request allocated per call were garbage the
// size of the data moved: on a big rebalance the heap grew by it between
// collections and every new page cost a fault.
func migrateRequest(a *migrateArgs, items []migrateItem, selectDB, cluster bool, b, scratch []byte) ([]byte, []byte) {
	if a.auth {
		if a.user != "" {
			b = migrateAppendArgs(b, []byte("AUTH"), []byte(a.user), []byte(a.password))
		} else {
			b = migrateAppendArgs(b, []byte("AUTH"), []byte(a.password))
		}
	}
	if selectDB {
		b = migrateAppendArgs(b, []byte("SELECT"), strconv.AppendInt(nil, a.db, 10))
	}
	name := []byte("RESTORE")
	if cluster {
		name = []byte("RESTORE-ASKING")
	}
	var ttl [20]byte
	for _, it := range items {
		// Dumpable was checked by migrateCommand: no error here.
		scratch, _ = types.AppendDump(scratch[:0], it.str, it.obj)
		t := strconv.AppendInt(ttl[:0], it.ttl, 10)
		if a.replace {
			b = migrateAppendArgs(b, name, it.key, t, scratch, []byte("REPLACE"))
		} else {
			b = migrateAppendArgs(b, name, it.key, t, scratch)
		}
	}
	return b, scratch
}

func migrateAppendArgs(b []byte, args ...[]byte) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, '\r', '\n')
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}

// migrateAttempt is the outcome of one exchange with the target.
type migrateAttempt struct {
	sockErr  bool // the connection failed (or could not be opened)
	writeErr bool // ... while writing
	timeout  bool // ... on a deadline: no retry
	acked    int  // RESTORE replies read before a failure
	replied  bool // the client already has its answer (a target error)
}

// migrateTransfer sends the items and deletes each key the target
// acknowledged (unless COPY), retrying once on a fresh connection when a
// cached one turns out dead before anything was acknowledged, as Valkey.
func (n *Node) migrateTransfer(c *Ctx, a *migrateArgs, items []migrateItem) {
	name := a.host + ":" + a.port
	addr := net.JoinHostPort(a.host, a.port)
	for retry := true; ; retry = false {
		mc, err := n.migrate.checkout(name, addr, a.timeout)
		var res migrateAttempt
		if err != nil {
			if de, ok := err.(*migrateDialError); ok && de.addr {
				c.Error(ErrMigrateConnect)
				return
			}
			// Valkey's blocking connect does not notice a refused or
			// timed-out connection; its first write fails instead.
			res = migrateAttempt{sockErr: true, writeErr: true, timeout: migrateTimedOut(err)}
		} else {
			res = n.migrateExchange(c, a, mc, items)
		}
		if res.replied {
			return
		}
		if !res.sockErr {
			c.W.OK()
			return
		}
		if retry && res.acked == 0 && !res.timeout {
			continue
		}
		if res.writeErr {
			c.Error(ErrMigrateWrite)
		} else {
			c.Error(ErrMigrateRead)
		}
		return
	}
}

// migrateExchange runs one request/replies round trip on mc and checks mc
// back in or discards it.
func (n *Node) migrateExchange(c *Ctx, a *migrateArgs, mc *migrateConn, items []migrateItem) migrateAttempt {
	selectDB := mc.lastDB != a.db
	mc.req, mc.scratch = migrateRequest(a, items, selectDB, n.ClusterEnabled, mc.req[:0], mc.scratch[:0])
	err := mc.writeAll(mc.req)
	mc.trimBuffers()
	if err != nil {
		n.migrate.discard(mc)
		return migrateAttempt{sockErr: true, writeErr: true, timeout: migrateTimedOut(err)}
	}
	var pre []string // AUTH and SELECT replies
	for range btoi(a.auth) + btoi(selectDB) {
		line, err := mc.readLine()
		if err != nil {
			n.migrate.discard(mc)
			return migrateAttempt{sockErr: true, timeout: migrateTimedOut(err)}
		}
		pre = append(pre, line)
	}
	preErr := ""
	for _, l := range pre {
		if l[0] == '-' {
			preErr = l
			break
		}
	}
	var res migrateAttempt
	del := [][]byte{[]byte("DEL")}
	for _, it := range items {
		line, err := mc.readLine()
		if err != nil {
			res.sockErr, res.timeout = true, migrateTimedOut(err)
			break
		}
		res.acked++
		if errLine := migrateFirstError(preErr, line); errLine != "" {
			if !res.replied {
				mc.lastDB = -1
				res.replied = true
				c.Error(ErrMigrateTarget(errLine[1:]))
			}
			continue
		}
		if !a.copy {
			c.Tx.Delete(it.key)
			c.Tx.Notify(keyspace.NotifyGeneric, "del", it.key)
			del = append(del, it.key)
		}
	}
	if len(del) > 1 {
		c.Tx.Propagate(del...)
	}
	if res.sockErr {
		n.migrate.discard(mc)
		return res
	}
	if !res.replied {
		mc.lastDB = a.db
	}
	n.migrate.checkin(mc)
	return res
}

// migrateFirstError picks the error to report for one RESTORE reply: a
// failed AUTH or SELECT fails every key.
func migrateFirstError(pre, line string) string {
	if pre != "" {
		return pre
	}
	if line[0] == '-' {
		return line
	}
	return ""
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// migrateCachedSockets is INFO stats' migrate_cached_sockets.
func (n *Node) migrateCachedSockets() int64 { return n.migrate.count() }
