package server

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/cluster/bus"
	"github.com/shoal-db/shoal/internal/command"
)

// clusterNode wires the cluster state machine into the server: it owns the
// bus transport, the bus.Runner that drives the cluster.State, nodes.conf,
// and the worker that drops the keys of lost slots. It implements
// command.ClusterNode for the command layer.
//
// Lock order: the runner's lock is taken by CLUSTER commands and PUBLISH
// (sometimes with slot locks held, SPUBLISH), so nothing that runs under it
// (OnOutput) may take a slot lock: key deletion goes to the worker.
type clusterNode struct {
	s       *Server
	tr      *bus.Transport
	runner  *bus.Runner
	path    string // nodes.conf
	busPort int    // the bus port we listen on
	prev    *cluster.Routes
	slots   *slotDropper
	roles   *replRoles // replication roles (repl_cluster.go)
}

var _ command.ClusterNode = (*clusterNode)(nil)

// startCluster starts the bus and the runner (cluster-enabled yes). It runs
// in Start after the client port is known and before clients are accepted.
func (s *Server) startCluster() error {
	cport, err := s.clusterBusPort()
	if err != nil {
		return err
	}
	tr, err := bus.Listen(bus.TransportConfig{
		Addr:   net.JoinHostPort(s.bindAddr(), strconv.Itoa(cport)),
		Logger: s.log.With("component", "cluster-bus"),
	})
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	cn := &clusterNode{s: s, tr: tr, path: s.clusterConfigPath(), busPort: tr.Port()}
	st, err := cn.loadState()
	if err != nil {
		tr.Close()
		return err
	}
	cn.slots = newSlotDropper(s)
	cn.runner = bus.NewRunner(bus.RunnerConfig{
		State:     st,
		Transport: tr,
		Persist:   cn.persist,
		OnOutput:  cn.onOutput,
		Logger:    s.log.With("component", "cluster"),
	})
	cn.prev = cn.runner.Routes()
	s.cluster = cn
	s.node.Cluster = cn
	s.watchClusterConfig(cn)
	cn.roles = newReplRoles(cn) // after the runner is set, before it runs
	cn.runner.Start()
	cn.resumeReplication()
	s.startMigrations(cn)
	s.log.Info("cluster node ready", "id", st.MyID(), "bus", tr.Addr().String(), "config", cn.path)
	return nil
}

// stopCluster stops the runner (and with it the transport), then the
// slot worker. Server.Close calls it after the clients are gone.
func (s *Server) stopCluster() {
	if s.cluster == nil {
		return
	}
	s.node.Migrations.Close()
	if err := s.cluster.runner.Close(); err != nil {
		s.log.Debug("cluster bus close", "err", err)
	}
	s.cluster.slots.stop()
	s.cluster.roles.stop()
}

// ClusterPort is the cluster bus port (0 when cluster mode is off).
func (s *Server) ClusterPort() int {
	if s.cluster == nil {
		return 0
	}
	return s.cluster.busPort
}

// clusterBusPort is cluster-port, or port+10000 as in Valkey. A server on
// an ephemeral client port (port 0, tests) gets an ephemeral bus port too.
func (s *Server) clusterBusPort() (int, error) {
	if p := int(s.cfg.Int("cluster-port")); p != 0 {
		return p, nil
	}
	if s.cfg.Int("port") == 0 {
		return 0, nil
	}
	if s.port > 65535-10000 {
		return 0, errors.New("cluster: port number too high: the cluster bus port is the client port + 10000, " +
			"so the port must be 55535 or less (or set cluster-port)")
	}
	return s.port + 10000, nil
}

// clusterConfigPath is cluster-config-file, relative to dir.
func (s *Server) clusterConfigPath() string {
	p := mustGet(s.cfg, "cluster-config-file")
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.cfg.Dir(), p)
}

// clusterConfig maps the cluster-* directives onto the state machine's
// configuration.
func (s *Server) clusterConfig(busPort int) cluster.Config {
	c := s.cfg
	cc := cluster.DefaultConfig()
	cc.IP = mustGet(c, "cluster-announce-ip")
	cc.Port = s.port
	if p := int(c.Int("cluster-announce-port")); p != 0 {
		cc.Port = p
	}
	cc.TLSPort = int(c.Int("cluster-announce-tls-port"))
	cc.CPort = busPort
	if p := int(c.Int("cluster-announce-bus-port")); p != 0 {
		cc.CPort = p
	}
	cc.Hostname = mustGet(c, "cluster-announce-hostname")
	cc.HumanNodename = mustGet(c, "cluster-announce-human-nodename")
	cc.NodeTimeout = time.Duration(c.Int("cluster-node-timeout")) * time.Millisecond
	cc.PingInterval = time.Duration(c.Int("cluster-ping-interval")) * time.Millisecond
	cc.RequireFullCoverage = c.Bool("cluster-require-full-coverage")
	cc.ReplicaNoFailover = c.Bool("cluster-replica-no-failover")
	cc.AllowReplicaMigration = c.Bool("cluster-allow-replica-migration")
	cc.BlacklistTTL = time.Duration(c.Int("cluster-blacklist-ttl")) * time.Second
	cc.ReplicaValidityFactor = int(c.Int("cluster-replica-validity-factor"))
	cc.ReplPingPeriod = time.Duration(c.Int("repl-ping-replica-period")) * time.Second
	cc.ConfirmManualFailoverPause = true // repl_cluster.go reports the paused offset
	cc.Seed = rand.Uint64()
	return cc
}

// clusterSettings are the directives a running node applies with
// State.Reconfigure when CONFIG SET changes them.
var clusterSettings = []string{
	"cluster-announce-ip", "cluster-announce-port", "cluster-announce-tls-port", "cluster-announce-bus-port",
	"cluster-announce-hostname", "cluster-announce-human-nodename", "cluster-node-timeout",
	"cluster-ping-interval", "cluster-require-full-coverage", "cluster-replica-no-failover",
	"cluster-allow-replica-migration", "cluster-blacklist-ttl", "cluster-replica-validity-factor",
	"repl-ping-replica-period",
}

func (s *Server) watchClusterConfig(cn *clusterNode) {
	s.cfg.OnAnyChange(func() error {
		cfg := s.clusterConfig(cn.busPort)
		return cn.runner.Do(func(now time.Time, st *cluster.State) (cluster.Output, error) {
			return st.Reconfigure(now, cfg), nil
		})
	}, clusterSettings...)
}

// loadState reads nodes.conf, or creates a fresh node and saves it at once
// as Valkey does (clusterLoadConfig / clusterInit).
func (cn *clusterNode) loadState() (*cluster.State, error) {
	cfg := cn.s.clusterConfig(cn.busPort)
	data, err := os.ReadFile(cn.path)
	switch {
	case err == nil && len(data) > 0:
		st, err := cluster.Load(cfg, data, time.Now())
		if err != nil {
			return nil, fmt.Errorf("cluster: unrecoverable error: %s: %w", cn.path, err)
		}
		cn.s.log.Info("cluster config loaded", "path", cn.path, "id", st.MyID())
		return st, nil
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("cluster: read %s: %w", cn.path, err)
	}
	st := cluster.New(cfg)
	if err := writeNodesConf(cn.path, st.NodesConf(), true); err != nil {
		return nil, err
	}
	cn.s.log.Info("no cluster configuration found, I'm " + string(st.MyID()))
	return st, nil
}

func (cn *clusterNode) persist(conf []byte, fsync bool) error {
	return writeNodesConf(cn.path, conf, fsync)
}

// Routes implements command.ClusterNode.
func (cn *clusterNode) Routes() *cluster.Routes { return cn.runner.Routes() }

// Do implements command.ClusterNode.
func (cn *clusterNode) Do(f func(now time.Time, s *cluster.State) (cluster.Output, error)) error {
	return cn.runner.Do(f)
}

// View implements command.ClusterNode.
func (cn *clusterNode) View(f func(s *cluster.State)) { cn.runner.View(f) }

// SaveConfig implements command.ClusterNode (CLUSTER SAVECONFIG).
func (cn *clusterNode) SaveConfig() error {
	var err error
	cn.runner.View(func(s *cluster.State) { err = writeNodesConf(cn.path, s.NodesConf(), true) })
	return err
}

// AwaitSlotDropped implements the command package's slotDropWaiter.
func (cn *clusterNode) AwaitSlotDropped(slot int) { cn.slots.awaitDropped(slot) }

// AwaitRoleChanges implements the command package's roleChangeWaiter.
func (cn *clusterNode) AwaitRoleChanges() { cn.roles.awaitApplied() }

// Links implements command.ClusterNode: the state's links, with the
// outbound send queues the transport reports.
func (cn *clusterNode) Links() []cluster.LinkInfo {
	var links []cluster.LinkInfo
	cn.runner.View(func(s *cluster.State) { links = s.Links() })
	queued := map[cluster.ID]int64{}
	for _, st := range cn.tr.Stats() {
		if st.Outbound {
			queued[st.Node] = int64(st.Queued)
		}
	}
	for i := range links {
		if links[i].Direction == "to" {
			links[i].SendBufferAllocated = queued[links[i].Node]
			links[i].SendBufferUsed = queued[links[i].Node]
		}
	}
	return links
}
