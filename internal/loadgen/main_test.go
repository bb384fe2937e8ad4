package loadgen

import (
	"testing"

	"go.uber.org/goleak"
)

// Every client, refresher and collector goroutine must be gone when a run
// returns.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
