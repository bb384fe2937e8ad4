package types

import "testing"

func TestParseIntStrict(t *testing.T) {
	for in, ok := range map[string]bool{
		"0": true, "-1": true, "9223372036854775807": true, "-9223372036854775808": true,
		"9223372036854775808": false, "18446744073709551616": false, "01": false, "+1": false,
		"-0": false, " 1": false, "": false, "1a": false,
	} {
		if _, got := ParseInt([]byte(in)); got != ok {
			t.Errorf("ParseInt(%q) ok=%v, want %v", in, got, ok)
		}
	}
}

// ParseFloat follows strtod as Valkey uses it: hex floats and inf are
// numbers; Go-only syntax, overflow, underflow to zero and NaN are not.
func TestParseFloatLikeStrtod(t *testing.T) {
	for in, ok := range map[string]bool{
		"1.5": true, "-2e3": true, "0x1p-2": true, "inf": true, "-inf": true, "0": true,
		"0.0e-400": true, "1_0": false, "1e-400": false, "1e400": false, "nan": false,
		" 1": false, "1 ": false, "": false, "abc": false,
	} {
		if _, got := ParseFloat([]byte(in)); got != ok {
			t.Errorf("ParseFloat(%q) ok=%v, want %v", in, got, ok)
		}
	}
}
