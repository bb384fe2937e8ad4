//go:build race

package bus

// raceEnabled shrinks the largest simulations under the race detector,
// which slows them down about tenfold.
const raceEnabled = true
