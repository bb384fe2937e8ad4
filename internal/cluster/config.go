package cluster

import (
	"math/rand/v2"
	"time"
)

// Config is the node's own identity and the cluster-* settings the state
// machine needs. The server maps its configuration directives onto it.
type Config struct {
	// MyID is this node's id; empty means a fresh random one (ignored when
	// the state is loaded from nodes.conf, which names myself).
	MyID ID
	// ShardID is this node's shard id; empty means random.
	ShardID ID

	// IP is cluster-announce-ip. Empty means "learn it": the address peers
	// use to reach us, as seen on the first MEET.
	IP string
	// Port, TLSPort and CPort are the announced client, TLS and bus ports
	// (cluster-announce-port / -tls-port / -bus-port, else the real ones).
	Port, TLSPort, CPort int
	// Hostname is cluster-announce-hostname; HumanNodename is
	// cluster-announce-human-nodename.
	Hostname, HumanNodename string

	// NodeTimeout is cluster-node-timeout (default 15 s).
	NodeTimeout time.Duration
	// PingInterval overrides the NodeTimeout/2 ping period (0 = default).
	PingInterval time.Duration
	// RequireFullCoverage is cluster-require-full-coverage (default yes).
	RequireFullCoverage bool
	// ReplicaNoFailover is cluster-replica-no-failover.
	ReplicaNoFailover bool
	// AllowReplicaMigration is cluster-allow-replica-migration (default yes).
	AllowReplicaMigration bool
	// BlacklistTTL is how long a forgotten node stays banned (Valkey's
	// cluster-blacklist-ttl, 60 s).
	BlacklistTTL time.Duration
	// ReplicaValidityFactor is cluster-replica-validity-factor (default
	// 10; 0 lets a replica fail over however old its data is).
	ReplicaValidityFactor int
	// ReplPingPeriod is repl-ping-replica-period (default 10 s), part of
	// the data-age limit of a failover.
	ReplPingPeriod time.Duration
	// ConfirmManualFailoverPause makes a paused primary announce itself
	// paused (with its replication offset) only once its owner called
	// ManualFailoverPaused: a server that runs writes concurrently knows
	// its final offset only after the writes in flight finished.
	ConfirmManualFailoverPause bool

	// Rand is the only source of randomness (ids, gossip choices, random
	// pings). Nil means a PCG seeded with Seed.
	Rand *rand.Rand
	Seed uint64
}

// DefaultConfig returns Valkey's defaults.
func DefaultConfig() Config {
	return Config{
		NodeTimeout:           15 * time.Second,
		RequireFullCoverage:   true,
		AllowReplicaMigration: true,
		BlacklistTTL:          60 * time.Second,
		ReplicaValidityFactor: 10,
		ReplPingPeriod:        10 * time.Second,
	}
}

func (c *Config) normalize() {
	if c.NodeTimeout <= 0 {
		c.NodeTimeout = 15 * time.Second
	}
	if c.BlacklistTTL <= 0 {
		c.BlacklistTTL = 60 * time.Second
	}
	if c.ReplPingPeriod <= 0 {
		c.ReplPingPeriod = 10 * time.Second
	}
	if c.Rand == nil {
		c.Rand = rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))
	}
}

// Timing constants, Valkey's.
const (
	failReportValidityMult = 2    // failure reports older than 2×timeout expire
	failUndoTimeMult       = 2    // a primary's FAIL clears after 2×timeout if it is back
	maxRejoinDelay         = 5000 // ms, cap of the minority-rejoin delay
	minRejoinDelay         = 500  // ms
	writableDelay          = 2000 // ms a primary waits before cluster_state ok after start
	randomPingPeriod       = 1000 // ms between "ping the stalest of 5 random nodes"
)

func (s *State) timeoutMS() int64 { return s.cfg.NodeTimeout.Milliseconds() }

// handshakeTimeout is how long a handshake node may live, and how long we
// wait for an inbound link before re-sending MEET: max(node timeout, 1 s).
func (s *State) handshakeTimeout() int64 { return max(s.timeoutMS(), 1000) }

func (s *State) pingInterval() int64 {
	if s.cfg.PingInterval > 0 {
		return s.cfg.PingInterval.Milliseconds()
	}
	return s.timeoutMS() / 2
}
