package cli

import (
	"reflect"
	"testing"
)

const nodesText = "07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,host-4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected\n" +
	"67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922\n" +
	"292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003 master - 0 1426238318243 3 connected 10923-16383\n" +
	"e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5459 5460 [5461->-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1] [93-<-292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f]\n" +
	"6ec23923021cf3ffec47632106199cb7f496ce01 :0@0 master,noaddr - 1426238316232 0 5 disconnected\n" +
	"824fe116063bc5fcf9f4ffd895bc17aee7731ac3 ::1:30006@31006 master - 0 1426238316232 6 connected\n"

func TestParseClusterNodes(t *testing.T) {
	lines, err := parseClusterNodes(nodesText)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 6 {
		t.Fatalf("%d lines", len(lines))
	}
	r := lines[0]
	if !r.isReplica() || r.Primary != "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca" || r.Hostname != "host-4" ||
		r.Host != "127.0.0.1" || r.Port != 30004 || r.BusPort != 31004 || r.Slots.count() != 0 {
		t.Fatalf("replica line: %+v", r)
	}
	me := lines[3]
	if !me.isMyself() || me.Epoch != 1 || me.Slots.count() != 5461 || !me.Slots[5460] || me.Slots[5461] {
		t.Fatalf("myself line: %+v", me.Flags)
	}
	if !reflect.DeepEqual(me.Migrating, map[int]string{5461: "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1"}) ||
		!reflect.DeepEqual(me.Importing, map[int]string{93: "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f"}) {
		t.Fatalf("open slots: %v %v", me.Migrating, me.Importing)
	}
	if lines[4].Host != "" || !lines[4].hasFlag("noaddr") || lines[4].Link != "disconnected" {
		t.Fatalf("noaddr line: %+v", lines[4])
	}
	if lines[5].Host != "::1" || lines[5].Port != 30006 || lines[5].addr() != "[::1]:30006" {
		t.Fatalf("IPv6 line: %+v", lines[5])
	}
	if _, err := parseClusterNodes("garbage line\n"); err == nil {
		t.Fatal("a malformed line was accepted")
	}
}

func TestConfigSignature(t *testing.T) {
	a, _ := parseClusterNodes(nodesText)
	b, _ := parseClusterNodes(nodesText)
	// Node order, flags and open-slot markers do not matter.
	b[1], b[2] = b[2], b[1]
	b[3].Migrating = nil
	b[3].Flags = []string{"master"}
	if configSignature(a) != configSignature(b) {
		t.Fatalf("signatures differ:\n%s\n%s", configSignature(a), configSignature(b))
	}
	b[2].Slots[0] = true
	if configSignature(a) == configSignature(b) {
		t.Fatal("a different owner of slot 0 has the same signature")
	}
	want := "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f:10923-16383|67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1:5461-10922|" +
		"e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca:0-5460"
	if got := configSignature(a); got != want {
		t.Fatalf("signature %q", got)
	}
}

func TestSlotRanges(t *testing.T) {
	rs, err := parseSlotRanges("300-400, 0-99,200 50-120")
	if err != nil {
		t.Fatal(err)
	}
	want := []slotRange{{0, 120}, {200, 200}, {300, 400}}
	if !reflect.DeepEqual(rs, want) {
		t.Fatalf("got %v", rs)
	}
	if rangesString(rs) != "0-120 200-200 300-400" || compactRangesString(rs) != "0-120,200,300-400" ||
		slotsListString(rs) != "[0-120],[200],[300-400]" || rangesCount(rs) != 223 {
		t.Fatalf("renderings: %q %q %q", rangesString(rs), compactRangesString(rs), slotsListString(rs))
	}
	for _, bad := range []string{"", "16384", "5-1", "a", "-1", "1-"} {
		if _, err := parseSlotRanges(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got := parseRangesField("16379-16380 16382-16383"); !reflect.DeepEqual(got, []slotRange{{16379, 16380}, {16382, 16383}}) {
		t.Fatalf("slot_ranges field: %v", got)
	}
}

func TestParseRedirect(t *testing.T) {
	cases := []struct {
		wire, kind, host string
		slot, port       int
		ok               bool
	}{
		{"-MOVED 3999 127.0.0.1:6381\r\n", "MOVED", "127.0.0.1", 3999, 6381, true},
		{"-ASK 3999 127.0.0.1:6381\r\n", "ASK", "127.0.0.1", 3999, 6381, true},
		{"-MOVED 1 :6380\r\n", "MOVED", "", 1, 6380, true},
		{"-MOVED 1 ::1:6380\r\n", "MOVED", "::1", 1, 6380, true},
		{"-ERR MOVED 1 a:1\r\n", "", "", 0, 0, false},
		{"+MOVED 1 a:1\r\n", "", "", 0, 0, false},
	}
	for _, c := range cases {
		kind, slot, host, port, ok := parseRedirect(parse(t, c.wire))
		if kind != c.kind || slot != c.slot || host != c.host || port != c.port || ok != c.ok {
			t.Errorf("%q: %s %d %s %d %v", c.wire, kind, slot, host, port, ok)
		}
	}
}
