package cli

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
)

// nodeLine is one line of CLUSTER NODES, from the point of view of the
// node that printed it.
type nodeLine struct {
	ID        string
	Host      string // the ip field; "" when the node does not know it
	Port      int
	BusPort   int
	Hostname  string
	Flags     []string
	Primary   string // the primary's id for a replica, "" otherwise
	PingSent  int64
	PongRecv  int64
	Epoch     uint64
	Link      string
	Slots     slotSet
	Migrating map[int]string // slot -> target id (myself line only)
	Importing map[int]string // slot -> source id (myself line only)
}

func (n *nodeLine) hasFlag(f string) bool {
	for _, x := range n.Flags {
		if x == f {
			return true
		}
	}
	return false
}

func (n *nodeLine) isReplica() bool { return n.hasFlag("slave") || n.hasFlag("replica") }
func (n *nodeLine) isMyself() bool  { return n.hasFlag("myself") }

// addr is the dial address of the node.
func (n *nodeLine) addr() string { return net.JoinHostPort(n.Host, strconv.Itoa(n.Port)) }

// parseClusterNodes parses the CLUSTER NODES text.
func parseClusterNodes(text string) ([]*nodeLine, error) {
	var out []*nodeLine
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		n, err := parseNodeLine(line)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func parseNodeLine(line string) (*nodeLine, error) {
	f := strings.Fields(line)
	if len(f) < 8 {
		return nil, fmt.Errorf("invalid CLUSTER NODES line %q", line)
	}
	n := &nodeLine{ID: f[0], Flags: strings.Split(f[2], ","), Link: f[7]}
	if err := n.parseAddr(f[1]); err != nil {
		return nil, fmt.Errorf("invalid CLUSTER NODES line %q: %w", line, err)
	}
	if f[3] != "-" {
		n.Primary = f[3]
	}
	n.PingSent, _ = strconv.ParseInt(f[4], 10, 64)
	n.PongRecv, _ = strconv.ParseInt(f[5], 10, 64)
	n.Epoch, _ = strconv.ParseUint(f[6], 10, 64)
	for _, s := range f[8:] {
		if err := n.parseSlotField(s); err != nil {
			return nil, fmt.Errorf("invalid CLUSTER NODES line %q: %w", line, err)
		}
	}
	return n, nil
}

// parseAddr parses "ip:port@cport[,hostname]"; IPv6 addresses are not
// bracketed, so the port follows the last colon.
func (n *nodeLine) parseAddr(s string) error {
	s, n.Hostname, _ = strings.Cut(s, ",")
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		n.BusPort, _ = strconv.Atoi(s[at+1:])
		s = s[:at]
	}
	colon := strings.LastIndexByte(s, ':')
	if colon < 0 {
		return fmt.Errorf("address %q has no port", s)
	}
	port, err := strconv.Atoi(s[colon+1:])
	if err != nil {
		return fmt.Errorf("address %q: bad port", s)
	}
	n.Host, n.Port = s[:colon], port
	return nil
}

// parseSlotField parses "n", "a-b", "[n->-id]" or "[n-<-id]".
func (n *nodeLine) parseSlotField(s string) error {
	if strings.HasPrefix(s, "[") {
		body := strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
		if slotStr, id, ok := strings.Cut(body, "->-"); ok {
			sl, err := parseSlot(slotStr)
			if err != nil {
				return err
			}
			if n.Migrating == nil {
				n.Migrating = map[int]string{}
			}
			n.Migrating[sl] = id
			return nil
		}
		if slotStr, id, ok := strings.Cut(body, "-<-"); ok {
			sl, err := parseSlot(slotStr)
			if err != nil {
				return err
			}
			if n.Importing == nil {
				n.Importing = map[int]string{}
			}
			n.Importing[sl] = id
			return nil
		}
		return fmt.Errorf("bad slot field %q", s)
	}
	lo, hi, isRange := strings.Cut(s, "-")
	if !isRange {
		hi = lo
	}
	a, err1 := parseSlot(lo)
	b, err2 := parseSlot(hi)
	if err1 != nil || err2 != nil || a > b {
		return fmt.Errorf("bad slot field %q", s)
	}
	n.Slots.addRanges([]slotRange{{a, b}})
	return nil
}

// configSignature is valkey-cli's summary of a node's view of slot
// ownership: "id:slots,..." of every node owning slots, sorted, joined by
// "|". Two nodes agree about the configuration when their signatures match.
func configSignature(lines []*nodeLine) string {
	var parts []string
	for _, n := range lines {
		rs := n.Slots.ranges()
		if len(rs) == 0 {
			continue
		}
		fields := make([]string, len(rs))
		for i, r := range rs {
			if r.Start == r.End {
				fields[i] = strconv.Itoa(r.Start)
			} else {
				fields[i] = fmt.Sprintf("%d-%d", r.Start, r.End)
			}
		}
		slices.Sort(fields)
		parts = append(parts, n.ID+":"+strings.Join(fields, ","))
	}
	slices.Sort(parts)
	return strings.Join(parts, "|")
}
