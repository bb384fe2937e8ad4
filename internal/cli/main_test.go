package cli

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind:
// prompts, progress bars, fake servers and test clusters all stop.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
