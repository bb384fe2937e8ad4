package cluster

import "strings"

// NodeFlags are the per-node flags. The bit values are Valkey's, and they
// travel on our wire unchanged.
type NodeFlags uint16

// Node flags.
const (
	FlagMyself              NodeFlags = 1 << 0  // this node
	FlagPrimary             NodeFlags = 1 << 1  // "master"
	FlagReplica             NodeFlags = 1 << 2  // "slave"
	FlagPFail               NodeFlags = 1 << 3  // "fail?": no PONG within node timeout
	FlagFail                NodeFlags = 1 << 4  // "fail": agreed by a majority of primaries
	FlagHandshake           NodeFlags = 1 << 5  // met, real id not learned yet
	FlagNoAddr              NodeFlags = 1 << 6  // address unknown
	FlagMeet                NodeFlags = 1 << 7  // send MEET instead of PING
	FlagMigrateTo           NodeFlags = 1 << 8  // valid target of replica migration
	FlagNoFailover          NodeFlags = 1 << 9  // replica will not fail over
	FlagExtensionsSupported NodeFlags = 1 << 10 // ping extensions understood
	FlagLightHdrSupported   NodeFlags = 1 << 11 // light PUBLISH header understood
)

var flagNames = []struct {
	f    NodeFlags
	name string
}{
	{FlagMyself, "myself"},
	{FlagPrimary, "master"},
	{FlagReplica, "slave"},
	{FlagPFail, "fail?"},
	{FlagFail, "fail"},
	{FlagHandshake, "handshake"},
	{FlagNoAddr, "noaddr"},
	{FlagNoFailover, "nofailover"},
}

// String renders the flags as CLUSTER NODES does: comma separated, in
// Valkey's order, "noflags" when none of the visible flags is set.
func (f NodeFlags) String() string {
	var b strings.Builder
	for _, fn := range flagNames {
		if f&fn.f != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(fn.name)
		}
	}
	if b.Len() == 0 {
		return "noflags"
	}
	return b.String()
}

// parseFlags parses a nodes.conf flags column. Valkey also accepts the
// "primary" and "replica" spellings.
func parseFlags(s string) (NodeFlags, bool) {
	var f NodeFlags
	for _, part := range strings.Split(s, ",") {
		switch strings.ToLower(part) {
		case "myself":
			f |= FlagMyself
		case "master", "primary":
			f |= FlagPrimary
		case "slave", "replica":
			f |= FlagReplica
		case "fail?":
			f |= FlagPFail
		case "fail":
			f |= FlagFail
		case "handshake":
			f |= FlagHandshake
		case "noaddr":
			f |= FlagNoAddr | FlagFail
		case "nofailover":
			f |= FlagNoFailover
		case "noflags":
		default:
			return 0, false
		}
	}
	return f, true
}
