package pubsub

import (
	"bytes"
	"sort"

	"github.com/shoal-db/shoal/internal/glob"
	"github.com/shoal-db/shoal/internal/slot"
)

// Names lists the active names of kind (PUBSUB CHANNELS, SHARDCHANNELS)
// matching pattern, sorted; a nil pattern matches every name (Valkey's
// default, which unlike "*" includes the empty channel name).
func (h *Hub) Names(kind Kind, pattern []byte) [][]byte {
	h.mu.RLock()
	out := make([][]byte, 0, len(h.reg[kind]))
	for _, e := range h.reg[kind] {
		if pattern == nil || glob.Match(pattern, e.name, false) {
			out = append(out, e.name)
		}
	}
	h.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i], out[j]) < 0 })
	return out
}

// NumSub is the number of subscribers of name in kind (PUBSUB NUMSUB,
// SHARDNUMSUB; pattern subscribers are not counted).
func (h *Hub) NumSub(kind Kind, name []byte) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if e := h.reg[kind][string(name)]; e != nil {
		return len(e.subs)
	}
	return 0
}

func (h *Hub) size(kind Kind) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.reg[kind])
}

// NumChannels is the number of channels with a subscriber (INFO
// pubsub_channels).
func (h *Hub) NumChannels() int { return h.size(Channel) }

// NumPatterns is the number of distinct subscribed patterns (INFO
// pubsub_patterns, PUBSUB NUMPAT).
func (h *Hub) NumPatterns() int { return h.size(Pattern) }

// NumShardChannels is the number of shard channels with a subscriber
// (INFO pubsubshard_channels).
func (h *Hub) NumShardChannels() int { return h.size(Shard) }

// NumSubscribers is the number of subscribers with at least one
// subscription of any kind (INFO pubsub_clients).
func (h *Hub) NumSubscribers() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.subs)
}

// DropShardSlot unsubscribes everybody from the shard channels hashing to
// slot s, as Valkey does when this node stops serving the slot. For each
// removal it calls notify, under the registry lock, with the subscriber,
// the channel and the subscriber's remaining shard count, so the caller
// can push the "sunsubscribe" message; notify must not block.
func (h *Hub) DropShardSlot(s int, notify func(sub Subscriber, channel []byte, count int)) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	dropped := 0
	for name, e := range h.reg[Shard] {
		if slot.Of(e.name) != s {
			continue
		}
		for sub := range e.subs {
			subs := h.subs[sub]
			delete(subs.names[Shard], name)
			if subs.empty() {
				delete(h.subs, sub)
			}
			if notify != nil {
				notify(sub, e.name, len(subs.names[Shard]))
			}
		}
		delete(h.reg[Shard], name)
		h.active.Add(-1)
		dropped++
	}
	return dropped
}
