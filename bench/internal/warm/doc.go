// Package warm prepares this machine's memory before a timed benchmark
// event, for every side of a comparison alike.
//
// This machine is a Firecracker microVM whose host backs guest memory
// lazily: the first touch of a guest page costs a host fault, 2-5 µs or
// 15-20 µs depending on whether the guest's free pages are still backed
// (perf: 60% of a migration target's samples in clear_page_erms). A
// server that grows by the bytes an event moves paid it at random, and
// the same slot migration took 0.4 s or 1.2 s. Touching memory first puts
// backed pages on the guest's free lists.
package warm
