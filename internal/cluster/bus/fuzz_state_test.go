package bus

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
)

// FuzzStep feeds whatever the codec accepts into a State that knows a few
// nodes, on every kind of link: the state machine must never panic on a
// well-formed but hostile or nonsensical message.
func FuzzStep(f *testing.F) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, tp := range allTypes {
		f.Add(Encode(randMessage(r, tp)), uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, how uint8) {
		m, _, err := Decode(data, 1<<20)
		if err != nil {
			return
		}
		c := newSim(t, 11, 3, time.Second)
		c.create(3)
		c.net.Run(3 * time.Second)
		n := c.net.Nodes()[0]
		others := n.State.Nodes()
		now := c.net.Now()
		var p cluster.Peer
		switch how % 3 {
		case 0:
			p = cluster.Peer{Conn: 999, IP: "10.1.1.1", LocalIP: "127.0.0.1"}
		case 1:
			p = cluster.Peer{Outbound: true, Link: others[int(how)%len(others)].ID, IP: "127.0.0.1"}
		default:
			// Claim to be a known node.
			mm := *m
			mm.Sender = others[int(how)%len(others)].ID
			m = &mm
			p = cluster.Peer{Conn: 998, IP: "127.0.0.1"}
		}
		n.apply(n.State.Step(now, p, m))
		n.apply(n.State.Tick(now.Add(time.Second)))
		_ = n.State.ClusterNodes()
		_ = n.State.NodesConf()
		_ = n.State.Shards()
		c.net.Run(2 * time.Second)
	})
}
