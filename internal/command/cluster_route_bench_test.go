package command

import "testing"

// The routing check's cost on the request path: GET through Exec on a
// standalone node and on a cluster node that owns the key's slot.
func BenchmarkExecGet(b *testing.B) {
	for _, mode := range []string{"standalone", "cluster"} {
		b.Run(mode, func(b *testing.B) {
			n, c, w := newTestNode()
			if mode == "cluster" {
				n, c, w, _ = newClusterTestNode(twoNodes(true))
			}
			run(n, c, w, "set", "key:000123", "value")
			argv := [][]byte{[]byte("GET"), []byte("key:000123")}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				w.Reset()
				n.Exec(c, w, argv)
			}
		})
	}
}
