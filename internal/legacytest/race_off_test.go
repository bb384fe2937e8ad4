//go:build !race

package legacytest

const raceEnabled = false
