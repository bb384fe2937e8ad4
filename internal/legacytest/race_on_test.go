//go:build race

package legacytest

// raceEnabled slows the workloads down under the race detector, which
// makes every operation several times dearer: the migrations under test
// need the machine's cores more than the workload does.
const raceEnabled = true
