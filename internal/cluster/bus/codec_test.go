package bus

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/shoal-db/shoal/internal/cluster"
)

func randID(r *rand.Rand) cluster.ID { return cluster.NewID(r) }

func randSlots(r *rand.Rand) *cluster.SlotSet {
	s := new(cluster.SlotSet)
	switch r.IntN(4) {
	case 0: // empty
	case 1:
		a := r.IntN(16384)
		s.SetRange(a, a+r.IntN(16384-a))
	case 2:
		for i := 0; i < 16384; i += 2 {
			s.Set(i) // worst case for ranges: the bitmap wins
		}
	default:
		for i := 0; i < 50; i++ {
			s.Set(r.IntN(16384))
		}
	}
	return s
}

func randMessage(r *rand.Rand, t cluster.Type) *cluster.Message {
	m := &cluster.Message{Type: t, MFlags: cluster.MsgFlags(r.IntN(4)), Sender: randID(r)}
	if t.Light() {
		m.Channel = []byte("chan")
		m.Payload = bytes.Repeat([]byte{byte(r.IntN(256))}, r.IntN(300))
		return m
	}
	m.MyIP = []string{"", "10.0.0.1", "fe80::1"}[r.IntN(3)]
	m.Port, m.TLSPort, m.CPort = r.IntN(65536), r.IntN(65536), r.IntN(65536)
	m.Flags = cluster.NodeFlags(r.IntN(1 << 12))
	m.StateOK = r.IntN(2) == 1
	m.CurrentEpoch, m.ConfigEpoch = r.Uint64(), r.Uint64()>>r.IntN(64)
	m.ReplOffset = r.Int64() - r.Int64()
	if r.IntN(2) == 1 {
		m.PrimaryID = randID(r)
	}
	m.Slots = randSlots(r)
	switch t {
	case cluster.MsgPing, cluster.MsgPong, cluster.MsgMeet:
		for i := r.IntN(25); i > 0; i-- {
			m.Gossip = append(m.Gossip, cluster.Gossip{ID: randID(r), PingSent: r.Int64N(1 << 42), PongRecv: r.Int64N(1 << 42),
				IP: "127.0.0.1", Port: r.IntN(65536), TLSPort: r.IntN(65536), CPort: r.IntN(65536), Flags: cluster.NodeFlags(r.IntN(1 << 12))})
		}
		if r.IntN(2) == 1 {
			m.Hostname = "host-1.example"
			m.HumanNodename = "node-a"
		}
		m.ShardID = randID(r)
		for i := r.IntN(3); i > 0; i-- {
			m.Forgotten = append(m.Forgotten, cluster.Forgotten{ID: randID(r), TTL: r.Uint64N(100)})
		}
	case cluster.MsgFail:
		m.About = randID(r)
	case cluster.MsgUpdate:
		m.UpdateID, m.UpdateEpoch, m.UpdateSlots = randID(r), r.Uint64(), randSlots(r)
	}
	return m
}

var allTypes = []cluster.Type{cluster.MsgPing, cluster.MsgPong, cluster.MsgMeet, cluster.MsgFail, cluster.MsgPublish,
	cluster.MsgAuthRequest, cluster.MsgAuthAck, cluster.MsgUpdate, cluster.MsgMFStart, cluster.MsgPublishShard}

func TestCodecRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		m := randMessage(r, allTypes[i%len(allTypes)])
		frame := Encode(m)
		got, n, err := Decode(frame, DefaultMax)
		if err != nil || n != len(frame) {
			t.Fatalf("%v: decode: %v (%d of %d bytes)", m.Type, err, n, len(frame))
		}
		if !reflect.DeepEqual(normalize(m), normalize(got)) {
			t.Fatalf("%v: round trip differs:\n%+v\n%+v", m.Type, m, got)
		}
		// Every proper prefix is incomplete, never an error or a panic.
		for _, cut := range []int{0, 3, HeaderLen - 1, HeaderLen, len(frame) - 1} {
			if cut < 0 || cut >= len(frame) {
				continue
			}
			if _, _, err := Decode(frame[:cut], DefaultMax); !errors.Is(err, ErrShort) {
				t.Fatalf("prefix %d of %d: %v", cut, len(frame), err)
			}
		}
	}
}

// normalize maps empty values to the decoder's representation.
func normalize(m *cluster.Message) *cluster.Message {
	c := *m
	if !c.Type.Light() && c.Slots == nil {
		c.Slots = new(cluster.SlotSet)
	}
	if c.Type == cluster.MsgUpdate && c.UpdateSlots == nil {
		c.UpdateSlots = new(cluster.SlotSet)
	}
	if c.Type.Light() {
		if c.Channel == nil {
			c.Channel = []byte{}
		}
		if c.Payload == nil {
			c.Payload = []byte{}
		}
	}
	return &c
}

func TestCodecSlotEncodingIsCompact(t *testing.T) {
	m := &cluster.Message{Type: cluster.MsgPing, Sender: cluster.NewID(rand.New(rand.NewPCG(1, 1))), Slots: new(cluster.SlotSet)}
	m.Slots.SetRange(0, 5460)
	if n := len(Encode(m)); n > 80 {
		t.Fatalf("a PING with one slot range takes %d bytes", n)
	}
}

func TestCodecRejects(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	good := Encode(randMessage(r, cluster.MsgPing))
	cases := map[string]struct {
		frame []byte
		want  error
	}{
		"magic":    {append([]byte("XXXX"), good[4:]...), ErrBadMagic},
		"version":  {append(append([]byte{}, good[:4]...), append([]byte{9}, good[5:]...)...), ErrVersion},
		"too big":  {append(append([]byte{}, good[:6]...), 0xff, 0xff, 0xff, 0xff), ErrTooLarge},
		"type":     {append(append([]byte{}, good[:5]...), append([]byte{99}, good[6:]...)...), ErrCorrupt},
		"trailing": {appendTrailing(good), ErrCorrupt},
	}
	for name, c := range cases {
		if _, _, err := Decode(c.frame, DefaultMax); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

func appendTrailing(frame []byte) []byte {
	f := append(append([]byte{}, frame...), 0)
	n := len(f) - HeaderLen
	f[6], f[7], f[8], f[9] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return f
}

func FuzzDecode(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, tp := range allTypes {
		f.Add(Encode(randMessage(r, tp)))
	}
	f.Add([]byte("SHCB\x01\x00\x00\x00\x00\x05abcde"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, n, err := Decode(data, 1<<20)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes to something that decodes the same.
		again, _, err := Decode(Encode(m), 1<<20)
		if err != nil {
			t.Fatalf("re-encoding of a decoded frame fails: %v (%d bytes used)", err, n)
		}
		if !reflect.DeepEqual(normalize(m), normalize(again)) {
			t.Fatalf("unstable round trip:\n%+v\n%+v", m, again)
		}
	})
}
