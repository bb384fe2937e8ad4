// Package testutil starts real Shoal servers in-process on port 0 for
// integration tests, and provides condition waits (never fixed sleeps).
package testutil
