package slot

import "testing"

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
