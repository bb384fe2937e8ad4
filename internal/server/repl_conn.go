package server

import (
	"net"

	"github.com/shoal-db/shoal/internal/resp"
)

// DetachOutput hands the connection's output over to the replication
// layer, after PSYNC turned the client into a replica link: the replies
// buffered in w (the PSYNC handler's writer) are sent first, and from then
// on the replica's sender writes the socket while this connection's
// goroutine keeps reading the replica's REPLCONF ACKs, whose replies are
// dropped (the client is set to CLIENT REPLY OFF).
func (c *conn) DetachOutput(w *resp.Writer) net.Conn {
	c.flush()
	// As after Park: what the writer holds now is only what the handler
	// writes next, so serve must not truncate to a mark taken before.
	c.parkFlushed = true
	return c.nc
}
