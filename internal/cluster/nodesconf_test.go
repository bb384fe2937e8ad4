package cluster

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A nodes.conf as Valkey 8/9 writes it: aux fields after the address,
// an importing marker on myself, a replica, a failed node, the vars line.
const valkeyConf = `e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@40001,,tls-port=0,shard-id=1111111111111111111111111111111111111111 myself,master - 0 1700000000000 1 connected 0-5460 [5461-<-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@40002,host-b.example,tls-port=0,nodename=b,shard-id=2222222222222222222222222222222222222222 master - 0 1700000000000 2 connected 5461-10922
292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@40003,,tls-port=0,shard-id=3333333333333333333333333333333333333333 master,fail - 1700000000000 1700000000000 3 disconnected 10923-16383
6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:30005@40005,,tls-port=0,shard-id=2222222222222222222222222222222222222222 slave 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 1700000000000 2 connected
vars currentEpoch 6 lastVoteEpoch 4
`

func TestLoadValkeyNodesConf(t *testing.T) {
	now := time.UnixMilli(1800000000000)
	cfg := DefaultConfig()
	cfg.Port, cfg.CPort = 30001, 40001
	s, err := Load(cfg, []byte(valkeyConf), now)
	if err != nil {
		t.Fatal(err)
	}
	if s.MyID() != "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca" || s.MyShardID() != "1111111111111111111111111111111111111111" {
		t.Fatalf("myself %s shard %s", s.MyID(), s.MyShardID())
	}
	if s.CurrentEpoch() != 6 || s.LastVoteEpoch() != 4 {
		t.Fatalf("epochs %d %d", s.CurrentEpoch(), s.LastVoteEpoch())
	}
	b, _ := s.Node("67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1")
	if b.Hostname != "host-b.example" || b.HumanNodename != "b" || b.ConfigEpoch != 2 || b.NumSlots != 5462 {
		t.Fatalf("node b %+v", b)
	}
	r, _ := s.Node("6ec23923021cf3ffec47632106199cb7f496ce01")
	if r.PrimaryID != b.ID || r.Flags&FlagReplica == 0 || r.ShardID != b.ShardID || r.ConfigEpoch != 2 {
		t.Fatalf("replica %+v", r)
	}
	c, _ := s.Node("292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f")
	if c.Flags&FlagFail == 0 || c.PingSent != now.UnixMilli() || c.Connected {
		t.Fatalf("failed node %+v", c)
	}
	if s.Importing()[5461] != b.ID {
		t.Fatalf("importing %v", s.Importing())
	}
	// Saved again, the file keeps everything (timestamps were normalized).
	again, err := Load(cfg, s.NodesConf(), now)
	if err != nil {
		t.Fatal(err)
	}
	if string(again.NodesConf()) != string(s.NodesConf()) {
		t.Fatalf("not stable:\n%s\n%s", s.NodesConf(), again.NodesConf())
	}
	want := "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@40001,,tls-port=0,shard-id=1111111111111111111111111111111111111111 myself,master - 0 1800000000000 1 connected 0-5460 [5461-<-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]"
	if !strings.Contains(string(s.NodesConf()), want+"\n") {
		t.Fatalf("myself line missing, want\n%s\nin\n%s", want, s.NodesConf())
	}
	// CLUSTER NODES shows the hostname but no aux fields.
	if !strings.Contains(s.ClusterNodes(), "127.0.0.1:30002@40002,host-b.example master - 0 1800000000000 2 disconnected 5461-10922\n") {
		t.Fatalf("cluster nodes:\n%s", s.ClusterNodes())
	}
	if !strings.HasSuffix(string(s.NodesConf()), "vars currentEpoch 6 lastVoteEpoch 4\n") {
		t.Fatalf("vars line:\n%s", s.NodesConf())
	}
}

func TestLoadRejectsCorruptConf(t *testing.T) {
	cfg := DefaultConfig()
	for name, text := range map[string]string{
		"no myself":    "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@40002 master - 0 0 2 connected\n",
		"short line":   "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@40002 myself,master - 0 0\n",
		"bad id":       "xyz 127.0.0.1:30002@40002 myself,master - 0 0 2 connected\n",
		"bad flag":     "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@40002 myself,bogus - 0 0 2 connected\n",
		"bad slot":     "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@40002 myself,master - 0 0 2 connected 16384\n",
		"bad aux":      "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@40002,,what=1 myself,master - 0 0 2 connected\n",
		"two myselves": "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:1@2 myself,master - 0 0 2 connected\n292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:3@4 myself,master - 0 0 2 connected\n",
		"vars":         "vars currentEpoch\n",
	} {
		var ce *ConfError
		if _, err := Load(cfg, []byte(text), time.Now()); !errors.As(err, &ce) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestLoadOldFormatWithoutBusPort(t *testing.T) {
	s, err := Load(DefaultConfig(), []byte("67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 10.0.0.1:6379 myself,master - 0 0 0 connected 0-100\n"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if me := s.Myself(); me.NumSlots != 101 {
		t.Fatalf("%+v", me)
	}
	// The announced ports of the config win for myself.
	if me := s.Myself(); me.Port != 0 {
		t.Fatalf("port %d", me.Port)
	}
}
