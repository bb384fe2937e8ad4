// Package slot owns the mapping from keys to the 16384 cluster hash slots:
// CRC16 (XMODEM polynomial 0x1021, as Valkey), {hash tags}, and slot ranges.
// It has no dependencies so every layer, including the pure cluster state
// machine, can use it.
package slot
