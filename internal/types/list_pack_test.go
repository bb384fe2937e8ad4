package types

import (
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

var packValue = rapid.SampledFrom([]string{"", "a", "bb", strings.Repeat("m", 130), strings.Repeat("L", 20000)})

// TestQlPackModel checks the node pack against a slice, through every
// operation, with values whose headers and backlens take 1 to 3 bytes.
func TestQlPackModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var p qlPack
		var m []string
		for step := rapid.IntRange(1, 80).Draw(t, "steps"); step > 0; step-- {
			v := packValue.Draw(t, "v")
			switch op := rapid.IntRange(0, 6).Draw(t, "op"); {
			case op == 0:
				p.pushFront([]byte(v))
				m = append([]string{v}, m...)
			case op == 1:
				p.pushBack([]byte(v))
				m = append(m, v)
			case op == 2 && len(m) > 0:
				p.popFront()
				m = m[1:]
			case op == 3 && len(m) > 0:
				p.popBack()
				m = m[:len(m)-1]
			case op == 4:
				i := rapid.IntRange(0, len(m)).Draw(t, "i")
				p.insert(i, []byte(v))
				m = append(m[:i], append([]string{v}, m[i:]...)...)
			case op == 5 && len(m) > 0:
				i := rapid.IntRange(0, len(m)-1).Draw(t, "i")
				cnt := rapid.IntRange(1, len(m)-i).Draw(t, "cnt")
				p.deleteRange(i, cnt)
				m = append(m[:i], m[i+cnt:]...)
			case op == 6 && len(m) > 0:
				i := rapid.IntRange(0, len(m)-1).Draw(t, "i")
				p.replace(i, []byte(v))
				m[i] = v
			}
			if p.len() != len(m) {
				t.Fatalf("len %d, want %d", p.len(), len(m))
			}
			var fwd, rev []string
			p.each(0, func(_ int, b []byte) bool { fwd = append(fwd, string(b)); return true })
			if len(m) > 0 {
				p.eachRev(len(m)-1, func(_ int, b []byte) bool { rev = append([]string{string(b)}, rev...); return true })
				i := rapid.IntRange(0, len(m)-1).Draw(t, "get")
				if string(p.get(i)) != m[i] || string(p.first()) != m[0] || string(p.last()) != m[len(m)-1] {
					t.Fatalf("get/first/last disagree at %d", i)
				}
			}
			if fmt.Sprint(fwd) != fmt.Sprint(m) || fmt.Sprint(rev) != fmt.Sprint(m) {
				t.Fatalf("contents %d/%d entries differ from the model (%d)", len(fwd), len(rev), len(m))
			}
			c := p.clone()
			if c.len() != p.len() {
				t.Fatal("clone length")
			}
		}
	})
}
