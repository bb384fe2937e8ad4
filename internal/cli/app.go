package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// Version is printed by --version.
const Version = "0.1.0"

// Exit codes.
const (
	ExitOK           = 0
	ExitError        = 1
	ExitUsage        = 2
	ExitClusterNotOK = 3   // cluster check found problems
	ExitInterrupted  = 130 // Ctrl-C, after cancelling what was running
)

// IO are the process streams and environment Run uses; main passes the
// real ones, tests pass buffers.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// InTTY, OutTTY and ErrTTY say whether the streams are terminals
	// (prompt, formatted output, progress bars).
	InTTY, OutTTY, ErrTTY bool
	// Getenv reads the environment (nil: os.Getenv).
	Getenv func(string) string
}

// globalOptions are the redis-cli style flags shared by every command.
type globalOptions struct {
	host         string
	port         int
	password     string
	user         string
	db           int
	cluster      bool
	raw, noRaw   bool
	json         bool
	resp2, resp3 bool
	exitOnError  bool
	repeat       int
	interval     float64
	stdinLast    bool
	quiet        bool
	verbose      bool
	help         bool
	version      bool
	noAuthWarn   bool
}

// app is one run of shoal-cli.
type app struct {
	io    IO
	opts  globalOptions
	stdin *bufio.Reader // answers to questions, read lazily
}

// readLine reads one answer from stdin ("" at the end of the input).
func (a *app) readLine() string {
	line, _ := a.readAnswer()
	return line
}

// readAnswer reads one line from stdin, without its line ending.
func (a *app) readAnswer() (string, error) {
	if a.stdin == nil {
		a.stdin = bufio.NewReader(a.io.In)
	}
	line, err := a.stdin.ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}

// exitError carries an exit code; its message, if any, has been printed.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return "exit " + strconv.Itoa(e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError is a command line the tool cannot act on (exit 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }

func usagef(format string, args ...any) error { return &usageError{fmt.Errorf(format, args...)} }

// Run runs shoal-cli with args (without the program name) and returns the
// process exit code. Cancelling ctx is Ctrl-C: running migrations are
// cancelled and Run returns ExitInterrupted.
func Run(ctx context.Context, args []string, stdio IO) int {
	if stdio.Getenv == nil {
		stdio.Getenv = os.Getenv
	}
	if stdio.In == nil {
		stdio.In = eofReader{}
	}
	a := &app{io: stdio}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdio.In)
	root.SetOut(stdio.Out)
	root.SetErr(stdio.Err)
	return a.exitCode(ctx, root.ExecuteContext(ctx))
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

func (a *app) exitCode(ctx context.Context, err error) int {
	var ee *exitError
	var ue *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		if ee.err != nil && !errors.Is(ee.err, errPrinted) {
			fmt.Fprintf(a.io.Err, "%v\n", ee.err)
		}
		return ee.code
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		fmt.Fprintln(a.io.Err, "Interrupted.")
		return ExitInterrupted
	case errors.As(err, &ue):
		fmt.Fprintf(a.io.Err, "Error: %v\nRun 'shoal-cli --help' for usage.\n", ue.err)
		return ExitUsage
	case errors.Is(err, errPrinted):
		return ExitError
	}
	fmt.Fprintf(a.io.Err, "%v\n", err)
	return ExitError
}

// errPrinted marks an error whose explanation is already on the screen.
var errPrinted = errors.New("error already reported")

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "shoal-cli [options] [command [arg ...]]",
		Short: "Command-line client and cluster manager for Shoal (and Valkey/Redis)",
		Long: `shoal-cli sends one command (or starts an interactive prompt without one)
to a Shoal, Valkey or Redis server, formatting replies like redis-cli.
"shoal-cli cluster <verb>" manages a cluster (see "shoal-cli cluster --help").`,
		Args:          cobra.ArbitraryArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.opts.version {
				fmt.Fprintf(a.io.Out, "shoal-cli %s\n", Version)
				return nil
			}
			if len(args) == 0 {
				return a.interactive(cmd.Context())
			}
			return a.oneOff(cmd.Context(), args)
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetHelpCommand(&cobra.Command{Use: "no-help-command", Hidden: true})
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	// Flags stop at the command name, so "shoal-cli incrby k -1" works.
	root.Flags().SetInterspersed(false)
	a.globalFlags(root)
	root.AddCommand(a.clusterCommand())
	return root
}

func (a *app) globalFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	o := &a.opts
	f.StringVarP(&o.host, "host", "h", "127.0.0.1", "server hostname")
	f.IntVarP(&o.port, "port", "p", 6379, "server port")
	f.StringVarP(&o.password, "pass", "a", "", "password (also $SHOALCLI_AUTH, $VALKEYCLI_AUTH, $REDISCLI_AUTH)")
	f.StringVar(&o.user, "user", "", "ACL user name (needs -a)")
	f.IntVarP(&o.db, "db", "n", 0, "database number")
	f.BoolVarP(&o.cluster, "cluster-mode", "c", false, "follow -MOVED and -ASK redirections")
	f.BoolVar(&o.raw, "raw", false, "raw reply formatting (default when stdout is not a terminal)")
	f.BoolVar(&o.noRaw, "no-raw", false, "formatted replies even when stdout is not a terminal")
	f.BoolVar(&o.json, "json", false, "JSON output (replies; NDJSON events for cluster verbs)")
	f.BoolVarP(&o.resp2, "resp2", "2", false, "use RESP2")
	f.BoolVarP(&o.resp3, "resp3", "3", false, "use RESP3")
	f.BoolVarP(&o.exitOnError, "exit-error", "e", false, "exit with status 1 when the command replies with an error")
	f.IntVarP(&o.repeat, "repeat", "r", 1, "run the command N times")
	f.Float64VarP(&o.interval, "interval", "i", 0, "seconds to wait between repeats")
	f.BoolVarP(&o.stdinLast, "stdin", "x", false, "read the last argument from stdin")
	f.BoolVar(&o.quiet, "quiet", false, "cluster verbs: print only errors and the result")
	f.BoolVar(&o.verbose, "verbose", false, "more output")
	f.BoolVar(&o.help, "help", false, "help for shoal-cli")
	f.BoolVarP(&o.version, "version", "v", false, "print the version and exit")
	f.BoolVar(&o.noAuthWarn, "no-auth-warning", false, "no warning about passwords on the command line")
}

// addr is the -h/-p address.
func (a *app) addr() string { return net.JoinHostPort(a.opts.host, strconv.Itoa(a.opts.port)) }

// connOptions are the connection settings every node gets.
func (a *app) connOptions() ConnOptions {
	pass := a.opts.password
	if pass == "" {
		for _, env := range []string{"SHOALCLI_AUTH", "VALKEYCLI_AUTH", "REDISCLI_AUTH"} {
			if pass = a.io.Getenv(env); pass != "" {
				break
			}
		}
	}
	return ConnOptions{User: a.opts.user, Password: pass}
}

// authWarning is redis-cli's warning about -a on the command line.
func (a *app) authWarning() {
	if a.opts.password != "" && !a.opts.noAuthWarn {
		fmt.Fprintln(a.io.Err, "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.")
	}
}
