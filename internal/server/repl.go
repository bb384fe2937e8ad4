package server

import (
	"github.com/shoal-db/shoal/internal/repl"
)

// replSettings are the directives the replication layer re-reads when
// CONFIG SET changes one of them.
var replSettings = []string{
	"repl-backlog-size", "repl-backlog-ttl", "repl-timeout", "repl-ping-replica-period",
	"min-replicas-to-write", "min-replicas-max-lag", "replica-read-only", "replica-serve-stale-data",
	"primaryauth", "primaryuser", "replica-announce-ip", "replica-announce-port", "replica-priority",
	"replica-announced", "client-output-buffer-limit",
}

// newRepl builds the replication layer and plugs it into the command
// layer; startRepl runs it once the client port is known.
func (s *Server) newRepl() {
	s.repl = repl.New(repl.Options{Node: s.node, Config: s.cfg, Logger: s.log.With("component", "replication"),
		Port: s.Port})
	s.node.Repl = s.repl
	s.cfg.OnAnyChange(func() error { s.repl.Reload(); return nil }, replSettings...)
}

// Repl exposes the replication layer (tests).
func (s *Server) Repl() *repl.Repl { return s.repl }
