package pubsub

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/shoal-db/shoal/internal/slot"
)

// recorder is a Subscriber that keeps copies of what it receives.
type recorder struct {
	mu   sync.Mutex
	msgs []string
	// confirmed is set by the Subscribe confirm callback; a delivery before
	// it is an ordering bug.
	confirmed atomic.Bool
	early     atomic.Int64
}

func (r *recorder) Deliver(m *Message) {
	if !r.confirmed.Load() {
		r.early.Add(1)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch m.Kind {
	case Pattern:
		r.msgs = append(r.msgs, fmt.Sprintf("pmessage %s %s %s", m.Pattern, m.Channel, m.Payload))
	case Shard:
		r.msgs = append(r.msgs, fmt.Sprintf("smessage %s %s", m.Channel, m.Payload))
	default:
		r.msgs = append(r.msgs, fmt.Sprintf("message %s %s", m.Channel, m.Payload))
	}
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.msgs
	r.msgs = nil
	return out
}

func bs(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func strs(bb [][]byte) []string {
	out := make([]string, len(bb))
	for i, b := range bb {
		out[i] = string(b)
	}
	return out
}

func subscribe(h *Hub, r *recorder, kind Kind, names ...string) []int {
	var got []int
	h.Subscribe(r, kind, bs(names...), func(counts []int, _ int) {
		got = counts
		r.confirmed.Store(true)
	})
	return got
}

func TestSubscribeCountsAndPublish(t *testing.T) {
	h := New()
	a, b := &recorder{}, &recorder{}
	if got := subscribe(h, a, Channel, "x", "y", "x"); !reflect.DeepEqual(got, []int{1, 2, 2}) {
		t.Fatalf("channel counts = %v", got)
	}
	if got := subscribe(h, a, Pattern, "x*", "?"); !reflect.DeepEqual(got, []int{3, 4}) {
		t.Fatalf("pattern counts include channels: %v", got)
	}
	if got := subscribe(h, a, Shard, "s"); !reflect.DeepEqual(got, []int{1}) {
		t.Fatalf("shard counts are separate: %v", got)
	}
	subscribe(h, b, Channel, "x")
	if n := h.Publish([]byte("x"), []byte("hi")); n != 4 {
		t.Fatalf("Publish x reached %d, want 4 (a direct, a x*, a ?, b)", n)
	}
	got := a.take()
	want := []string{"message x hi", "pmessage x* x hi", "pmessage ? x hi"}
	if len(got) != 3 || got[0] != want[0] {
		t.Fatalf("a got %v", got)
	}
	if !contains(got, want[1]) || !contains(got, want[2]) {
		t.Fatalf("a got %v, want %v", got, want)
	}
	if got := b.take(); !reflect.DeepEqual(got, []string{"message x hi"}) {
		t.Fatalf("b got %v", got)
	}
	// Shard channels are their own namespace and ignore patterns.
	if n := h.Publish([]byte("s"), []byte("m")); n != 1 {
		t.Fatalf("Publish s reached %d, want 1 (pattern ?)", n)
	}
	a.take()
	if n := h.PublishShard([]byte("s"), []byte("m")); n != 1 {
		t.Fatalf("PublishShard s reached %d", n)
	}
	if got := a.take(); !reflect.DeepEqual(got, []string{"smessage s m"}) {
		t.Fatalf("shard delivery = %v", got)
	}
	if h.NumChannels() != 2 || h.NumPatterns() != 2 || h.NumShardChannels() != 1 || h.NumSubscribers() != 2 {
		t.Fatalf("sizes %d %d %d %d", h.NumChannels(), h.NumPatterns(), h.NumShardChannels(), h.NumSubscribers())
	}
	if h.NumSub(Channel, []byte("x")) != 2 || h.NumSub(Channel, []byte("nope")) != 0 || h.NumSub(Shard, []byte("s")) != 1 {
		t.Fatal("NumSub")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestUnsubscribe(t *testing.T) {
	h := New()
	a := &recorder{}
	if acks, n := h.Unsubscribe(a, Channel, nil); len(acks) != 0 || n != 0 {
		t.Fatalf("unsubscribe-all with nothing: %v %d", acks, n)
	}
	acks, n := h.Unsubscribe(a, Channel, bs("q"))
	if n != 0 || len(acks) != 1 || string(acks[0].Name) != "q" || acks[0].Count != 0 {
		t.Fatalf("unsubscribe unknown: %v %d", acks, n)
	}
	subscribe(h, a, Channel, "c3", "c1", "c2")
	subscribe(h, a, Pattern, "p*")
	acks, n = h.Unsubscribe(a, Channel, bs("c1", "zz"))
	if n != 1 || len(acks) != 2 || acks[0].Count != 3 || acks[1].Count != 3 {
		t.Fatalf("partial unsubscribe: %+v %d", acks, n)
	}
	// Without names: every channel, oldest first, counting down.
	acks, n = h.Unsubscribe(a, Channel, nil)
	if n != 2 || len(acks) != 2 || string(acks[0].Name) != "c3" || acks[0].Count != 2 ||
		string(acks[1].Name) != "c2" || acks[1].Count != 1 {
		t.Fatalf("unsubscribe all: %+v %d", acks, n)
	}
	if h.Count(a, Pattern) != 1 || h.NumChannels() != 0 {
		t.Fatalf("after: count %d channels %d", h.Count(a, Pattern), h.NumChannels())
	}
	acks, _ = h.Unsubscribe(a, Pattern, nil)
	if len(acks) != 1 || acks[0].Count != 0 || h.NumSubscribers() != 0 || h.active.Load() != 0 {
		t.Fatalf("last pattern: %+v subscribers %d active %d", acks, h.NumSubscribers(), h.active.Load())
	}
	if h.Publish([]byte("p1"), []byte("x")) != 0 {
		t.Fatal("delivered after unsubscribe")
	}
}

func TestUnsubscribeAll(t *testing.T) {
	h := New()
	a, b := &recorder{}, &recorder{}
	subscribe(h, a, Channel, "c", "d")
	subscribe(h, a, Pattern, "*")
	subscribe(h, a, Shard, "s")
	subscribe(h, b, Channel, "c")
	ch, pat, sh := h.UnsubscribeAll(a)
	if ch != 2 || pat != 1 || sh != 1 {
		t.Fatalf("UnsubscribeAll = %d %d %d", ch, pat, sh)
	}
	if h.NumChannels() != 1 || h.NumPatterns() != 0 || h.NumShardChannels() != 0 || h.NumSubscribers() != 1 {
		t.Fatal("registry not cleaned")
	}
	if ch, pat, sh := h.UnsubscribeAll(a); ch+pat+sh != 0 {
		t.Fatal("second UnsubscribeAll")
	}
	if n := h.Publish([]byte("c"), []byte("x")); n != 1 {
		t.Fatalf("b should still get c: %d", n)
	}
}

func TestNames(t *testing.T) {
	h := New()
	a := &recorder{}
	subscribe(h, a, Channel, "news.b", "", "news.a", "other")
	if got := strs(h.Names(Channel, nil)); !reflect.DeepEqual(got, []string{"", "news.a", "news.b", "other"}) {
		t.Fatalf("all names = %q", got)
	}
	if got := strs(h.Names(Channel, []byte("news.*"))); !reflect.DeepEqual(got, []string{"news.a", "news.b"}) {
		t.Fatalf("matching = %q", got)
	}
	if got := h.Names(Channel, []byte{}); len(got) != 1 || len(got[0]) != 0 {
		t.Fatalf("empty pattern matches only the empty name: %q", got)
	}
	if got := h.Names(Shard, nil); len(got) != 0 {
		t.Fatalf("shard names = %q", got)
	}
}

func TestDropShardSlot(t *testing.T) {
	h := New()
	a, b := &recorder{}, &recorder{}
	subscribe(h, a, Shard, "{t}1", "{t}2", "other")
	subscribe(h, b, Shard, "{t}1")
	type drop struct {
		sub   Subscriber
		name  string
		count int
	}
	var drops []drop
	n := h.DropShardSlot(slot.Of([]byte("t")), func(sub Subscriber, ch []byte, count int) {
		drops = append(drops, drop{sub, string(ch), count})
	})
	if n != 2 || len(drops) != 3 {
		t.Fatalf("dropped %d channels, %d notifications", n, len(drops))
	}
	if h.Count(a, Shard) != 1 || h.Count(b, Shard) != 0 || h.NumSubscribers() != 1 {
		t.Fatalf("counts after drop: a %d b %d subscribers %d", h.Count(a, Shard), h.Count(b, Shard), h.NumSubscribers())
	}
	for _, d := range drops {
		if d.sub == b && d.count != 0 {
			t.Fatalf("b's remaining count = %d", d.count)
		}
	}
}

// TestConfirmBeforeMessages checks the ordering guarantee Subscribe gives:
// with publishers running flat out, no message reaches a subscriber before
// its confirm callback has run.
func TestConfirmBeforeMessages(t *testing.T) {
	h := New()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for p := 0; p < 4; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				h.Publish([]byte("hot"), []byte("x"))
				h.PublishShard([]byte("hot"), []byte("x"))
			}
		}()
	}
	for i := 0; i < 300; i++ {
		r := &recorder{}
		kind := Kind(i % 3)
		name := "hot"
		if kind == Pattern {
			name = "h*"
		}
		subscribe(h, r, kind, name)
		h.UnsubscribeAll(r)
		if r.early.Load() != 0 {
			t.Fatalf("iteration %d: %d messages before the confirmation", i, r.early.Load())
		}
	}
	close(stop)
	wg.Wait()
}

// TestConcurrentChurn exercises the registry under the race detector.
func TestConcurrentChurn(t *testing.T) {
	h := New()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := &recorder{}
			r.confirmed.Store(true)
			for i := 0; i < 200; i++ {
				ch := fmt.Sprintf("c%d", i%7)
				h.Subscribe(r, Channel, bs(ch), nil)
				h.Subscribe(r, Pattern, bs("c*"), nil)
				h.Publish([]byte(ch), []byte("m"))
				h.Names(Channel, nil)
				h.NumSub(Channel, []byte(ch))
				h.Unsubscribe(r, Channel, bs(ch))
				if i%10 == 0 {
					h.UnsubscribeAll(r)
				}
			}
			h.UnsubscribeAll(r)
		}(g)
	}
	wg.Wait()
	if h.NumChannels()+h.NumPatterns()+h.NumSubscribers() != 0 || h.active.Load() != 0 {
		t.Fatalf("leftovers: %d channels %d patterns %d subscribers active %d",
			h.NumChannels(), h.NumPatterns(), h.NumSubscribers(), h.active.Load())
	}
}

func BenchmarkPublishNoSubscribers(b *testing.B) {
	h := New()
	ch, msg := []byte("channel"), []byte("message")
	for i := 0; i < b.N; i++ {
		h.Publish(ch, msg)
	}
}

func BenchmarkPublishOneSubscriber(b *testing.B) {
	h := New()
	h.Subscribe(nopSub{}, Channel, bs("channel"), nil)
	ch, msg := []byte("channel"), []byte("message")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.Publish(ch, msg)
		}
	})
}

type nopSub struct{}

func (nopSub) Deliver(*Message) {}
