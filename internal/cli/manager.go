package cli

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// cnode is a cluster node as the manager knows it: its own CLUSTER NODES
// line (slots, open slots, flags) plus what the reference node says about
// it, a connection, and planning state.
type cnode struct {
	nodeLine
	addr      string   // dial address
	conn      *Conn    // nil when unreachable
	seenFlags []string // flags in the reference node's view (fail, noaddr...)
	replicas  int      // number of replicas in the cluster
	weight    float64  // rebalance weight
	balance   int      // rebalance: slots to give (>0) or take (<0)
	replicate string   // create: the primary this node will replicate
	dirty     bool     // create: configuration not yet sent
}

func (n *cnode) primary() bool { return !n.isReplica() && n.Primary == "" }

// label is "host:port" for messages.
func (n *cnode) label() string { return n.addr }

// manager drives one cluster verb.
type manager struct {
	a        *app
	out      *reporter
	connOpts ConnOptions
	nodes    []*cnode
	// unreachablePrimaries counts primaries the reference node knows but
	// the manager could not load; fixing with them missing is dangerous.
	unreachablePrimaries int
	// problems are the errors check found (reshard and rebalance refuse
	// to run while there are any).
	problems []string
}

func (a *app) newManager() *manager {
	return &manager{a: a, out: a.newReporter(), connOpts: a.connOptions()}
}

func (m *manager) close() {
	for _, n := range m.nodes {
		if n.conn != nil {
			n.conn.Close()
			n.conn = nil
		}
	}
}

// dial connects to a node with the manager's credentials.
func (m *manager) dial(addr string) (*Conn, error) {
	return Dial(addr, m.connOpts)
}

// hostArg resolves a verb's node argument: "host:port", or the -h/-p
// address when the verb was given none.
func (m *manager) hostArg(args []string) (string, error) {
	if len(args) == 0 {
		return m.a.addr(), nil
	}
	return normalizeAddr(args[0])
}

// normalizeAddr accepts "host:port" (IPv6 bracketed or not).
func normalizeAddr(s string) (string, error) {
	if host, port, err := net.SplitHostPort(s); err == nil {
		if _, err := strconv.Atoi(port); err == nil {
			return net.JoinHostPort(host, port), nil
		}
	}
	if i := strings.LastIndexByte(s, ':'); i > 0 {
		if _, err := strconv.Atoi(s[i+1:]); err == nil {
			return net.JoinHostPort(s[:i], s[i+1:]), nil
		}
	}
	return "", usagef("invalid node address %q: you need to pass a valid address (e.g. 127.0.0.1:7000)", s)
}

// checkClusterEnabled reports whether INFO says cluster_enabled:1.
func checkClusterEnabled(c *Conn) error {
	info, err := c.String("INFO", "cluster")
	if err != nil {
		return err
	}
	if infoField(info, "cluster_enabled") != "1" {
		return fmt.Errorf("[ERR] Node %s is not configured as a cluster node.", c.Addr())
	}
	return nil
}

// infoField returns a "name:value" field of an INFO text.
func infoField(info, name string) string {
	for _, line := range strings.Split(info, "\n") {
		if k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), ":"); ok && k == name {
			return v
		}
	}
	return ""
}

// loadNode reads a node's own CLUSTER NODES line.
func loadNode(c *Conn) (*nodeLine, []*nodeLine, error) {
	text, err := c.String("CLUSTER", "NODES")
	if err != nil {
		return nil, nil, fmt.Errorf("CLUSTER NODES on %s: %w", c.Addr(), err)
	}
	lines, err := parseClusterNodes(text)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", c.Addr(), err)
	}
	for _, l := range lines {
		if l.isMyself() {
			return l, lines, nil
		}
	}
	return nil, nil, fmt.Errorf("%s: CLUSTER NODES has no myself line", c.Addr())
}

// load builds the cluster view from the node at addr: that node's view of
// the cluster, then each node's own line. Nodes that cannot be reached or
// are flagged fail/noaddr are left out (and counted when primaries),
// unless includeUnreachable is set (del-node must be able to forget them).
func (m *manager) load(ctx context.Context, addr string, includeUnreachable bool) error {
	c, err := m.dial(addr)
	if err != nil {
		return err
	}
	if err := checkClusterEnabled(c); err != nil {
		c.Close()
		return err
	}
	me, lines, err := loadNode(c)
	if err != nil {
		c.Close()
		return err
	}
	ref := &cnode{nodeLine: *me, addr: addr, conn: c, seenFlags: me.Flags, weight: 1}
	m.nodes = []*cnode{ref}
	for _, l := range lines {
		if l.isMyself() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		n := m.loadFriend(l)
		if n.conn == nil && !includeUnreachable {
			continue
		}
		m.nodes = append(m.nodes, n)
	}
	m.countReplicas()
	return nil
}

// loadFriend connects to a node the reference node knows and reads its
// own line.
func (m *manager) loadFriend(l *nodeLine) *cnode {
	n := &cnode{nodeLine: *l, addr: l.addr(), seenFlags: l.Flags, weight: 1}
	unreachable := func() *cnode {
		if !l.isReplica() {
			m.unreachablePrimaries++
		}
		return n
	}
	if l.Host == "" || l.Port == 0 || l.hasFlag("noaddr") || l.hasFlag("fail") || l.hasFlag("handshake") {
		return unreachable()
	}
	c, err := m.dial(n.addr)
	if err != nil {
		m.out.errf("[ERR] Unable to load info for node %s: %v", n.addr, err)
		return unreachable()
	}
	own, _, err := loadNode(c)
	if err != nil {
		c.Close()
		m.out.errf("[ERR] Unable to load info for node %s: %v", n.addr, err)
		return unreachable()
	}
	n.nodeLine = *own
	n.Host, n.Port = l.Host, l.Port // the node may not know its own address
	n.conn = c
	return n
}

func (m *manager) countReplicas() {
	for _, n := range m.nodes {
		n.replicas = 0
	}
	for _, n := range m.nodes {
		if n.Primary == "" {
			continue
		}
		if p := m.nodeByID(n.Primary); p != nil {
			p.replicas++
		} else {
			m.out.warnf("*** WARNING: %s claims to be replica of unknown node ID %s.", n.addr, n.Primary)
		}
	}
}

// nodeByID finds a loaded node by its full id (case-insensitive).
func (m *manager) nodeByID(id string) *cnode {
	id = strings.ToLower(id)
	for _, n := range m.nodes {
		if n.ID == id {
			return n
		}
	}
	return nil
}

// nodeByPrefix finds a node by a unique prefix of its id (rebalance
// weights accept abbreviated ids), or by "host:port".
func (m *manager) nodeByPrefix(s string) *cnode {
	s = strings.ToLower(s)
	var found *cnode
	for _, n := range m.nodes {
		if n.addr == s || n.ID == s {
			return n
		}
		if strings.HasPrefix(n.ID, s) {
			if found != nil {
				return nil // ambiguous
			}
			found = n
		}
	}
	return found
}

// primaries are the reachable primaries, in load order.
func (m *manager) primaries() []*cnode {
	var out []*cnode
	for _, n := range m.nodes {
		if n.primary() && n.conn != nil {
			out = append(out, n)
		}
	}
	return out
}

// nodeInfo is valkey-cli's node summary:
//
//	M: <id> host:port
//	   slots:[0-5460] (5461 slots) master
//	   1 additional replica(s)
func (n *cnode) info(indent int) string {
	sp := strings.Repeat(" ", indent)
	var b strings.Builder
	role := "M"
	if n.isReplica() || n.replicate != "" {
		role = "S"
	}
	if n.dirty && n.replicate != "" {
		fmt.Fprintf(&b, "%sS: %s %s", sp, n.ID, n.addr)
	} else {
		fmt.Fprintf(&b, "%s%s: %s %s\n%s   slots:%s (%d slots) %s", sp, role, n.ID, n.addr, sp,
			slotsListString(n.Slots.ranges()), n.Slots.count(), n.flagString())
	}
	switch {
	case n.replicate != "":
		fmt.Fprintf(&b, "\n%s   replicates %s", sp, n.replicate)
	case n.Primary != "":
		fmt.Fprintf(&b, "\n%s   replicates %s", sp, n.Primary)
	case n.replicas > 0:
		fmt.Fprintf(&b, "\n%s   %d additional replica(s)", sp, n.replicas)
	}
	return b.String()
}

func (n *cnode) flagString() string {
	var fs []string
	for _, f := range n.Flags {
		if f != "myself" {
			fs = append(fs, f)
		}
	}
	return strings.Join(fs, ",")
}

func (m *manager) showNodes() {
	for _, n := range m.nodes {
		m.out.printf("%s\n", n.info(0))
	}
}
