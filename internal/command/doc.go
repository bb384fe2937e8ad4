// Package command owns the command table — each command as data: name,
// arity, flags, key positions, ACL categories, documentation and handler —
// and the handlers, one file per family (strings.go, keys.go, ...). It also
// owns the per-connection client state and the dispatcher (Exec), which
// checks arity and authentication, queues MULTI blocks, locks the slots of
// the command's keys, runs the handler inside a keyspace.Tx and records
// statistics, the slow log and MONITOR output.
//
// Everything a handler reaches is in Ctx: the node (keyspace, config,
// pub/sub hub, client registry), the calling client, the Tx and the reply
// writer. Client-facing error texts live in errors.go only, so they match
// Valkey byte for byte.
package command
