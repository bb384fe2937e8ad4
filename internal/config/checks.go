package config

import (
	"net/netip"
	"path/filepath"
	"strings"
)

// Validators for individual settings. Each returns "" when the canonical
// value is acceptable, otherwise the reason CONFIG SET and the file
// loader report (Valkey's text where Valkey has one).

func checkNotEmpty(name string) func(string) string {
	return func(v string) string {
		if v == "" {
			return name + " can't be empty"
		}
		return ""
	}
}

// checkBaseName is isValidDBfilename / isValidAOFfilename.
func checkBaseName(name, what string) func(string) string {
	return func(v string) string {
		if v == "" {
			return name + " can't be empty"
		}
		if filepath.Base(v) != v || strings.ContainsRune(v, '/') {
			return name + " can't be a path, just a " + what
		}
		return ""
	}
}

func checkIPv4(v string) string {
	if v == "" {
		return ""
	}
	if a, err := netip.ParseAddr(v); err != nil || !a.Is4() {
		return "Invalid IPv4 address"
	}
	return ""
}

func checkIPv6(v string) string {
	if v == "" {
		return ""
	}
	if a, err := netip.ParseAddr(v); err != nil || !a.Is6() || a.Zone() != "" {
		return "Invalid IPv6 address"
	}
	return ""
}

// checkHostname is isValidAnnouncedHostname.
func checkHostname(v string) string {
	if len(v) >= 256 {
		return "Hostnames must be less than 256 characters"
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(isAlnum(c) || c == '-' || c == '.') {
			return "Hostnames may only contain alphanumeric characters, hyphens or dots"
		}
	}
	return ""
}

// checkNodename is isValidAnnouncedNodename (isValidAuxString).
func checkNodename(v string) string {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !isAlnum(c) && strings.IndexByte("!#$%&()*+:;<>?@[]^{|}~", c) >= 0 {
			return "Announced human node name contained invalid character"
		}
	}
	return ""
}

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func checkHashSeed(v string) string {
	if len(v) > 256 {
		return "hash-seed must be less than or equal to 256 characters"
	}
	return ""
}

// procTitleVars are the variables proc-title-template may use.
var procTitleVars = []string{"{title}", "{listen-addr}", "{server-mode}", "{port}", "{tls-port}", "{unixsocket}", "{config-file}"}

// checkProcTitle is validateProcTitleTemplate: only known {variables},
// balanced braces, and something left after expansion.
func checkProcTitle(v string) string {
	const bad = "template format is invalid or contains unknown variables"
	rest, out := v, strings.Builder{}
	for rest != "" {
		i := strings.IndexAny(rest, "{}")
		if i < 0 {
			out.WriteString(rest)
			break
		}
		out.WriteString(rest[:i])
		if rest[i] == '}' {
			return bad
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return bad
		}
		known := false
		for _, name := range procTitleVars {
			known = known || rest[i:i+j+1] == name
		}
		if !known {
			return bad
		}
		out.WriteString("x")
		rest = rest[i+j+1:]
	}
	if strings.TrimSpace(out.String()) == "" {
		return bad
	}
	return ""
}

// checkShutdownFlags is isValidShutdownOnSigFlags.
func checkShutdownFlags(v string) string {
	f := " " + v + " "
	if strings.Contains(f, " save ") && strings.Contains(f, " nosave ") {
		return "shutdown options SAVE and NOSAVE can't be used simultaneously"
	}
	return ""
}

// Shoal refuses settings that would ask for something it does not do,
// rather than accepting them silently.

func rejectYes(reason string) func(string) string {
	return func(v string) string {
		if v == "yes" {
			return reason
		}
		return ""
	}
}

func rejectNonEmpty(reason string) func(string) string {
	return func(v string) string {
		if v != "" {
			return reason
		}
		return ""
	}
}

func rejectNonZero(reason string) func(string) string {
	return func(v string) string {
		if v != "0" {
			return reason
		}
		return ""
	}
}

const (
	reasonDaemonize  = "Shoal does not daemonize: keep 'daemonize no' and run shoal-server under a supervisor (systemd, a container runtime, ...)"
	reasonUnixSocket = "unixsocket is not supported by Shoal: it listens on TCP only"
	reasonTLS        = "TLS is not supported by Shoal"
	reasonRDMA       = "RDMA is not supported by Shoal"
	reasonMPTCP      = "MPTCP is not supported on this platform"
)
