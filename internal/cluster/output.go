package cluster

// Peer describes, as the transport saw it, where an incoming message came
// from. Valkey processes a packet differently depending on the link it
// arrived on (a PONG on our outbound link answers our PING; a MEET arrives
// on an inbound link), so the transport reports the link.
type Peer struct {
	// Outbound is true when the message arrived on our outbound link to
	// node Link (the one opened for a Dial); replies to our PING/MEET
	// arrive this way.
	Outbound bool
	Link     ID
	// Conn identifies an inbound connection (accepted by our listener);
	// replies to it go back with Envelope.Conn.
	Conn uint64
	// IP is the remote address of the socket; LocalIP our own address on
	// it (the address the peer dialed), used to learn our IP from MEETs.
	IP, LocalIP string
}

// Envelope is one message to send: on our outbound link to node To, or
// (when Conn is non-zero) back on the inbound connection Conn.
type Envelope struct {
	To   ID
	Conn uint64
	Msg  *Message
}

// Dial asks the transport to open an outbound link to node ID at IP:CPort.
// The transport answers with exactly one LinkUp or LinkDown for it.
// Messages sent to ID while it connects are queued (bounded).
type Dial struct {
	ID    ID
	IP    string
	CPort int
}

// Rename tells the transport that the outbound link known as From (a
// handshake id) now belongs to node To.
type Rename struct{ From, To ID }

// EventKind classifies an Event.
type EventKind uint8

// Event kinds.
const (
	// EventLog is a notice worth logging (Text), as Valkey logs it.
	EventLog EventKind = iota
	// EventStateChanged: cluster_state changed; OK tells the new state.
	EventStateChanged
	// EventNodeFailed: Node was marked FAIL (quorum reached or FAIL message).
	EventNodeFailed
	// EventDeleteSlots: we lost ownership of Slots to another node while we
	// may still hold keys there; the server must delete their keys.
	EventDeleteSlots
	// EventReplicate: myself became a replica of Node (FullSync tells
	// whether the replication history differs, so a full sync is needed).
	EventReplicate
	// EventPromoted: myself became a primary (failover, CLUSTER RESET of a
	// replica): stop replicating and accept writes. FullSync set means the
	// data must be flushed (RESET).
	EventPromoted
	// EventPrimaryAddress: the address of my primary changed; reconnect
	// replication to Node.
	EventPrimaryAddress
	// EventPublish: a PUBLISH (Sharded: SPUBLISH) arrived from the bus.
	EventPublish
	// EventVoted: we granted our failover vote to Node for the current epoch.
	EventVoted
	// EventMFStart: our replica Node asked us to pause writes for a manual
	// failover (hook for the replication layer).
	EventMFStart
	// EventMFEnd: the manual failover we paused for ended (done, timed out
	// or reset): resume writes.
	EventMFEnd
)

// Event is something the owner of the State must act on or log.
type Event struct {
	Kind     EventKind
	Node     ID
	OK       bool
	FullSync bool
	Sharded  bool
	Slots    []int
	Channel  []byte
	Payload  []byte
	Text     string
}

// Output is what a call into the State asks its owner to do, in order:
// apply Renames, Closes and Dials to the transport, send Send, persist
// nodes.conf (NodesConf) when Save is set (with fsync when Fsync is set)
// before acknowledging anything that depends on it, and handle Events.
type Output struct {
	Send       []Envelope
	Dials      []Dial
	Close      []ID     // outbound links to drop (reconnects go through Dials)
	CloseConns []uint64 // inbound connections to drop
	Renames    []Rename
	Save       bool
	Fsync      bool
	// Topology is set when anything clients can observe through routing
	// changed (slot owners, addresses, roles, cluster_state): refresh the
	// routing snapshot.
	Topology bool
	Events   []Event
}

// Empty reports whether the output asks for nothing.
func (o *Output) Empty() bool {
	return len(o.Send) == 0 && len(o.Dials) == 0 && len(o.Close) == 0 && len(o.CloseConns) == 0 &&
		len(o.Renames) == 0 && !o.Save && !o.Topology && len(o.Events) == 0
}
