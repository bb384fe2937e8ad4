//go:build !linux

package server

// renameExchange is Linux-only: elsewhere nodes.conf is saved through a
// fresh temporary file.
func renameExchange(from, to string) error { return errNoExchange }
