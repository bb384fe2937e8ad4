package resp

import (
	"strconv"
	"testing"
)

// parseStrictInt's in-place fast path (up to 18 digits) must agree with
// the strconv path and with string2ll's rules.
func TestParseStrictIntFastPath(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"64", 64, true},
		{"999999999999999999", 999999999999999999, true},
		{"-999999999999999999", -999999999999999999, true},
		{"1000000000000000000", 1000000000000000000, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"-9223372036854775808", -9223372036854775808, true},
		{"9223372036854775808", 0, false},
		{"", 0, false}, {"-", 0, false}, {"-0", 0, false}, {"01", 0, false},
		{"+1", 0, false}, {"1a", 0, false}, {"1 ", 0, false}, {"12-3", 0, false},
	} {
		got, ok := parseStrictInt([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseStrictInt(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	for n := int64(1); n < 1e18; n = n*7 + 3 {
		for _, v := range []int64{n, -n} {
			got, ok := parseStrictInt([]byte(strconv.FormatInt(v, 10)))
			if !ok || got != v {
				t.Fatalf("parseStrictInt(%d) = %d, %v", v, got, ok)
			}
		}
	}
}
