package bus

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test of the package must leave no goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
