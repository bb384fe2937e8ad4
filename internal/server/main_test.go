package server_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: every
// goroutine the server starts has an owner and a stop path, and Close must
// have waited for all of them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
