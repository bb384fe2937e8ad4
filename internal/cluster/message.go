package cluster

// Type is a cluster bus message type. The numbering and the names are
// Valkey's (CLUSTERMSG_TYPE_*), so per-type statistics in CLUSTER INFO come
// out in Valkey's order.
type Type uint8

// Message types.
const (
	MsgPing         Type = 0  // liveness + config + gossip
	MsgPong         Type = 1  // reply to PING/MEET, also broadcast on config change
	MsgMeet         Type = 2  // PING that asks the receiver to add the sender
	MsgFail         Type = 3  // "node X is failing", forces FAIL everywhere
	MsgPublish      Type = 4  // cluster-wide PUBLISH
	MsgAuthRequest  Type = 5  // replica asks primaries for a failover vote
	MsgAuthAck      Type = 6  // a primary grants its vote
	MsgUpdate       Type = 7  // "your slot config is stale, here is node X's"
	MsgMFStart      Type = 8  // replica asks its primary to pause for manual failover
	MsgModule       Type = 9  // reserved (Valkey modules); never sent
	MsgPublishShard Type = 10 // SPUBLISH within a shard
	NumTypes             = 11
)

var typeNames = [NumTypes]string{"ping", "pong", "meet", "fail", "publish",
	"auth-req", "auth-ack", "update", "mfstart", "module", "publishshard"}

// String returns Valkey's name of the type, as used in CLUSTER INFO.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}

// Light reports whether messages of this type carry only the sender id and
// no configuration header (Valkey's "light header" for PUBLISH).
func (t Type) Light() bool { return t == MsgPublish || t == MsgPublishShard }

// MsgFlags are per-message flags (Valkey's mflags[0]).
type MsgFlags uint8

// Message flags.
const (
	MsgFlagPaused   MsgFlags = 1 << 0 // primary paused for manual failover
	MsgFlagForceAck MsgFlags = 1 << 1 // vote even if the primary is up
)

// Message is one cluster bus message. Which fields are meaningful depends
// on Type; the codec in package bus encodes exactly those. A Message handed
// to Step or returned in an Output must not be modified afterwards: one
// Message may be shared by many Envelopes.
type Message struct {
	Type   Type
	MFlags MsgFlags
	Sender ID

	// Header (every type except the light ones).
	MyIP         string    // announced IP, or "" to let the receiver use the socket address
	Port         int       // client port
	TLSPort      int       // TLS client port (Valkey's pport), 0 when none
	CPort        int       // cluster bus port
	Flags        NodeFlags // the sender's flags
	StateOK      bool      // the sender's cluster_state
	CurrentEpoch uint64
	ConfigEpoch  uint64 // of the sender, or of its primary when a replica
	ReplOffset   int64
	PrimaryID    ID       // "" when the sender is a primary
	Slots        *SlotSet // of the sender, or of its primary; never nil in a header

	// PING, PONG, MEET.
	Gossip        []Gossip
	Hostname      string
	HumanNodename string
	ShardID       ID
	Forgotten     []Forgotten

	// FAIL.
	About ID

	// UPDATE.
	UpdateID    ID
	UpdateEpoch uint64
	UpdateSlots *SlotSet

	// PUBLISH, PUBLISHSHARD.
	Channel []byte
	Payload []byte
}

// Gossip is what a PING/PONG says about some other node.
type Gossip struct {
	ID       ID
	PingSent int64 // ms, the sender's view
	PongRecv int64 // ms, the sender's view
	IP       string
	Port     int
	TLSPort  int
	CPort    int
	Flags    NodeFlags
}

// Forgotten is a ping extension telling receivers to forget a node and ban
// it for TTL seconds, so that CLUSTER FORGET spreads (Valkey 7.2+).
type Forgotten struct {
	ID  ID
	TTL uint64 // seconds
}
