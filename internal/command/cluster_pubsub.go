package command

import (
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/pubsub"
	"github.com/shoal-db/shoal/internal/resp"
)

// clusterPublish sends PUBLISH to every node of the cluster, or SPUBLISH
// to the other nodes of this shard, over the bus
// (clusterPropagatePublish). The bus encodes the message before Do
// returns, so the argv slices need no copy.
func (n *Node) clusterPublish(channel, payload []byte, sharded bool) {
	if n.Cluster == nil {
		return
	}
	_ = n.Cluster.Do(func(now time.Time, s *cluster.State) (cluster.Output, error) {
		return s.Publish(now, channel, payload, sharded), nil
	})
}

// ClusterDropShardSlot unsubscribes every client from the shard channels
// of slot s, which this shard no longer serves, pushing each an
// "sunsubscribe" message as Valkey's removeChannelsInSlot does.
func (n *Node) ClusterDropShardSlot(s int) {
	n.PubSub.DropShardSlot(s, func(sub pubsub.Subscriber, channel []byte, count int) {
		c, ok := sub.(*Client)
		if !ok {
			return
		}
		c.AddSubscriptions(0, 0, -1)
		if c.Conn == nil {
			return
		}
		name := append([]byte(nil), channel...)
		c.Conn.Push(func(w *resp.Writer) { pubsubWriteAck(w, "sunsubscribe", name, count) })
	})
}
