package cluster

import (
	"strings"
	"testing"
	"time"
)

const (
	idMe = ID("aaaa000000000000000000000000000000000001")
	idY  = ID("bbbb000000000000000000000000000000000002")
	idX  = ID("cccc000000000000000000000000000000000003")
	idZ  = ID("dddd000000000000000000000000000000000004")
)

// loadTrio returns a state (myself) that knows Y and X, three primaries
// owning a third of the slots each, epochs 1, 2, 3.
func loadTrio(t *testing.T, now time.Time) *State {
	t.Helper()
	conf := string(idMe) + " 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460\n" +
		string(idY) + " 127.0.0.1:7001@17001 master - 0 0 2 connected 5461-10922\n" +
		string(idX) + " 127.0.0.1:7002@17002 master - 0 0 3 connected 10923-16383\n" +
		"vars currentEpoch 3 lastVoteEpoch 0\n"
	cfg := DefaultConfig()
	cfg.NodeTimeout = time.Second
	cfg.Port, cfg.CPort = 7000, 17000
	s, err := Load(cfg, []byte(conf), now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// headerFrom builds a header as node id (a primary with slots lo..hi) would.
func headerFrom(tp Type, id ID, epoch uint64, lo, hi int) *Message {
	port := map[ID]int{idMe: 7000, idY: 7001, idX: 7002}[id]
	if port == 0 {
		port = 7009
	}
	m := &Message{Type: tp, Sender: id, Port: port, CPort: port + 10000, Flags: FlagPrimary,
		CurrentEpoch: epoch, ConfigEpoch: epoch, Slots: new(SlotSet)}
	if lo >= 0 {
		m.Slots.SetRange(lo, hi)
	}
	return m
}

func inbound(conn uint64) Peer { return Peer{Conn: conn, IP: "127.0.0.1", LocalIP: "127.0.0.1"} }

func TestForgetBanKeepsGossipOut(t *testing.T) {
	now := t0
	s := loadTrio(t, now)
	if _, err := s.Forget(now, string(idX)); err != nil {
		t.Fatal(err)
	}
	gossipX := func(at time.Time) {
		m := headerFrom(MsgPing, idY, 2, 5461, 10922)
		m.Gossip = []Gossip{{ID: idX, IP: "127.0.0.1", Port: 7002, CPort: 17002, Flags: FlagPrimary}}
		s.Step(at, inbound(1), m)
	}
	gossipX(now.Add(time.Second))
	if _, ok := s.Node(idX); ok {
		t.Fatal("a banned node came back through gossip")
	}
	// Our PINGs tell others to forget it too, with the remaining TTL.
	s.LinkUp(now, idY) // not connecting: ignored, but harmless
	out := s.Tick(now.Add(2 * time.Second))
	_ = out
	m := s.newHeader(MsgPing)
	s.addExtensions(m)
	if len(m.Forgotten) != 1 || m.Forgotten[0].ID != idX || m.Forgotten[0].TTL > 60 || m.Forgotten[0].TTL < 57 {
		t.Fatalf("forgotten extension %+v", m.Forgotten)
	}
	gossipX(now.Add(61 * time.Second))
	if _, ok := s.Node(idX); !ok {
		t.Fatal("after the ban the node may be learned again")
	}
}

func TestForgottenExtensionRemovesNode(t *testing.T) {
	s := loadTrio(t, t0)
	m := headerFrom(MsgPing, idY, 2, 5461, 10922)
	m.Forgotten = []Forgotten{{ID: idX, TTL: 30}}
	out := s.Step(t0, inbound(1), m)
	if _, ok := s.Node(idX); ok || !out.Save {
		t.Fatalf("X still known (save %v)", out.Save)
	}
	if _, err := s.Forget(t0, string(idX)); err != nil {
		t.Fatalf("forgetting a banned node succeeds: %v", err)
	}
}

func TestPingFromUnknownOnlyGetsPong(t *testing.T) {
	s := loadTrio(t, t0)
	out := s.Step(t0, inbound(5), headerFrom(MsgPing, idZ, 9, -1, 0))
	if _, ok := s.Node(idZ); ok {
		t.Fatal("a PING must not add its unknown sender")
	}
	if len(out.Send) != 1 || out.Send[0].Conn != 5 || out.Send[0].Msg.Type != MsgPong {
		t.Fatalf("reply %+v", out.Send)
	}
	if s.CurrentEpoch() != 3 {
		t.Fatal("an unknown sender's epochs are not trusted")
	}
}

func TestMeetFromUnknownStartsHandshake(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Port, cfg.CPort = 7000, 17000
	s := New(cfg) // no announced IP: learned from the MEET
	m := headerFrom(MsgMeet, idZ, 0, -1, 0)
	out := s.Step(t0, Peer{Conn: 3, IP: "10.0.0.9", LocalIP: "10.0.0.1"}, m)
	if s.Myself().IP != "10.0.0.1" || !out.Save {
		t.Fatalf("own IP not learned: %q", s.Myself().IP)
	}
	nodes := s.Nodes()
	if len(nodes) != 2 {
		t.Fatalf("%d nodes", len(nodes))
	}
	var h Node
	for _, n := range nodes {
		if n.ID != s.MyID() {
			h = n
		}
	}
	if h.Flags&FlagHandshake == 0 || h.IP != "10.0.0.9" || h.CPort != 17009 || h.ID == idZ {
		t.Fatalf("handshake node %+v", h)
	}
	// Our PING to it is answered by the real id: the node is renamed.
	out = s.Tick(t0.Add(10 * time.Millisecond))
	if len(out.Dials) != 1 || out.Dials[0].ID != h.ID {
		t.Fatalf("dials %+v", out.Dials)
	}
	s.LinkUp(t0.Add(20*time.Millisecond), h.ID)
	pong := headerFrom(MsgPong, idZ, 0, -1, 0)
	out = s.Step(t0.Add(30*time.Millisecond), Peer{Outbound: true, Link: h.ID, IP: "10.0.0.9"}, pong)
	if z, ok := s.Node(idZ); !ok || z.Flags&FlagHandshake != 0 || z.PongRecv == 0 {
		t.Fatalf("after PONG: %+v %v", z, ok)
	}
	if len(out.Renames) != 1 || out.Renames[0].From != h.ID || out.Renames[0].To != idZ {
		t.Fatalf("renames %+v", out.Renames)
	}
}

func TestPongWithMismatchingIDMarksNoAddr(t *testing.T) {
	s := loadTrio(t, t0)
	s.Tick(t0) // dials everyone
	s.LinkUp(t0, idY)
	out := s.Step(t0, Peer{Outbound: true, Link: idY, IP: "127.0.0.1"}, headerFrom(MsgPong, idZ, 0, -1, 0))
	y, _ := s.Node(idY)
	if y.Flags&(FlagNoAddr|FlagFail) != FlagNoAddr|FlagFail || y.IP != "" {
		t.Fatalf("node after a reset peer answered: %+v", y)
	}
	if len(out.Close) != 1 || out.Close[0] != idY {
		t.Fatalf("close %+v", out.Close)
	}
	if !strings.Contains(s.ClusterNodes(), string(idY)+" :0@0 master,fail,noaddr") {
		t.Fatalf("nodes:\n%s", s.ClusterNodes())
	}
}

func TestEpochCollisionSmallerIDMoves(t *testing.T) {
	s := loadTrio(t, t0) // myself has the smallest id, epoch 1
	m := headerFrom(MsgPing, idY, 1, 5461, 10922)
	m.CurrentEpoch = 3
	s.nodes[idY].epoch = 1 // collide with myself
	out := s.Step(t0, inbound(1), m)
	if me := s.Myself(); me.ConfigEpoch != 4 || s.CurrentEpoch() != 4 || !out.Fsync {
		t.Fatalf("after collision: epoch %d current %d", me.ConfigEpoch, s.CurrentEpoch())
	}
	// The greater id does not move.
	conf := "ffff000000000000000000000000000000000009 127.0.0.1:7000@17000 myself,master - 0 0 2 connected 0-5460\n" +
		string(idY) + " 127.0.0.1:7001@17001 master - 0 0 2 connected 5461-16383\n"
	cfg := DefaultConfig()
	cfg.Port, cfg.CPort = 7000, 17000
	big, err := Load(cfg, []byte(conf), t0)
	if err != nil {
		t.Fatal(err)
	}
	big.Step(t0, inbound(1), headerFrom(MsgPing, idY, 2, 5461, 16383))
	if e := big.Myself().ConfigEpoch; e != 2 {
		t.Fatalf("the greater id moved to %d", e)
	}
}

func TestUpdateRebindsSlotsAndDropsStale(t *testing.T) {
	s := loadTrio(t, t0)
	up := headerFrom(MsgUpdate, idY, 5, 5461, 10922)
	up.UpdateID, up.UpdateEpoch = idX, 7
	up.UpdateSlots = new(SlotSet)
	up.UpdateSlots.SetRange(0, 10) // X now owns 0-10 (ours) and 10923-16383 no more
	out := s.Step(t0, inbound(1), up)
	if s.SlotOwner(5) != idX {
		t.Fatalf("slot 5 owner %s", s.SlotOwner(5))
	}
	var del []int
	for _, e := range out.Events {
		if e.Kind == EventDeleteSlots {
			del = e.Slots
		}
	}
	if len(del) != 11 || del[0] != 0 || del[10] != 10 {
		t.Fatalf("delete slots %v", del)
	}
	// X stopped claiming 10923-16383: kept bound, flagged not claiming.
	if s.SlotOwner(12000) != idX || !s.ownerNotClaiming.Has(12000) {
		t.Fatal("unclaimed slots stay bound but doubted")
	}
	// An older UPDATE changes nothing.
	up2 := headerFrom(MsgUpdate, idY, 5, 5461, 10922)
	up2.UpdateID, up2.UpdateEpoch, up2.UpdateSlots = idX, 6, new(SlotSet)
	up2.UpdateSlots.SetRange(20, 30)
	s.Step(t0, inbound(1), up2)
	if s.SlotOwner(20) != idMe {
		t.Fatal("a stale UPDATE was applied")
	}
}

func TestFailureReportsNeedQuorumAndExpire(t *testing.T) {
	now := t0
	s := loadTrio(t, now)
	s.Tick(now)
	s.LinkUp(now, idX)
	s.LinkUp(now, idY)
	// Pings are pending; after the timeout X is PFAIL (Y answers).
	pong := func(at time.Time, id ID, lo, hi int, epoch uint64) {
		m := headerFrom(MsgPong, id, epoch, lo, hi)
		s.Step(at, Peer{Outbound: true, Link: id, IP: "127.0.0.1"}, m)
	}
	pong(now.Add(100*time.Millisecond), idY, 5461, 10922, 2)
	s.Tick(now.Add(1500 * time.Millisecond))
	x, _ := s.Node(idX)
	if x.Flags&FlagPFail == 0 || x.Flags&FlagFail != 0 {
		t.Fatalf("x flags %v", x.Flags)
	}
	// Y (a voting primary) reports X failing: with my own vote, 2 of 3.
	m := headerFrom(MsgPing, idY, 2, 5461, 10922)
	m.Gossip = []Gossip{{ID: idX, IP: "127.0.0.1", Port: 7002, CPort: 17002, Flags: FlagPrimary | FlagPFail}}
	out := s.Step(now.Add(1600*time.Millisecond), inbound(1), m)
	x, _ = s.Node(idX)
	if x.Flags&FlagFail == 0 {
		t.Fatalf("x not FAIL: %v", x.Flags)
	}
	fails := 0
	for _, e := range out.Send {
		if e.Msg.Type == MsgFail && e.Msg.About == idX {
			fails++
		}
	}
	if fails == 0 {
		t.Fatal("FAIL not broadcast")
	}
	if n, _ := s.CountFailureReports(string(idX)); n != 1 {
		t.Fatalf("reports %d", n)
	}
	if n, _ := s.CountFailureReports(string(idX)); n != 1 {
		t.Fatal(n)
	}
	s.now = now.Add(5 * time.Second).UnixMilli()
	if n, _ := s.CountFailureReports(string(idX)); n != 0 {
		t.Fatalf("reports older than 2×timeout must expire, got %d", n)
	}
}

func TestVoteOncePerEpoch(t *testing.T) {
	s := loadTrio(t, t0)
	s.Tick(t0)
	s.LinkUp(t0, idX)
	s.LinkUp(t0, idY)
	// Z is a replica of X; X is FAIL.
	s.nodes[idX].flags |= FlagFail
	z := s.createNode(idZ, FlagReplica)
	z.primary = s.nodes[idX]
	s.nodes[idX].addReplica(z)
	z.link = linkUp
	s.addNode(z)
	req := &Message{Type: MsgAuthRequest, Sender: idZ, Flags: FlagReplica, PrimaryID: idX,
		CurrentEpoch: 4, ConfigEpoch: 3, Slots: new(SlotSet)}
	req.Slots.SetRange(10923, 16383)
	out := s.Step(t0, inbound(7), req)
	acks := 0
	for _, e := range out.Send {
		if e.Msg.Type == MsgAuthAck && e.To == idZ {
			acks++
		}
	}
	if acks != 1 || s.LastVoteEpoch() != 4 || !out.Fsync {
		t.Fatalf("acks %d last vote %d", acks, s.LastVoteEpoch())
	}
	out = s.Step(t0, inbound(7), req)
	for _, e := range out.Send {
		if e.Msg.Type == MsgAuthAck {
			t.Fatal("voted twice in one epoch")
		}
	}
}
