// Command shoal-server runs one Shoal node:
//
//	shoal-server [config-file] [--directive value ...]
//
// Directives use valkey.conf names; command-line flags override the file.
package main
