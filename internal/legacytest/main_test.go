package legacytest

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: the
// workloads, the clients and every server stop when their test ends.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
