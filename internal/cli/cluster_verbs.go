package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// keyCount sums the keys of every database from INFO keyspace (DBSIZE of
// database 0 when INFO has no keyspace section).
func keyCount(c *Conn) (int64, error) {
	info, err := c.String("INFO", "keyspace")
	if err != nil {
		return 0, err
	}
	var total int64
	found := false
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(k, "db") {
			continue
		}
		for _, f := range strings.Split(v, ",") {
			if n, ok := strings.CutPrefix(f, "keys="); ok {
				x, _ := strconv.ParseInt(n, 10, 64)
				total += x
				found = true
			}
		}
	}
	if !found {
		return c.Int("DBSIZE")
	}
	return total, nil
}

// showClusterInfo is valkey-cli's cluster info summary.
func (m *manager) showClusterInfo() ([]map[string]any, error) {
	var keys int64
	var primaries int
	var rows []map[string]any
	for _, n := range m.primaries() {
		k, err := keyCount(n.conn)
		if err != nil {
			m.out.errf("Node %s replied with error:\n%v", n.addr, err)
			return nil, &exitError{code: ExitError, err: errPrinted}
		}
		m.out.printf("%s (%s...) -> %d keys | %d slots | %d replicas.\n", n.addr, n.ID[:min(8, len(n.ID))], k,
			n.Slots.count(), n.replicas)
		rows = append(rows, map[string]any{"id": n.ID, "addr": n.addr, "keys": k, "slots": n.Slots.count(),
			"replicas": n.replicas})
		primaries++
		keys += k
	}
	m.out.ok("%d keys in %d primaries.", keys, primaries)
	m.out.printf("%.2f keys per slot on average.\n", float64(keys)/numSlots)
	return rows, nil
}

func (a *app) clusterInfo(ctx context.Context, m *manager, _ *clusterOptions, args []string) error {
	addr, err := m.hostArg(args)
	if err != nil {
		return err
	}
	if err := m.load(ctx, addr, false); err != nil {
		return err
	}
	rows, err := m.showClusterInfo()
	if err != nil {
		return err
	}
	m.out.event("result", map[string]any{"ok": true, "primaries": rows})
	return nil
}

func (a *app) clusterCheck(ctx context.Context, m *manager, co *clusterOptions, args []string) error {
	addr, err := m.hostArg(args)
	if err != nil {
		return err
	}
	if err := m.load(ctx, addr, false); err != nil {
		return err
	}
	if _, err := m.showClusterInfo(); err != nil {
		return err
	}
	rep, err := m.check(ctx, checkOptions{multipleOwners: co.multipleOwners, co: co})
	if err != nil {
		return err
	}
	return m.checkResult(rep)
}

// checkResult reports the outcome of check or fix: exit status 3 when the
// cluster has problems.
func (m *manager) checkResult(rep *checkReport) error {
	m.out.event("result", map[string]any{"ok": rep.ok(), "check": rep})
	if !rep.ok() {
		return &exitError{code: ExitClusterNotOK}
	}
	return nil
}

func (a *app) clusterFix(ctx context.Context, m *manager, co *clusterOptions, args []string) error {
	addr, err := m.hostArg(args)
	if err != nil {
		return err
	}
	if err := m.load(ctx, addr, false); err != nil {
		return err
	}
	if _, err := m.showClusterInfo(); err != nil {
		return err
	}
	first, err := m.check(ctx, checkOptions{fix: true, multipleOwners: co.multipleOwners, co: co})
	if err != nil {
		return err
	}
	if first.ok() {
		return m.checkResult(first)
	}
	// Check again from scratch once the nodes have heard of the changes:
	// the fix is done when a plain check passes.
	m.waitAgreement(ctx, 30*time.Second)
	m.close()
	*m = *a.newManager()
	if err := m.load(ctx, addr, false); err != nil {
		return err
	}
	m.out.info("Checking the cluster again after the fix")
	rep, err := m.check(ctx, checkOptions{quiet: true, multipleOwners: co.multipleOwners, co: co})
	if err != nil {
		return err
	}
	rep.Fixed = first.Fixed
	return m.checkResult(rep)
}

// nodeIsEmpty: no keys and knows no other node (valkey-cli's
// clusterManagerNodeIsEmpty).
func nodeIsEmpty(c *Conn) (bool, error) {
	k, err := keyCount(c)
	if err != nil {
		return false, err
	}
	if k > 0 {
		return false, nil
	}
	info, err := c.String("CLUSTER", "INFO")
	if err != nil {
		return false, err
	}
	return infoField(info, "cluster_known_nodes") == "1", nil
}

// meetArgs is CLUSTER MEET towards node n: its IP (MEET needs an address,
// not a name) and its bus port when it is not port+10000.
func meetArgs(n *cnode) ([]string, error) {
	ip := n.Host
	if net.ParseIP(ip) == nil {
		ips, err := net.LookupHost(ip)
		if err != nil || len(ips) == 0 {
			return nil, fmt.Errorf("invalid IP address or hostname specified: %s", ip)
		}
		ip = ips[0]
	}
	args := []string{"CLUSTER", "MEET", ip, strconv.Itoa(n.Port)}
	if n.BusPort != 0 && n.BusPort != n.Port+10000 {
		args = append(args, strconv.Itoa(n.BusPort))
	}
	return args, nil
}

// openNewNode connects to a node that is to join the cluster and checks
// it is an empty cluster node.
func (m *manager) openNewNode(addr string) (*cnode, error) {
	c, err := m.dial(addr)
	if err != nil {
		return nil, err
	}
	n := &cnode{addr: addr, conn: c, weight: 1}
	fail := func(err error) (*cnode, error) {
		c.Close()
		return nil, err
	}
	if err := checkClusterEnabled(c); err != nil {
		return fail(err)
	}
	me, _, err := loadNode(c)
	if err != nil {
		return fail(err)
	}
	n.nodeLine = *me
	host, port, _ := net.SplitHostPort(addr)
	n.Host = host
	n.Port, _ = strconv.Atoi(port)
	empty, err := nodeIsEmpty(c)
	if err != nil {
		return fail(err)
	}
	if !empty {
		return fail(fmt.Errorf("[ERR] Node %s is not empty. Either the node already knows other nodes "+
			"(check with CLUSTER NODES) or contains some key in database 0.", addr))
	}
	return n, nil
}

func (a *app) clusterAddNode(ctx context.Context, m *manager, co *clusterOptions, args []string) error {
	newAddr, err := normalizeAddr(args[0])
	if err != nil {
		return err
	}
	refAddr, err := normalizeAddr(args[1])
	if err != nil {
		return err
	}
	m.out.info("Adding node %s to cluster %s", newAddr, refAddr)
	if err := m.load(ctx, refAddr, false); err != nil {
		return err
	}
	rep, err := m.check(ctx, checkOptions{skipKeys: true, co: co})
	if err != nil {
		return err
	}
	if !rep.ok() {
		return &exitError{code: ExitClusterNotOK, err: errors.New("*** Please fix your cluster problems before adding a node")}
	}
	var primary *cnode
	if co.replica {
		if primary, err = m.pickPrimaryForReplica(co.primaryID); err != nil {
			return err
		}
	}
	n, err := m.openNewNode(newAddr)
	if err != nil {
		return err
	}
	m.nodes = append(m.nodes, n)
	first := m.nodes[0]
	if primary == nil {
		m.copyFunctions(first, n)
	}
	m.out.info("Send CLUSTER MEET to node %s to make it join the cluster.", newAddr)
	meet, err := meetArgs(first)
	if err != nil {
		return err
	}
	if err := n.conn.OK(meet...); err != nil {
		return fmt.Errorf("CLUSTER MEET on %s: %w", newAddr, err)
	}
	// Wait until every node knows the new one, so a reshard or rebalance
	// started right after can use it.
	if err := m.waitForJoin(ctx); err != nil {
		return err
	}
	if primary != nil {
		m.out.info("Configure node as replica of %s.", primary.addr)
		if err := n.conn.OK("CLUSTER", "REPLICATE", primary.ID); err != nil {
			return fmt.Errorf("CLUSTER REPLICATE on %s: %w", newAddr, err)
		}
	}
	m.out.ok("New node added correctly.")
	m.out.event("result", map[string]any{"ok": true, "node": n.ID, "addr": newAddr})
	return nil
}

// pickPrimaryForReplica resolves --cluster-master-id, or picks the primary
// with the fewest replicas.
func (m *manager) pickPrimaryForReplica(id string) (*cnode, error) {
	if id != "" {
		p := m.nodeByID(id)
		if p == nil || !p.primary() {
			return nil, fmt.Errorf("[ERR] No such primary ID %s", id)
		}
		return p, nil
	}
	var best *cnode
	for _, p := range m.primaries() {
		if best == nil || p.replicas < best.replicas {
			best = p
		}
	}
	if best == nil {
		return nil, errors.New("[ERR] No primary to replicate")
	}
	m.out.printf("Automatically selected primary %s\n", best.addr)
	return best, nil
}

// copyFunctions gives a new primary the cluster's function libraries, as
// valkey-cli does; servers without FUNCTION are skipped.
func (m *manager) copyFunctions(from, to *cnode) {
	m.out.info("Getting functions from cluster")
	dump, err := from.conn.String("FUNCTION", "DUMP")
	if err != nil {
		m.out.info("Failed retrieving Functions from the cluster, skip this step (error = '%v')", err)
		return
	}
	if r, err := to.conn.Call("FUNCTION", "LIST"); err == nil && len(r.Elems) > 0 {
		m.out.warnf(">>> New node already contains functions; not copying them.")
		return
	}
	m.out.info("Send FUNCTION RESTORE to %s", to.addr)
	if err := to.conn.OK("FUNCTION", "RESTORE", dump); err != nil {
		m.out.warnf(">>> Failed loading functions to the new node (error = '%v')", err)
	}
}

func (a *app) clusterDelNode(ctx context.Context, m *manager, _ *clusterOptions, args []string) error {
	addr, err := normalizeAddr(args[0])
	if err != nil {
		return err
	}
	id := strings.ToLower(args[1])
	m.out.info("Removing node %s from cluster %s", id, addr)
	if err := m.load(ctx, addr, true); err != nil {
		return err
	}
	node := m.nodeByID(id)
	if node == nil {
		return fmt.Errorf("[ERR] No such node ID %s", id)
	}
	if node.Slots.count() != 0 {
		return fmt.Errorf("[ERR] Node %s is not empty! Reshard data away and try again.", node.addr)
	}
	m.out.info("Sending CLUSTER FORGET messages to the cluster...")
	for _, n := range m.nodes {
		if n == node {
			continue
		}
		if n.conn == nil {
			m.out.warnf(">>> Skipping unreachable node %s. It may need manual reconfiguration when it comes back online.", n.addr)
			continue
		}
		if n.Primary == id {
			p, err := m.pickPrimaryForReplica("")
			if err != nil {
				return err
			}
			m.out.info("%s as replica of %s", n.addr, p.addr)
			if err := n.conn.OK("CLUSTER", "REPLICATE", p.ID); err != nil {
				return fmt.Errorf("CLUSTER REPLICATE on %s: %w", n.addr, err)
			}
		}
		if err := n.conn.OK("CLUSTER", "FORGET", id); err != nil {
			return fmt.Errorf("CLUSTER FORGET on %s: %w", n.addr, err)
		}
	}
	if node.conn != nil {
		m.out.info("Sending CLUSTER RESET SOFT to the deleted node.")
		if err := node.conn.OK("CLUSTER", "RESET", "SOFT"); err != nil {
			return fmt.Errorf("CLUSTER RESET on %s: %w", node.addr, err)
		}
	} else {
		m.out.warnf(">>> WARNING: Could not connect to node %s, unable to send CLUSTER RESET.", node.addr)
	}
	m.out.ok("Node %s removed from the cluster.", id)
	m.out.event("result", map[string]any{"ok": true, "node": id})
	return nil
}

// waitForJoin waits until every node agrees about the slot configuration
// (valkey-cli's clusterManagerWaitForClusterJoin).
func (m *manager) waitForJoin(ctx context.Context) error {
	m.out.printf("Waiting for the cluster to join\n")
	start := time.Now()
	lastDot := start
	for !m.consistent() {
		if time.Since(start) > 5*time.Minute {
			return errors.New("[ERR] the nodes did not agree about the configuration within 5 minutes")
		}
		if err := sleepCtx(ctx, 100*time.Millisecond); err != nil {
			return err
		}
		if time.Since(lastDot) >= time.Second {
			m.out.printf(".")
			lastDot = time.Now()
		}
	}
	m.out.printf("\n")
	return nil
}

// consistent reports whether every reachable node has the same view of
// slot ownership and knows every other node.
func (m *manager) consistent() bool {
	var first *string
	for _, n := range m.nodes {
		if n.conn == nil {
			continue
		}
		text, err := n.conn.String("CLUSTER", "NODES")
		if err != nil {
			return false
		}
		lines, err := parseClusterNodes(text)
		if err != nil || len(m.unknownTo(n, lines)) > 0 {
			return false
		}
		sig := configSignature(lines)
		if first == nil {
			first = &sig
		} else if sig != *first {
			return false
		}
	}
	return true
}
