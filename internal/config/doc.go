// Package config owns the server's settings: one table of every directive
// (name, aliases, type, default, bounds, whether CONFIG SET may change it),
// the valkey.conf parser (comments, quoting, include, size suffixes, yes/no)
// used for files and for --directive command-line flags, and the CONFIG
// GET/SET/REWRITE semantics. Other packages react to changes through apply
// hooks registered with OnChange; they never poll.
package config
