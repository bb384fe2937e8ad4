package slot

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

func TestKnownSlots(t *testing.T) {
	// Values from the cluster specification and CLUSTER KEYSLOT.
	cases := map[string]int{
		"123456789":     12739, // CRC16/XMODEM check value 0x31C3
		"foo":           12182,
		"bar":           5061,
		"{user1000}.a":  Of([]byte("user1000")),
		"foo{}{bar}":    Of([]byte("foo{}{bar}")),
		"foo{{bar}}zap": Of([]byte("{bar")),
		"foo{bar}{zap}": Of([]byte("bar")),
		"":              0,
	}
	for k, want := range cases {
		if got := Of([]byte(k)); got != want {
			t.Errorf("slot(%q) = %d, want %d", k, got, want)
		}
	}
	if CRC16([]byte("123456789")) != 0x31C3 {
		t.Fatalf("crc16 check value mismatch")
	}
}

// crc16Bitwise is the reference: CRC-16/XMODEM one bit at a time.
func crc16Bitwise(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc ^= uint16(c) << 8
		for j := 0; j < 8; j++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

func TestCRC16MatchesBitwise(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	for n := 0; n < 70; n++ {
		for rep := 0; rep < 50; rep++ {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(rng.UintN(256))
			}
			if got, want := CRC16(b), crc16Bitwise(b); got != want {
				t.Fatalf("CRC16(%x) = %#04x, want %#04x", b, got, want)
			}
		}
	}
}

// BenchmarkOf16 hashes a 16-byte key (redis-benchmark's key:%012d). The
// sum is kept alive so that the compiler cannot drop an inlined hash.
func BenchmarkOf16(b *testing.B) {
	key := []byte("key:000000123456")
	sum := 0
	for i := 0; i < b.N; i++ {
		key[15] = byte('0' + i%10)
		sum += Of(key)
	}
	runtime.KeepAlive(sum)
}

// hashTagLoop is the reference: the cluster specification's loop.
func hashTagLoop(key []byte) []byte {
	for i, c := range key {
		if c == '{' {
			for j := i + 1; j < len(key); j++ {
				if key[j] == '}' {
					if j == i+1 {
						return key
					}
					return key[i+1 : j]
				}
			}
			return key
		}
	}
	return key
}

func TestHashTagMatchesLoop(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	alphabet := []byte("{}ab")
	for rep := 0; rep < 20000; rep++ {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if got, want := HashTag(b), hashTagLoop(b); string(got) != string(want) {
			t.Fatalf("HashTag(%q) = %q, want %q", b, got, want)
		}
	}
}
