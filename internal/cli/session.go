package cli

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/shoal-db/shoal/internal/resp"
)

// maxRedirects bounds how often one command follows -MOVED/-ASK, so two
// nodes that disagree cannot bounce a command forever.
const maxRedirects = 16

// session is the connection state of one-off and interactive use: the
// node we talk to (it changes when -c follows a redirection), the
// selected database and the transaction state for the prompt.
type session struct {
	a       *app
	host    string
	port    int
	conn    *Conn
	db      int
	inMulti bool
	// onRedirect is told about each redirection followed (the prompt
	// prints it, one-off mode does not).
	onRedirect func(slot int, host string, port int)
}

func (a *app) newSession() *session {
	return &session{a: a, host: a.opts.host, port: a.opts.port, db: a.opts.db}
}

func (s *session) addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// connect (re)connects to the current node with the session's database.
func (s *session) connect() error {
	s.close()
	o := s.a.connOptions()
	o.DB = s.db
	o.RESP3 = s.a.useRESP3()
	c, err := Dial(s.addr(), o)
	if err != nil {
		return err
	}
	s.conn = c
	return nil
}

func (s *session) close() {
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}

// useRESP3: -3, or --json without -2 (redis-cli's default for JSON).
func (a *app) useRESP3() bool { return a.opts.resp3 || (a.opts.json && !a.opts.resp2) }

// exec runs one command, following redirections when -c is set, and keeps
// track of SELECT and MULTI for the prompt.
func (s *session) exec(args []string) (*resp.Reply, error) {
	if s.conn == nil {
		if err := s.connect(); err != nil {
			return nil, err
		}
	}
	r, err := s.conn.Do(args...)
	for i := 0; err == nil && s.a.opts.cluster && i < maxRedirects; i++ {
		kind, slot, host, port, ok := parseRedirect(r)
		if !ok {
			break
		}
		if host == "" {
			host = s.host
		}
		s.host, s.port = host, port
		if s.onRedirect != nil {
			s.onRedirect(slot, host, port)
		}
		if err = s.connect(); err != nil {
			return nil, err
		}
		if kind == "ASK" {
			if err = s.conn.OK("ASKING"); err != nil {
				return nil, err
			}
		}
		r, err = s.conn.Do(args...)
	}
	if err != nil {
		s.close()
		return nil, err
	}
	s.track(args, r)
	return r, nil
}

// track follows the state the prompt shows: the database and MULTI.
func (s *session) track(args []string, r *resp.Reply) {
	if r.IsError() {
		if strings.EqualFold(args[0], "exec") {
			s.inMulti = false
		}
		return
	}
	switch strings.ToLower(args[0]) {
	case "select":
		if len(args) == 2 {
			if db, err := strconv.Atoi(args[1]); err == nil {
				s.db = db
				s.conn.db = db
			}
		}
	case "multi":
		s.inMulti = true
	case "exec", "discard":
		s.inMulti = false
	}
}

// parseRedirect recognizes "-MOVED 3999 127.0.0.1:6381" and "-ASK ...".
// The endpoint may be empty (":6381": same host) or an unbracketed IPv6
// address (the port follows the last colon).
func parseRedirect(r *resp.Reply) (kind string, slot int, host string, port int, ok bool) {
	if r == nil || !r.IsError() {
		return "", 0, "", 0, false
	}
	f := strings.Fields(r.Str)
	if len(f) != 3 || (f[0] != "MOVED" && f[0] != "ASK") {
		return "", 0, "", 0, false
	}
	slot, err := strconv.Atoi(f[1])
	colon := strings.LastIndexByte(f[2], ':')
	if err != nil || colon < 0 {
		return "", 0, "", 0, false
	}
	port, err = strconv.Atoi(f[2][colon+1:])
	if err != nil {
		return "", 0, "", 0, false
	}
	return f[0], slot, f[2][:colon], port, true
}

// prompt is redis-cli's prompt: "127.0.0.1:6379[2](TX)> ".
func (s *session) prompt() string {
	p := s.addr()
	if s.conn == nil {
		p = "not connected"
	}
	if s.db != 0 {
		p += fmt.Sprintf("[%d]", s.db)
	}
	if s.inMulti {
		p += "(TX)"
	}
	return p + "> "
}
