package cluster

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func newTestState(t *testing.T, seed uint64, port int) *State {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Seed = seed
	cfg.Port, cfg.CPort = port, port+10000
	cfg.IP = "127.0.0.1"
	return New(cfg)
}

func TestSlotSetRanges(t *testing.T) {
	var b SlotSet
	for _, s := range []int{0, 1, 2, 63, 64, 65, 100, 16383} {
		b.Set(s)
	}
	got := b.Ranges()
	want := []Range{{0, 2}, {63, 65}, {100, 100}, {16383, 16383}}
	if len(got) != len(want) {
		t.Fatalf("ranges %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("ranges %v, want %v", got, want)
		}
	}
	if b.Count() != 8 {
		t.Fatalf("count %d", b.Count())
	}
	var full SlotSet
	full.SetRange(0, 16383)
	if r := full.Ranges(); len(r) != 1 || r[0] != (Range{0, 16383}) || full.Count() != 16384 {
		t.Fatalf("full: %v %d", r, full.Count())
	}
}

func TestFlagsString(t *testing.T) {
	cases := map[NodeFlags]string{
		0:                                     "noflags",
		FlagMyself | FlagPrimary:              "myself,master",
		FlagReplica | FlagPFail:               "slave,fail?",
		FlagPrimary | FlagFail | FlagNoAddr:   "master,fail,noaddr",
		FlagHandshake | FlagMeet:              "handshake",
		FlagReplica | FlagNoFailover:          "slave,nofailover",
		FlagMigrateTo | FlagLightHdrSupported: "noflags",
	}
	for f, want := range cases {
		if got := f.String(); got != want {
			t.Errorf("%b: %q, want %q", f, got, want)
		}
	}
}

func TestNewIDIsValidAndDeterministic(t *testing.T) {
	a, b := newTestState(t, 7, 7000), newTestState(t, 7, 7000)
	if a.MyID() != b.MyID() || !ValidID(string(a.MyID())) {
		t.Fatalf("ids %q %q", a.MyID(), b.MyID())
	}
	if c := newTestState(t, 8, 7000); c.MyID() == a.MyID() {
		t.Fatal("different seeds, same id")
	}
}

func errCode(err error) ErrCode {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

func TestAddDelSlotsChecks(t *testing.T) {
	s := newTestState(t, 1, 7000)
	if _, err := s.AddSlots(t0, []int{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSlots(t0, []int{4, 2}); errCode(err) != ErrSlotBusy {
		t.Fatalf("busy: %v", err)
	}
	if s.SlotOwner(4) != "" {
		t.Fatal("failed ADDSLOTS must change nothing")
	}
	if _, err := s.AddSlots(t0, []int{5, 5}); errCode(err) != ErrSlotRepeated {
		t.Fatalf("repeated: %v", err)
	}
	if _, err := s.AddSlotsRanges(t0, []Range{{10, 20}, {15, 30}}); errCode(err) != ErrSlotRepeated {
		t.Fatalf("overlap: %v", err)
	}
	if _, err := s.AddSlotsRanges(t0, []Range{{30, 20}}); errCode(err) != ErrSlotRangeOrder {
		t.Fatalf("order: %v", err)
	}
	if _, err := s.DelSlots(t0, []int{9}); errCode(err) != ErrSlotUnassigned {
		t.Fatalf("unassigned: %v", err)
	}
	out, err := s.DelSlots(t0, []int{2})
	if err != nil || !out.Save {
		t.Fatalf("delslots: %v %+v", err, out)
	}
	if got := s.Myself().Slots; len(got) != 2 || got[0] != (Range{1, 1}) || got[1] != (Range{3, 3}) {
		t.Fatalf("slots %v", got)
	}
	if _, err := s.AddSlots(t0, []int{16384}); errCode(err) != ErrInvalidSlot {
		t.Fatalf("invalid: %v", err)
	}
}

func TestSetConfigEpochAndBump(t *testing.T) {
	s := newTestState(t, 1, 7000)
	if _, err := s.SetConfigEpoch(t0, -1); errCode(err) != ErrEpochInvalid {
		t.Fatal(err)
	}
	if _, err := s.SetConfigEpoch(t0, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetConfigEpoch(t0, 6); errCode(err) != ErrEpochNonZero {
		t.Fatal(err)
	}
	if s.CurrentEpoch() != 5 {
		t.Fatalf("current epoch %d", s.CurrentEpoch())
	}
	bumped, e, _ := s.BumpEpoch(t0)
	if bumped || e != 5 {
		t.Fatalf("already the max: %v %d", bumped, e)
	}
	if _, err := s.Meet(t0, "127.0.0.1", 7001, 17001); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetConfigEpoch(t0, 9); errCode(err) != ErrEpochOthersKnown {
		t.Fatal(err)
	}
}

func TestMeetValidation(t *testing.T) {
	s := newTestState(t, 1, 7000)
	for _, ip := range []string{"localhost", "1.2.3", "fe80::1%eth0", ""} {
		if _, err := s.Meet(t0, ip, 7001, 17001); errCode(err) != ErrInvalidAddress {
			t.Errorf("%q: %v", ip, err)
		}
	}
	if _, err := s.Meet(t0, "127.0.0.1", 0, 10000); errCode(err) != ErrInvalidAddress {
		t.Error(err)
	}
	out, err := s.Meet(t0, "127.0.0.1", 7001, 17001)
	if err != nil || len(out.Dials) != 1 || out.Dials[0].CPort != 17001 {
		t.Fatalf("meet: %v %+v", err, out)
	}
	out, _ = s.Meet(t0, "127.0.0.1", 7001, 17001) // in progress: no second node
	if len(s.Nodes()) != 2 || len(out.Dials) != 0 {
		t.Fatalf("handshake duplicated: %d nodes", len(s.Nodes()))
	}
	if !strings.Contains(s.ClusterNodes(), "handshake") {
		t.Fatalf("nodes:\n%s", s.ClusterNodes())
	}
	if strings.Contains(string(s.NodesConf()), "handshake") {
		t.Fatal("handshake nodes are not persisted")
	}
}

func TestForgetChecks(t *testing.T) {
	s := newTestState(t, 1, 7000)
	if _, err := s.Forget(t0, string(s.MyID())); errCode(err) != ErrForgetMyself {
		t.Fatal(err)
	}
	if _, err := s.Forget(t0, strings.Repeat("a", 40)); errCode(err) != ErrUnknownNode {
		t.Fatal(err)
	}
}

func TestInfoString(t *testing.T) {
	s := newTestState(t, 1, 7000)
	got := s.Info().String()
	want := "cluster_state:fail\r\ncluster_slots_assigned:0\r\ncluster_slots_ok:0\r\ncluster_slots_pfail:0\r\n" +
		"cluster_slots_fail:0\r\ncluster_nodes_pfail:0\r\ncluster_nodes_fail:0\r\ncluster_voting_nodes_pfail:0\r\n" +
		"cluster_voting_nodes_fail:0\r\ncluster_known_nodes:1\r\ncluster_size:0\r\ncluster_current_epoch:0\r\n" +
		"cluster_my_epoch:0\r\ncluster_stats_messages_sent:0\r\ncluster_stats_messages_received:0\r\n" +
		"total_cluster_links_buffer_limit_exceeded:0\r\n"
	if got != want {
		t.Fatalf("info:\n%q\nwant\n%q", got, want)
	}
}

func TestSingleNodeClusterOK(t *testing.T) {
	s := newTestState(t, 1, 7000)
	if _, err := s.AddSlotsRanges(t0, []Range{{0, 16383}}); err != nil {
		t.Fatal(err)
	}
	// A primary waits 2 s after its first state evaluation.
	s.Tick(t0)
	if s.OK() {
		t.Fatal("ok before the writable delay")
	}
	out := s.Tick(t0.Add(2100 * time.Millisecond))
	if !s.OK() || !out.Topology {
		t.Fatalf("state not ok: %s", s.Info())
	}
	line := strings.TrimSpace(s.ClusterNodes())
	want := string(s.MyID()) + " 127.0.0.1:7000@17000 myself,master - 0 0 0 connected 0-16383"
	if line != want {
		t.Fatalf("nodes line\n%q\nwant\n%q", line, want)
	}
}

func TestReconfigure(t *testing.T) {
	s := newTestState(t, 1, 7000)
	cfg := DefaultConfig()
	cfg.Port, cfg.CPort, cfg.IP, cfg.Hostname = 7000, 17000, "10.9.9.9", "db-1"
	cfg.ReplicaNoFailover = true
	out := s.Reconfigure(t0, cfg)
	me := s.Myself()
	if !out.Save || me.IP != "10.9.9.9" || me.Hostname != "db-1" || me.Flags&FlagNoFailover == 0 {
		t.Fatalf("%+v save=%v", me, out.Save)
	}
	if !strings.Contains(s.ClusterNodes(), "10.9.9.9:7000@17000,db-1 myself,master,nofailover") {
		t.Fatalf("nodes:\n%s", s.ClusterNodes())
	}
	cfg.IP = ""
	s.Reconfigure(t0, cfg)
	if s.Myself().IP != "" {
		t.Fatal("dropping the announced IP must restart discovery")
	}
}
