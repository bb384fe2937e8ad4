package pubsub

import (
	"sort"
	"sync"
	"sync/atomic"

	"github.com/shoal-db/shoal/internal/glob"
)

// Kind selects a namespace.
type Kind uint8

// The three namespaces.
const (
	Channel Kind = iota // SUBSCRIBE / PUBLISH; delivered as "message"
	Pattern             // PSUBSCRIBE; delivered as "pmessage"
	Shard               // SSUBSCRIBE / SPUBLISH; delivered as "smessage"
	numKinds
)

// Message is one delivery. Its slices are valid only during the Deliver
// call: a subscriber encodes them into its output and keeps nothing.
type Message struct {
	Kind    Kind
	Pattern []byte // the matching pattern, for Kind == Pattern
	Channel []byte
	Payload []byte
}

// Subscriber receives messages. Deliver is called with the Hub's lock
// held shared, possibly from many publishers at once; it must not block
// and must not call back into the Hub.
type Subscriber interface {
	Deliver(m *Message)
}

// Ack is one unsubscribe confirmation: the name and the subscriber's
// count (see Hub.Count) after it was removed.
type Ack struct {
	Name  []byte
	Count int
}

// entry is one subscribed name with its subscribers. name is never
// mutated, so deliveries and acks may hand it out without copying.
type entry struct {
	name []byte
	subs map[Subscriber]struct{}
}

// subscriptions is one subscriber's side of the registry. The sequence
// numbers give UNSUBSCRIBE without arguments a stable, oldest-first order.
type subscriptions struct {
	names [numKinds]map[string]uint64
}

func newSubscriptions() *subscriptions {
	s := &subscriptions{}
	for k := range s.names {
		s.names[k] = make(map[string]uint64)
	}
	return s
}

// count is the number the confirmation replies carry: channels plus
// patterns, or shard channels alone, as in Valkey.
func (s *subscriptions) count(k Kind) int {
	if k == Shard {
		return len(s.names[Shard])
	}
	return len(s.names[Channel]) + len(s.names[Pattern])
}

func (s *subscriptions) empty() bool {
	return len(s.names[Channel])+len(s.names[Pattern])+len(s.names[Shard]) == 0
}

// Hub is the subscription registry. See the package documentation for
// its locking rules.
type Hub struct {
	mu   sync.RWMutex
	reg  [numKinds]map[string]*entry   // guarded by mu
	subs map[Subscriber]*subscriptions // guarded by mu
	seq  uint64                        // guarded by mu

	// active counts registered names of every kind, so a PUBLISH (or a
	// keyspace notification) with nobody listening skips the lock.
	active atomic.Int64
}

// New returns an empty Hub.
func New() *Hub {
	h := &Hub{subs: make(map[Subscriber]*subscriptions)}
	for k := range h.reg {
		h.reg[k] = make(map[string]*entry)
	}
	return h
}

// Subscribe registers sub for each of names in namespace kind (names
// already subscribed are kept, as Valkey does) and returns how many were
// new. While still holding the registry lock it calls confirm with the
// subscriber's count after each name, in order, and the number added: the
// caller updates its own bookkeeping, writes the confirmations and hands
// them to its connection there, so that no message published after the
// registration can overtake them, and no client can see a confirmation
// before the subscription is live.
func (h *Hub) Subscribe(sub Subscriber, kind Kind, names [][]byte, confirm func(counts []int, added int)) (added int) {
	counts := make([]int, len(names))
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.subs[sub]
	if s == nil {
		s = newSubscriptions()
		h.subs[sub] = s
	}
	mine := s.names[kind]
	for i, name := range names {
		if _, dup := mine[string(name)]; !dup {
			h.seq++
			mine[string(name)] = h.seq
			h.add(kind, name, sub)
			added++
		}
		counts[i] = s.count(kind)
	}
	if s.empty() {
		delete(h.subs, sub) // only possible with no names
	}
	if confirm != nil {
		confirm(counts, added)
	}
	return added
}

// add puts sub on name's entry, creating it. Called with mu held.
func (h *Hub) add(kind Kind, name []byte, sub Subscriber) {
	e := h.reg[kind][string(name)]
	if e == nil {
		e = &entry{name: append([]byte(nil), name...), subs: make(map[Subscriber]struct{}, 1)}
		h.reg[kind][string(name)] = e
		h.active.Add(1)
	}
	e.subs[sub] = struct{}{}
}

// remove takes sub off name's entry, dropping the entry when it was the
// last subscriber. Called with mu held.
func (h *Hub) remove(kind Kind, name string, sub Subscriber) {
	e := h.reg[kind][name]
	if e == nil {
		return
	}
	delete(e.subs, sub)
	if len(e.subs) == 0 {
		delete(h.reg[kind], name)
		h.active.Add(-1)
	}
}

// Unsubscribe removes sub from names in namespace kind, or, when names is
// empty, from every name of that kind it has, oldest first. It returns one
// Ack per given name (subscribed or not, as Valkey confirms both), or per
// name removed when names is empty, and the number actually removed.
func (h *Hub) Unsubscribe(sub Subscriber, kind Kind, names [][]byte) (acks []Ack, removed int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.subs[sub]
	if len(names) == 0 {
		if s == nil {
			return nil, 0
		}
		names = h.ordered(s, kind)
	}
	acks = make([]Ack, 0, len(names))
	for _, name := range names {
		if s != nil {
			if _, ok := s.names[kind][string(name)]; ok {
				delete(s.names[kind], string(name))
				h.remove(kind, string(name), sub)
				removed++
			}
		}
		n := 0
		if s != nil {
			n = s.count(kind)
		}
		acks = append(acks, Ack{Name: name, Count: n})
	}
	if s != nil && s.empty() {
		delete(h.subs, sub)
	}
	return acks, removed
}

// ordered lists s's names of kind, oldest subscription first, as the
// registry's own immutable copies. Called with mu held.
func (h *Hub) ordered(s *subscriptions, kind Kind) [][]byte {
	type named struct {
		seq uint64
		e   *entry
	}
	list := make([]named, 0, len(s.names[kind]))
	for name, seq := range s.names[kind] {
		list = append(list, named{seq, h.reg[kind][name]})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].seq < list[j].seq })
	out := make([][]byte, len(list))
	for i, n := range list {
		out[i] = n.e.name
	}
	return out
}

// UnsubscribeAll drops every subscription of sub (RESET, disconnect) and
// returns how many channels, patterns and shard channels it had.
func (h *Hub) UnsubscribeAll(sub Subscriber) (channels, patterns, shards int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.subs[sub]
	if s == nil {
		return 0, 0, 0
	}
	for k := Kind(0); k < numKinds; k++ {
		for name := range s.names[k] {
			h.remove(k, name, sub)
		}
	}
	delete(h.subs, sub)
	return len(s.names[Channel]), len(s.names[Pattern]), len(s.names[Shard])
}

// Count is sub's count as confirmations report it for kind: channels
// plus patterns, or shard channels.
func (h *Hub) Count(sub Subscriber, kind Kind) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if s := h.subs[sub]; s != nil {
		return s.count(kind)
	}
	return 0
}

// Publish delivers payload to the subscribers of channel and of every
// pattern matching it, and returns how many deliveries were made (a
// client subscribed both ways counts twice, as in Valkey).
func (h *Hub) Publish(channel, payload []byte) int {
	if h.active.Load() == 0 {
		return 0
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	m := Message{Kind: Channel, Channel: channel, Payload: payload}
	n := deliverAll(h.reg[Channel][string(channel)], &m)
	if len(h.reg[Pattern]) == 0 {
		return n
	}
	m.Kind = Pattern
	for _, e := range h.reg[Pattern] {
		if glob.Match(e.name, channel, false) {
			m.Pattern = e.name
			n += deliverAll(e, &m)
		}
	}
	return n
}

// PublishShard delivers payload to the subscribers of the shard channel
// (patterns do not apply) and returns how many received it.
func (h *Hub) PublishShard(channel, payload []byte) int {
	if h.active.Load() == 0 {
		return 0
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	m := Message{Kind: Shard, Channel: channel, Payload: payload}
	return deliverAll(h.reg[Shard][string(channel)], &m)
}

func deliverAll(e *entry, m *Message) int {
	if e == nil {
		return 0
	}
	for sub := range e.subs {
		sub.Deliver(m)
	}
	return len(e.subs)
}
