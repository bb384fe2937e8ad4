// Package testutil starts real Shoal servers in-process on port 0 for
// integration tests — single nodes (StartServer) and joined clusters whose
// nodes can be killed and restarted on their ports (StartCluster) — and
// provides condition waits (never fixed sleeps).
package testutil
