package warm

import (
	"runtime"
	"runtime/debug"
)

// Memory touches n bytes of fresh memory and gives them back to the
// kernel.
func Memory(n int64) {
	b := make([]byte, n)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	runtime.KeepAlive(b)
	b = nil
	debug.FreeOSMemory()
}
