package command

import (
	"strings"
	"time"

	"github.com/shoal-db/shoal/internal/types"
)

// Client types, as Valkey's CLIENT_TYPE_*.
const (
	clientTypeNormal = iota
	clientTypeReplica
	clientTypePubSub
	clientTypePrimary
)

func clientTypeByName(name []byte) int {
	switch strings.ToLower(string(name)) {
	case "normal":
		return clientTypeNormal
	case "slave", "replica":
		return clientTypeReplica
	case "pubsub":
		return clientTypePubSub
	case "master", "primary":
		return clientTypePrimary
	}
	return -1
}

// clientTypeOf classifies a client; a MONITOR client is normal, as in
// Valkey.
func clientTypeOf(ci *ClientInfo) int {
	switch {
	case ci.Flags&ClientReplica != 0:
		return clientTypeReplica
	case ci.Flags&ClientPrimary != 0:
		return clientTypePrimary
	}
	if ci.Flags&ClientPubSub != 0 {
		return clientTypePubSub
	}
	return clientTypeNormal
}

// clientFlagLetters renders the flags= field of CLIENT LIST in Valkey's
// order; "N" when none is set.
func clientFlagLetters(flags int64) string {
	var b []byte
	for _, f := range []struct {
		bit    int64
		letter byte
	}{
		{ClientMonitor, 'O'}, {ClientReplica, 'S'}, {ClientPrimary, 'M'}, {ClientPubSub, 'P'}, {ClientMulti, 'x'}, {ClientBlocked, 'b'}, {ClientDirtyCAS, 'd'},
		{ClientCloseAfterReply, 'c'}, {ClientCloseASAP, 'A'}, {ClientReadonly, 'r'},
		{ClientNoEvict, 'e'}, {ClientNoTouch, 'T'},
	} {
		if flags&f.bit != 0 {
			b = append(b, f.letter)
		}
	}
	if len(b) == 0 {
		return "N"
	}
	return string(b)
}

// validFlagFilter lists the letters a FLAGS filter may use (Valkey's
// validateClientFlagFilter), including those of states Shoal never has.
const validFlagFilter = "OSMPxbtRBdcuAUreTIN"

// clientFilter is the parsed form of the filters CLIENT LIST and CLIENT
// KILL take. Unset string filters are nil.
type clientFilter struct {
	ids                   map[int64]bool
	maxAge, idle          int64
	addr, laddr, user     *string
	name, libName, libVer *string
	flags, capa, ip       *string
	typ, db               int
	skipme                bool
}

func newClientFilter(skipme bool) *clientFilter {
	return &clientFilter{typ: -1, db: -1, skipme: skipme}
}

// parseClientFilter parses filters from argv[i:], replying with the error
// and returning false when one is invalid (Valkey's parseClientFiltersOrReply).
func parseClientFilter(c *Ctx, i int, f *clientFilter) bool {
	for i < len(c.Argv) {
		more := i+1 < len(c.Argv)
		opt := strings.ToLower(string(c.Argv[i]))
		if opt == "id" {
			// ID takes every following integer.
			if f.ids == nil {
				f.ids = make(map[int64]bool)
			}
			for i++; i < len(c.Argv); i++ {
				id, ok := types.ParseInt(c.Argv[i])
				if !ok {
					break
				}
				if id < 1 {
					c.Error(ErrClientIDPositive)
					return false
				}
				f.ids[id] = true
			}
			continue
		}
		if !more {
			c.Error(ErrSyntax)
			return false
		}
		if !f.parseOption(c, opt, c.Argv[i+1]) {
			return false
		}
		i += 2
	}
	return true
}

func (f *clientFilter) parseOption(c *Ctx, opt string, val []byte) bool {
	s := string(val)
	switch opt {
	case "maxage", "idle":
		n, ok := types.ParseInt(val)
		notInt, notPos := ErrMaxAgeNotInt, ErrMaxAgePositive
		if opt == "idle" {
			notInt, notPos = ErrIdleNotInt, ErrIdlePositive
		}
		if !ok {
			c.Error(notInt)
			return false
		}
		if n <= 0 {
			c.Error(notPos)
			return false
		}
		if opt == "idle" {
			f.idle = n
		} else {
			f.maxAge = n
		}
	case "type":
		if f.typ = clientTypeByName(val); f.typ < 0 {
			c.Error(ErrUnknownClientType(val))
			return false
		}
	case "addr":
		f.addr = &s
	case "laddr":
		f.laddr = &s
	case "user":
		// "default" is the only user until ACLs arrive.
		if s != "default" {
			c.Error(ErrNoSuchUser(val))
			return false
		}
		f.user = &s
	case "skipme":
		switch {
		case strings.EqualFold(s, "yes"):
			f.skipme = true
		case strings.EqualFold(s, "no"):
			f.skipme = false
		default:
			c.Error(ErrSyntax)
			return false
		}
	case "flags":
		if strings.Trim(s, validFlagFilter) != "" {
			c.Error(ErrUnknownClientFlags(val))
			return false
		}
		f.flags = &s
	case "capa":
		if strings.Trim(s, "r") != "" {
			c.Error(ErrUnknownClientCapa(val))
			return false
		}
		f.capa = &s
	case "name":
		f.name = &s
	case "lib-name":
		f.libName = &s
	case "lib-ver":
		f.libVer = &s
	case "db":
		n, ok := types.ParseInt(val)
		if !ok || n < -1<<31 || n > 1<<31-1 {
			c.Error(ErrDBFilterNotInt)
			return false
		}
		if n < 0 || n >= int64(c.Node.KS.NumDBs()) {
			c.Error(ErrDBFilterRange(c.Node.KS.NumDBs()))
			return false
		}
		f.db = int(n)
	case "ip":
		f.ip = &s
	default:
		c.Error(ErrSyntax)
		return false
	}
	return true
}

// matches reports whether the client described by ci passes the filter;
// self is whether it is the client running the command.
func (f *clientFilter) matches(ci *ClientInfo, self bool, now time.Time) bool {
	switch {
	case f.addr != nil && ci.Addr != *f.addr,
		f.laddr != nil && ci.LocalAddr != *f.laddr,
		f.typ >= 0 && clientTypeOf(ci) != f.typ,
		f.ids != nil && !f.ids[ci.ID],
		f.user != nil && ci.User != *f.user,
		f.skipme && self,
		f.maxAge > 0 && ci.AgeSec < f.maxAge,
		f.idle > 0 && ci.IdleSec < f.idle,
		f.name != nil && (ci.Name == "" || ci.Name != *f.name),
		f.libName != nil && (ci.LibName == "" || ci.LibName != *f.libName),
		f.libVer != nil && (ci.LibVer == "" || ci.LibVer != *f.libVer),
		f.db >= 0 && ci.DB != f.db,
		f.capa != nil && *f.capa != "", // no client declares capabilities yet
		f.ip != nil && !addrHasIP(ci.Addr, *f.ip),
		f.flags != nil && !flagsMatch(ci.Flags, *f.flags):
		return false
	}
	return true
}

// flagsMatch reports whether every letter of filter is set (N: no flags).
func flagsMatch(flags int64, filter string) bool {
	have := clientFlagLetters(flags)
	for i := 0; i < len(filter); i++ {
		if !strings.ContainsRune(have, rune(filter[i])) {
			return false
		}
	}
	return true
}

// addrHasIP reports whether a peer address "ip:port" or "[ip6]:port" is
// from ip (Valkey's clientMatchesIpFilter).
func addrHasIP(addr, ip string) bool {
	addr = strings.TrimPrefix(addr, "[")
	rest, ok := strings.CutPrefix(addr, ip)
	if !ok {
		return false
	}
	rest = strings.TrimPrefix(rest, "]")
	return strings.HasPrefix(rest, ":") && !strings.HasPrefix(rest, ":0")
}
