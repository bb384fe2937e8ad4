// Package netyield owns one scheduling primitive: a yield that lets every
// goroutine waiting on the network run before the caller continues.
//
// runtime.Gosched puts the caller on the global run queue, and the Go
// scheduler takes that queue before it polls the network. A CPU-bound
// background goroutine (a snapshot walker, an import applying a snapshot)
// that yields with Gosched therefore keeps the network from being polled
// for as long as it runs, when all Ps are busy: clients and links whose
// data has arrived wait in the kernel until sysmon polls, every 10 ms.
// With one P (shoal-server's default on two cores) that is the whole
// process. Yield instead parks the caller in the runtime's poller itself,
// on a descriptor it has just made readable: the caller comes back with the
// next poll, together with everything else that poll finds ready, and the
// poll happens as soon as the P has nothing else to run.
//
// A Yielder holds two descriptors and serves one goroutine at a time; a
// Pool lends a few of them to many goroutines that yield now and then
// (client connections that keep being handed input).
package netyield
