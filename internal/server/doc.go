// Package server owns the network side of a node: the listener, one
// goroutine per connection that reads requests, executes them through
// command.Node.Exec and flushes replies when it would otherwise block
// (pipelined batches through the write combiner, combine.go; client
// sockets with raw system calls, rawio.go; docs/design/0011); the
// asynchronous output path for pub/sub and MONITOR; the periodic cron
// (active expiry, client timeouts, memory accounting); configuration
// wiring; and start-up and shutdown.
//
// Goroutines: Server.Start starts the accept loop, the cron and the write
// combiner; the accept
// loop starts one goroutine per connection, and a connection starts a
// writer goroutine the first time it needs asynchronous output. All of them
// are tracked by Server.wg and end when Close is called: the listener is
// closed, every connection is closed, the stop channel the cron and the
// combiner watch is closed.
//
// In cluster mode (cluster*.go) Start also opens the cluster bus, loads or
// creates nodes.conf and starts the bus.Runner that drives the cluster
// state machine, plus a worker that deletes the keys of lost slots; Close
// stops them after the connections are gone.
package server
