// Command shoal-cli is the command-line client and cluster manager of
// Shoal. The tool lives in internal/cli; this main only wires the process:
// terminals, signals and the exit status.
package main
