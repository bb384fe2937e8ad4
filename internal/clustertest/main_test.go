package clustertest

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: the
// cluster bus, the runner and the slot worker all stop in Server.Close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
