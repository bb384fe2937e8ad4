package command

// Replication is this node's replication layer (internal/repl) as the
// command layer sees it. The server sets Node.Repl before it serves
// clients; a nil Repl (tests that build a bare Node) behaves as a primary
// without replicas.
type Replication interface {
	// Gate returns the Gate* bits that currently restrict client
	// commands; 0 on a primary without min-replicas-to-write. Lock-free:
	// the dispatcher calls it for every command.
	Gate() uint32
	// IsReplica reports whether this node follows a primary.
	IsReplica() bool
	// ReplicaOf makes this node a replica of host:port. It reports
	// already=true, doing nothing, when that is the current primary.
	ReplicaOf(host string, port int) (already bool)
	// ReplicaOfNoOne turns a replica into a primary (no-op on a primary).
	ReplicaOfNoOne()

	// REPLCONF options a replica sends before PSYNC.
	ReplConfListeningPort(c *Client, port int)
	ReplConfIPAddress(c *Client, ip string)
	ReplConfCapa(c *Client, capa string)
	// ReplConfAck records the offset a replica connection acknowledged
	// (REPLCONF ACK, which has no reply). Ignored for other clients.
	ReplConfAck(c *Client, offset int64)

	// Sync runs PSYNC replid offset (psync true) or SYNC for c: it
	// answers and, on success, turns c's connection into a replica link
	// whose output the replication layer owns from then on.
	Sync(c *Ctx, psync bool, replid string, offset int64)

	// WaitTarget is the replication offset a WAIT issued now waits for.
	WaitTarget() int64
	// RequestAck asks the replicas to acknowledge offset promptly
	// (REPLCONF GETACK), for a WAIT about to block.
	RequestAck(offset int64)
	// Acked returns how many replicas acknowledged offset, and a channel
	// closed when that may have changed (an ACK arrived, a replica left).
	Acked(offset int64) (int, <-chan struct{})

	// Role is the ROLE reply's content.
	Role() ReplRole
	// Info is the content of INFO replication.
	Info() ReplInfo
	// Stats are the sync counters of INFO stats.
	Stats() ReplStats
	// ChangeReplID starts a new replication history (DEBUG CHANGE-REPL-ID).
	ChangeReplID()
	// WritesPaused returns a channel to wait on while writes are paused
	// for a manual failover, or nil. The dispatcher asks with the
	// command's slot locks held, and routes the command again after the
	// wait (the node may have become a replica meanwhile).
	WritesPaused() <-chan struct{}
}

// Gate bits (Replication.Gate).
const (
	// GateReadOnly: this node is a read-only replica (replica-read-only).
	GateReadOnly uint32 = 1 << iota
	// GateNoGoodReplicas: min-replicas-to-write is not met.
	GateNoGoodReplicas
	// GateStale: the link to the primary is down and
	// replica-serve-stale-data is no.
	GateStale
)

// ClientReplica marks a connection that turned into a replica link with
// SYNC/PSYNC (CLIENT LIST flag S). ClientPrimary (client.go) marks the
// client that applies this node's primary's stream.
const ClientReplica = 1 << 49

// ReplRole is what ROLE reports.
type ReplRole struct {
	Replica bool
	// A primary's offset and its online replicas.
	Offset   int64
	Replicas []ReplicaInfo
	// A replica's primary, link state (connect, connecting, handshake,
	// sync, connected) and processed offset (-1 without a link).
	Host  string
	Port  int
	State string
}

// ReplicaInfo describes one replica connection of a primary.
type ReplicaInfo struct {
	IP     string
	Port   int
	State  string // wait_bgsave, send_bulk, online
	Offset int64  // acknowledged offset
	Lag    int64  // seconds since the last ACK
}

// ReplInfo is the content of INFO replication, field by field.
type ReplInfo struct {
	Replica bool
	// Replica side.
	Host             string
	Port             int
	LinkUp           bool
	LastIOSecs       int64 // -1 without a link
	SyncInProgress   bool
	SyncReadBytes    int64
	SyncLastIOSecs   int64
	LinkDownSecs     int64 // -1 when never up
	ReadReplOffset   int64
	ReplOffset       int64
	Priority         int64
	ReadOnly         bool
	Announced        bool
	MinReplicasGood  int64
	MinReplicasShown bool
	// Both.
	Replicas         []ReplicaInfo
	ReplID, ReplID2  string
	Offset           int64
	SecondOffset     int64
	BacklogActive    bool
	BacklogSize      int64
	BacklogFirstByte int64
	BacklogHistlen   int64
}

// ReplStats are the INFO stats counters of replication.
type ReplStats struct {
	SyncFull, SyncPartialOK, SyncPartialErr int64
	NetReplInput, NetReplOutput             int64
}
