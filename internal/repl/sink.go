package repl

// sink is the keyspace propagation sink of a primary: it encodes every
// write effect into the backlog, with SELECT when the database changes and
// MULTI/EXEC as the keyspace hands them over. It runs under the written
// keys' slot locks on every write, so it only takes the backlog's mutex
// and copies bytes.
type sink struct{ bl *backlog }

// Propagate implements keyspace.Sink.
func (s *sink) Propagate(db, _ int, argv [][]byte) { s.bl.appendCommand(db, argv) }
