// Command shoal-server runs one Shoal node:
//
//	shoal-server [config-file] [--directive value ...]
//
// Directives use valkey.conf names; command-line flags override the file.
// The process-level choices live here: GOMAXPROCS (procs.go: one fewer
// than the CPUs, or io-threads), the GC tuner (server.Options.TuneGC) and
// the profiling switches (profile.go).
package main
