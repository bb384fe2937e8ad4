package glob

import "testing"

// "*" does not match "" in stringmatchlen; KEYS special-cases "*".
func TestMatch(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"*", "anything", true}, {"*", "", false}, {"h?llo", "hello", true},
		{"h*llo", "heeeello", true}, {"h[ae]llo", "hallo", true}, {"h[ae]llo", "hillo", false},
		{"h[^e]llo", "hallo", true}, {"h[^e]llo", "hello", false}, {"h[a-b]llo", "hbllo", true},
		{"h\\*llo", "h*llo", true}, {"h\\*llo", "hello", false}, {"foo*", "foo", true},
		{"a*b*c", "axxbyyc", true}, {"a*b*c", "axxbyy", false}, {"", "", true}, {"", "a", false},
		{"user:*", "user:1000", true}, {"[", "a", false}, {"*a", "ba", true},
	}
	for _, c := range cases {
		if got := MatchString(c.p, c.s, false); got != c.want {
			t.Errorf("Match(%q,%q)=%v want %v", c.p, c.s, got, c.want)
		}
	}
	if !MatchString("HELLO", "hello", true) {
		t.Error("nocase")
	}
}
