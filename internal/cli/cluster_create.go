package cli

import (
	"context"
	"errors"
	"math/rand"
	"strconv"
	"time"
)

func (a *app) clusterCreate(ctx context.Context, m *manager, co *clusterOptions, args []string) error {
	if co.replicas < 0 {
		return usagef("--cluster-replicas must not be negative")
	}
	for _, arg := range args {
		addr, err := normalizeAddr(arg)
		if err != nil {
			return err
		}
		n, err := m.openNewNode(addr)
		if err != nil {
			return err
		}
		m.nodes = append(m.nodes, n)
	}
	nprim := len(m.nodes) / (co.replicas + 1)
	if nprim < 3 {
		m.out.info("Requested to create a cluster with %d primaries and %d replicas per primary.", nprim, co.replicas)
		if !m.confirm(co, "Valkey cluster requires at least 3 primary nodes for automatic failover. Are you sure?") {
			return &exitError{code: ExitError}
		}
	}
	if nprim == 0 {
		return usagef("not enough nodes for %d replicas per primary", co.replicas)
	}
	m.out.info("Performing hash slots allocation on %d node(s)...", len(m.nodes))
	_, lines := planCreate(m.nodes, co.replicas, rand.New(rand.NewSource(time.Now().UnixNano())))
	for _, l := range lines {
		m.out.printf("%s\n", l)
	}
	m.showNodes()
	if !m.confirm(co, "Can I set the above configuration?") {
		return &exitError{code: ExitError}
	}
	if err := m.applyCreate(ctx); err != nil {
		return err
	}
	// Return with a cluster that serves: nodes wait a moment after joining
	// before they report cluster_state:ok.
	if !m.waitState(ctx, 30*time.Second) && ctx.Err() == nil {
		m.out.warnf("[WARNING] Some nodes do not report cluster_state:ok yet.")
	}
	// Check the result as a fresh run would see it.
	first := m.nodes[0].addr
	m.close()
	*m = *a.newManager()
	if err := m.load(ctx, first, false); err != nil {
		return err
	}
	rep, err := m.check(ctx, checkOptions{skipKeys: true, co: co})
	if err != nil {
		return err
	}
	return m.checkResult(rep)
}

// applyCreate sends the plan: slots, config epochs, MEETs, then the
// replicas once everybody knows everybody.
func (m *manager) applyCreate(ctx context.Context) error {
	for _, n := range m.nodes {
		if err := m.flushNodeConfig(n); err != nil && n.replicate == "" {
			return err
		}
	}
	m.out.info("Nodes configuration updated")
	m.out.info("Assign a different config epoch to each node")
	for i, n := range m.nodes {
		_ = n.conn.OK("CLUSTER", "SET-CONFIG-EPOCH", strconv.Itoa(i+1))
	}
	m.out.info("Sending CLUSTER MEET messages to join the cluster")
	meet, err := meetArgs(m.nodes[0])
	if err != nil {
		return err
	}
	for _, n := range m.nodes[1:] {
		if err := n.conn.OK(meet...); err != nil {
			return errors.New("[ERR] CLUSTER MEET on " + n.addr + ": " + err.Error())
		}
	}
	if err := m.waitForJoin(ctx); err != nil {
		return err
	}
	for _, n := range m.nodes {
		if !n.dirty {
			continue
		}
		if err := m.flushNodeConfig(n); err != nil {
			if n.replicate == "" {
				return err
			}
			m.out.warnf("[WARNING] %s could not become a replica: %v", n.addr, err)
		}
	}
	return nil
}

// flushNodeConfig sends a node its planned configuration: its slots, or
// the primary it replicates. A replica may fail before the cluster has
// joined (it does not know its primary yet); it stays dirty for a retry.
func (m *manager) flushNodeConfig(n *cnode) error {
	if !n.dirty {
		return nil
	}
	if n.replicate != "" {
		if err := n.conn.OK("CLUSTER", "REPLICATE", n.replicate); err != nil {
			return err
		}
		n.dirty = false
		return nil
	}
	args := []string{"CLUSTER", "ADDSLOTSRANGE"}
	for _, r := range n.Slots.ranges() {
		args = append(args, strconv.Itoa(r.Start), strconv.Itoa(r.End))
	}
	if len(args) > 2 {
		if err := n.conn.OK(args...); err != nil {
			return errors.New("Node " + n.addr + " replied with error:\n" + err.Error())
		}
	}
	n.dirty = false
	return nil
}
