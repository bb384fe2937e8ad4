// Package migration owns atomic slot migration (DESIGN §6, spec §1): the
// jobs of CLUSTER MIGRATESLOTS on the source (export) and the jobs that
// CLUSTER SYNCSLOTS ESTABLISH starts on the target (import), their state
// machines with Valkey's state names and messages, the per-slot write
// pause of the finalization, and the migration log that CLUSTER
// GETSLOTMIGRATIONS lists.
//
// An export job owns one goroutine (run) that connects to the target,
// streams a forkless snapshot of the slots (keyspace.StartSnapshot) and the
// writes that follow it on the same link, then pauses writes to those slots
// only, hands them over and waits to see the target own them. A reader
// goroutine per link takes the target's control messages; a writer
// goroutine drains the job's output buffer to the socket. All three stop
// when the job ends (success, failure or cancel).
//
// An import job has no goroutine of its own: it is driven by the
// connection that sent ESTABLISH (its commands are applied to the staging
// area of the keyspace) and by the manager's cron (ACKs, timeouts).
//
// Lock order: keyspace slot locks → Manager.mu → Job.mu → outBuf.mu.
// The keyspace calls the stream sink and the snapshot consumer under slot
// locks; they only take outBuf.mu.
package migration
