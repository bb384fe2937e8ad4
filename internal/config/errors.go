package config

import (
	"fmt"
	"strings"
)

// reportVersion is the version FATAL CONFIG FILE ERROR reports name, the
// Valkey version Shoal is compatible with.
const reportVersion = "9.0.0"

// FileError is a configuration file (or command-line) error. Its text is
// what valkey-server prints before exiting:
//
//	*** FATAL CONFIG FILE ERROR (Version 9.0.0) ***
//	Reading the configuration file, at line 3 of '/etc/shoal.conf'
//	>>> 'foo bar'
//	Bad directive or wrong number of arguments
type FileError struct {
	File   string // absolute path; "" for command-line options
	Line   int    // 1-based; 0 when the error is not about a line
	Text   string // the offending line, trimmed
	Reason string
}

// with returns a copy of e carrying reason; a nil e (top level, no line)
// yields an error without a location.
func (e *FileError) with(reason string) *FileError {
	if e == nil {
		return &FileError{Reason: reason}
	}
	out := *e
	out.Reason = reason
	return &out
}

func (e *FileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "*** FATAL CONFIG FILE ERROR (Version %s) ***\n", reportVersion)
	if e.Line > 0 {
		where := "the command line options"
		if e.File != "" {
			where = "'" + e.File + "'"
		}
		fmt.Fprintf(&b, "Reading the configuration file, at line %d of %s\n", e.Line, where)
		fmt.Fprintf(&b, ">>> '%s'\n", e.Text)
	}
	b.WriteString(e.Reason)
	return b.String()
}

// ErrNoConfigFile is CONFIG REWRITE's reply when no file was loaded.
const ErrNoConfigFile = "ERR The server is running without a config file"

// RewriteError is a failed CONFIG REWRITE. Its text is Valkey's reply.
type RewriteError struct {
	NoFile bool
	Err    error
}

func (e *RewriteError) Error() string {
	if e.NoFile {
		return ErrNoConfigFile
	}
	return "ERR Rewriting config file: " + strerror(e.Err)
}

func (e *RewriteError) Unwrap() error { return e.Err }
