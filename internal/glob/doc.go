// Package glob implements Valkey's glob-style pattern matching
// (stringmatchlen), used by KEYS, SCAN MATCH, PSUBSCRIBE and CONFIG GET:
// '*', '?', '[...]' with ranges and '^' negation, and '\' escapes.
package glob
