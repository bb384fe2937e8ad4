// Package toolstest runs the stock Redis tools against a Shoal server:
// redis-cli for one-off commands and --pipe mass insertion, and
// redis-benchmark for a short load. The tools come from Debian's
// redis-tools package; without them the tests skip (or fail under CI=true).
package toolstest
