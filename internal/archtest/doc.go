// Package archtest holds no code: its test keeps the import graph of
// DESIGN §2 true, so layers cannot quietly grow cycles or shortcuts.
package archtest
