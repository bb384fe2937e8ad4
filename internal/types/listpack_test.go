package types

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"
)

// The listpack behaves like a slice of byte strings under any sequence of
// appends, inserts, deletes and replaces.
func TestListpackModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var lp Listpack
		var model [][]byte
		val := rapid.SliceOfN(rapid.Byte(), 0, 300)
		for step := rapid.IntRange(0, 60).Draw(t, "steps"); step > 0; step-- {
			switch rapid.IntRange(0, 3).Draw(t, "op") {
			case 0:
				v := val.Draw(t, "v")
				lp.Append(v)
				model = append(model, v)
			case 1:
				v := val.Draw(t, "v")
				i := rapid.IntRange(0, len(model)).Draw(t, "i")
				lp.Insert(i, v)
				model = append(model[:i], append([][]byte{v}, model[i:]...)...)
			case 2:
				if len(model) == 0 {
					continue
				}
				i := rapid.IntRange(0, len(model)-1).Draw(t, "i")
				n := rapid.IntRange(1, 3).Draw(t, "n")
				lp.Delete(i, n)
				if i+n > len(model) {
					n = len(model) - i
				}
				model = append(model[:i], model[i+n:]...)
			case 3:
				if len(model) == 0 {
					continue
				}
				v := val.Draw(t, "v")
				i := rapid.IntRange(0, len(model)-1).Draw(t, "i")
				lp.Replace(i, v)
				model[i] = v
			}
			if lp.Len() != len(model) {
				t.Fatalf("len %d want %d", lp.Len(), len(model))
			}
			lp.Range(func(i int, v []byte) bool {
				if !bytes.Equal(v, model[i]) {
					t.Fatalf("elem %d = %q want %q", i, v, model[i])
				}
				return true
			})
		}
	})
}
