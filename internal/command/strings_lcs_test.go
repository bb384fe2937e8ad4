package command_test

import (
	"testing"
)

func TestStringsLCS(t *testing.T) {
	const (
		rna1   = "CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG"
		rna2   = "ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT"
		rnalcs = "ACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT"
	)
	r := func(a0, a1, b0, b1 int64, n ...int64) []any {
		out := []any{[]any{a0, a1}, []any{b0, b1}}
		for _, x := range n {
			out = append(out, x)
		}
		return out
	}
	for _, proto := range []int{2, 3} {
		e := newStrEnv(t, proto)
		e.do("OK", "mset", "v1", rna1, "v2", rna2)
		e.do(rnalcs, "lcs", "v1", "v2")
		e.do(int64(len(rnalcs)), "lcs", "v1", "v2", "LEN")
		matches := []any{r(238, 238, 239, 239), r(236, 236, 238, 238), r(229, 230, 236, 237),
			r(224, 224, 235, 235), r(1, 222, 13, 234)}
		withLen := []any{r(238, 238, 239, 239, 1), r(236, 236, 238, 238, 1), r(229, 230, 236, 237, 2),
			r(224, 224, 235, 235, 1), r(1, 222, 13, 234, 222)}
		idxReply := func(m []any) any {
			if proto == 2 {
				return []any{"matches", m, "len", int64(227)}
			}
			return map[any]any{"matches": m, "len": int64(227)}
		}
		e.do(idxReply(matches), "lcs", "v1", "v2", "IDX")
		e.do(idxReply(withLen), "lcs", "v1", "v2", "idx", "withmatchlen")
		e.do(idxReply([]any{r(1, 222, 13, 234, 222)}), "lcs", "v1", "v2", "idx", "withmatchlen", "minmatchlen", "5")
		e.do(idxReply(matches), "lcs", "v1", "v2", "idx", "minmatchlen", "-5")

		e.do("", "lcs", "missing1", "missing2")
		e.do(int64(0), "lcs", "v1", "missing", "len")
		e.do(errReply("ERR If you want both the length and indexes, please just use IDX."), "lcs", "v1", "v2", "len", "idx")
		e.do(errSyntax, "lcs", "v1", "v2", "foo")
		e.do(errSyntax, "lcs", "v1", "v2", "minmatchlen")
		e.do(errNotInt, "lcs", "v1", "v2", "minmatchlen", "x")
		e.do(errReply("ERR wrong number of arguments for 'lcs' command"), "lcs", "v1")
	}
}
