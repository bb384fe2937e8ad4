package cluster

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shoal-db/shoal/internal/slot"
)

// NodesConf returns the nodes.conf content: the CLUSTER NODES lines with
// the aux fields Valkey persists (",hostname,tls-port=N,nodename=X,
// shard-id=Y"), without handshake nodes, then the
// "vars currentEpoch N lastVoteEpoch M" line.
func (s *State) NodesConf() []byte {
	return []byte(s.describeNodes(true) +
		fmt.Sprintf("vars currentEpoch %d lastVoteEpoch %d\n", s.currentEpoch, s.lastVoteEpoch))
}

// ConfError is a corrupted nodes.conf; Valkey refuses to start on it.
type ConfError struct {
	Line string
	Msg  string
}

func (e *ConfError) Error() string {
	return fmt.Sprintf("corrupted cluster config file %q: %s", e.Line, e.Msg)
}

// Load rebuilds a State from nodes.conf content (clusterLoadConfig), then
// applies cfg's announced settings to myself. Timestamps in the file only
// say "a ping was pending" / "a pong was seen": they become now.
func Load(cfg Config, data []byte, now time.Time) (*State, error) {
	cfg.normalize()
	s := newEmptyState(cfg)
	s.now = now.UnixMilli()
	for _, line := range strings.Split(string(data), "\n") {
		argv := strings.Fields(line)
		if len(argv) == 0 {
			continue
		}
		if err := s.loadLine(argv); err != nil {
			return nil, &ConfError{Line: strings.TrimSpace(line), Msg: err.Error()}
		}
	}
	if s.myself == nil {
		return nil, &ConfError{Msg: "no node is flagged myself"}
	}
	if m := s.maxEpoch(); m > s.currentEpoch {
		s.currentEpoch = m
	}
	s.applyMyselfConfig()
	return s, nil
}

func (s *State) loadLine(argv []string) error {
	if strings.EqualFold(argv[0], "vars") {
		return s.loadVars(argv)
	}
	if len(argv) < 8 {
		return fmt.Errorf("expected at least 8 fields")
	}
	if !ValidID(argv[0]) {
		return fmt.Errorf("invalid node id")
	}
	n := s.loadNode(ID(argv[0]))
	hadShard, err := s.loadAddress(n, argv[1])
	if err != nil {
		return err
	}
	if err := s.loadFlags(n, argv[2]); err != nil {
		return err
	}
	if err := s.loadPrimary(n, argv[3], hadShard); err != nil {
		return err
	}
	if v, _ := strconv.ParseInt(argv[4], 10, 64); v != 0 {
		n.pingSent = s.now
	}
	if v, _ := strconv.ParseInt(argv[5], 10, 64); v != 0 {
		n.pongRecv = s.now
	}
	if !(n.isReplica() && n.primary != nil) {
		e, err := strconv.ParseUint(argv[6], 10, 64)
		if err != nil {
			return fmt.Errorf("invalid config epoch")
		}
		n.epoch = e
	}
	for _, a := range argv[8:] {
		if err := s.loadSlots(n, a); err != nil {
			return err
		}
	}
	return nil
}

func (s *State) loadVars(argv []string) error {
	if len(argv)%2 == 0 {
		return fmt.Errorf("odd vars line")
	}
	for j := 1; j < len(argv); j += 2 {
		v, err := strconv.ParseUint(argv[j+1], 10, 64)
		if err != nil {
			return fmt.Errorf("invalid %s", argv[j])
		}
		switch {
		case strings.EqualFold(argv[j], "currentEpoch"):
			s.currentEpoch = v
		case strings.EqualFold(argv[j], "lastVoteEpoch"):
			s.lastVoteEpoch = v
		}
	}
	return nil
}

func (s *State) loadNode(id ID) *node {
	if n := s.lookup(id); n != nil {
		return n
	}
	n := s.createNode(id, 0)
	s.addNode(n)
	return n
}

// loadAddress parses "ip:port[@cport][,hostname][,aux=val]*".
func (s *State) loadAddress(n *node, field string) (hadShard bool, err error) {
	aux := strings.Split(field, ",")
	n.hostname = ""
	if len(aux) > 1 {
		n.hostname = aux[1]
	}
	tcpPort, tlsPort := -1, -1
	for _, kv := range aux[min(2, len(aux)):] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !validAux(k) || !validAux(v) {
			return false, fmt.Errorf("invalid aux field %q", kv)
		}
		switch k {
		case "shard-id":
			if !ValidID(v) {
				return false, fmt.Errorf("invalid shard id")
			}
			n.shardID = ID(v)
			hadShard = true
		case "nodename":
			n.humanName = v
		case "tcp-port", "tls-port":
			p, err := strconv.Atoi(v)
			if err != nil || p < 0 || p > 65535 {
				return false, fmt.Errorf("invalid %s", k)
			}
			if k == "tcp-port" {
				tcpPort = p
			} else {
				tlsPort = p
			}
		case "client-ipv4", "client-ipv6":
			// Announced client addresses are not supported; accept and drop.
		default:
			return false, fmt.Errorf("unknown aux field %q", k)
		}
	}
	i := strings.LastIndexByte(aux[0], ':')
	if i < 0 {
		return false, fmt.Errorf("missing port")
	}
	n.ip = aux[0][:i]
	portStr, busStr, hasBus := strings.Cut(aux[0][i+1:], "@")
	port, _ := strconv.Atoi(portStr)
	n.port, n.tlsPort = port, 0
	if tcpPort >= 0 {
		n.port = tcpPort
	}
	if tlsPort >= 0 {
		n.tlsPort = tlsPort
	}
	n.cport = n.port + 10000
	if hasBus {
		n.cport, _ = strconv.Atoi(busStr)
	}
	return hadShard, nil
}

func validAux(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

func (s *State) loadFlags(n *node, field string) error {
	f, ok := parseFlags(field)
	if !ok {
		return fmt.Errorf("unknown flag in %q", field)
	}
	if f&FlagMyself != 0 {
		if s.myself != nil {
			return fmt.Errorf("two nodes flagged myself")
		}
		s.myself = n
	}
	if f&FlagFail != 0 {
		n.failTime = s.now
	}
	n.flags |= f
	return nil
}

func (s *State) loadPrimary(n *node, field string, hadShard bool) error {
	if field == "-" {
		return nil
	}
	if !ValidID(field) {
		return fmt.Errorf("invalid primary id")
	}
	p := s.loadNode(ID(field))
	n.primary = p
	p.addReplica(n)
	if !hadShard {
		n.shardID = p.shardID // written by an older version: follow the primary
	}
	return nil
}

// loadSlots parses "N", "A-B", "[N->-id]" (migrating) or "[N-<-id]"
// (importing).
func (s *State) loadSlots(n *node, a string) error {
	if strings.HasPrefix(a, "[") {
		body := strings.TrimSuffix(a[1:], "]")
		i := strings.IndexByte(body, '-')
		if i < 0 || len(body) < i+3+IDLen || !strings.HasSuffix(a, "]") {
			return fmt.Errorf("invalid open slot %q", a)
		}
		sl, err := strconv.Atoi(body[:i])
		if err != nil || sl < 0 || sl >= slot.Count {
			return fmt.Errorf("invalid open slot %q", a)
		}
		dir, id := body[i+1], body[i+3:]
		if !ValidID(id) {
			return fmt.Errorf("invalid node id in %q", a)
		}
		other := s.loadNode(ID(id))
		if dir == '>' {
			s.migrating[sl] = other
		} else {
			s.importing[sl] = other
		}
		return nil
	}
	lo, hi, isRange := strings.Cut(a, "-")
	start, err1 := strconv.Atoi(lo)
	stop := start
	var err2 error
	if isRange {
		stop, err2 = strconv.Atoi(hi)
	}
	if err1 != nil || err2 != nil || start < 0 || stop >= slot.Count || stop < 0 || start >= slot.Count {
		return fmt.Errorf("invalid slot %q", a)
	}
	for j := start; j <= stop; j++ {
		s.addSlot(n, j)
	}
	return nil
}
