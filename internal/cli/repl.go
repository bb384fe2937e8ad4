package cli

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/shoal-db/shoal/internal/resp"
)

const replHelp = `shoal-cli %s
To get help about a server command, type "COMMAND DOCS <name>".
Local commands:
  connect <host> <port>   connect to another node
  clear                   clear the screen
  quit | exit             leave
  <N> <command ...>       run a command N times
`

// interactive is the prompt: read a line, split it like redis-cli
// (quotes and escapes), run it, print the reply. Without a terminal on
// stdin it reads commands line by line without a prompt, so
// "echo PING | shoal-cli" works.
func (a *app) interactive(ctx context.Context) error {
	a.authWarning()
	s := a.newSession()
	defer s.close()
	if err := s.connect(); err != nil {
		fmt.Fprintln(a.io.Err, err)
	}
	if a.io.InTTY {
		s.onRedirect = func(slot int, host string, port int) {
			fmt.Fprintf(a.io.Out, "-> Redirected to slot [%d] located at %s:%d\n", slot, host, port)
		}
	}
	done := make(chan struct{})
	defer close(done)
	lines := a.readLines(done)
	for {
		if a.io.InTTY {
			fmt.Fprint(a.io.Out, s.prompt())
		}
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return nil // Ctrl-C at the prompt leaves, as in redis-cli
		case line, ok = <-lines:
		}
		if !ok {
			return nil
		}
		if quit := a.replLine(ctx, s, line); quit {
			return nil
		}
	}
}

// readLines feeds stdin's lines to the prompt. The goroutine is owned by
// the prompt: it stops at the end of the input or, after its next line,
// once the prompt has closed done (a Ctrl-C while it waits on a terminal
// ends the process, which ends it too).
func (a *app) readLines(done <-chan struct{}) <-chan string {
	ch := make(chan string)
	go func() {
		defer close(ch)
		br := bufio.NewReader(a.io.In)
		for {
			line, err := br.ReadString('\n')
			if line != "" {
				select {
				case ch <- strings.TrimRight(line, "\r\n"):
				case <-done:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}

// replLine runs one prompt line; it reports whether the user asked to quit.
func (a *app) replLine(ctx context.Context, s *session, line string) bool {
	argv, err := resp.SplitArgs([]byte(line), nil)
	if err != nil {
		fmt.Fprintln(a.io.Out, "Invalid argument(s)")
		return false
	}
	if len(argv) == 0 {
		return false
	}
	args := make([]string, len(argv))
	for i, b := range argv {
		args[i] = string(b)
	}
	switch strings.ToLower(args[0]) {
	case "quit", "exit":
		return true
	case "clear":
		fmt.Fprint(a.io.Out, "\033[H\033[2J")
		return false
	case "help", "?":
		fmt.Fprintf(a.io.Out, replHelp, Version)
		return false
	case "connect":
		a.replConnect(s, args)
		return false
	}
	times := 1
	if n, err := strconv.Atoi(args[0]); err == nil && len(args) > 1 && n > 0 {
		times, args = n, args[1:]
	}
	for i := 0; i < times && ctx.Err() == nil; i++ {
		r, err := s.exec(args)
		if err != nil {
			fmt.Fprintf(a.io.Out, "%v\n", err)
			return false
		}
		fmt.Fprint(a.io.Out, formatReply(r, a.outputMode()))
	}
	return false
}

func (a *app) replConnect(s *session, args []string) {
	if len(args) != 3 {
		fmt.Fprintln(a.io.Out, "Usage: connect <host> <port>")
		return
	}
	port, err := strconv.Atoi(args[2])
	if err != nil {
		fmt.Fprintln(a.io.Out, "Invalid port")
		return
	}
	s.host, s.port, s.db, s.inMulti = args[1], port, 0, false
	if err := s.connect(); err != nil {
		fmt.Fprintln(a.io.Out, err)
	}
}
