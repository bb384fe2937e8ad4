package legacytest

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: the
// workloads, the clients and every server stop when their test ends.
//
// valkey-go is the exception: when a redirection leads back to the node a
// command was first sent to (an importing target answered -MOVED to the
// source, which answered -ASK to that target), it reconnects and closes
// the old connection from a goroutine that sleeps five seconds first.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/valkey-io/valkey-go.(*clusterClient).redirectOrNew.func1"))
}
