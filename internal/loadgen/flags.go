package loadgen

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Options are the command-line settings that are not part of a run's
// Config: where the results go.
type Options struct {
	// Out, when set, is a directory that receives timeline.csv,
	// timeline.png, timeline.svg, events.csv and summary.json.
	Out string
	// Events is a file of "unix_ms,label" lines read at the end of the run
	// and drawn on the chart.
	Events string
	// JSON prints the summary as JSON on stdout instead of the table.
	JSON bool
	// JSONFile also writes the JSON summary to a file (memtier's
	// --json-out-file).
	JSONFile string
	// Title is the chart's title.
	Title string
	// Quiet hides the progress line.
	Quiet bool
}

// errHelp is returned by ParseFlags for -h/--help, after printing usage.
var errHelp = pflag.ErrHelp

// ParseFlags parses memtier_benchmark-style flags into a Config and
// Options. Usage and errors go to stderr.
func ParseFlags(args []string, stderr io.Writer) (Config, Options, error) {
	cfg := DefaultConfig()
	var opt Options
	fs := pflag.NewFlagSet("shoal-benchmark", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: shoal-benchmark [options]\n\nA memtier_benchmark-like load generator for Shoal, Valkey and Redis (standalone or cluster).\n\n")
		fs.PrintDefaults()
	}
	var (
		requests, testTime, ratio, pattern string
		rateLimiting                       float64
		distinct                           bool
	)
	fs.StringVarP(&cfg.Server, "server", "s", cfg.Server, "server address")
	fs.IntVarP(&cfg.Port, "port", "p", cfg.Port, "server port")
	fs.StringVarP(&cfg.Password, "authenticate", "a", "", "authenticate with PASSWORD or USER:PASSWORD")
	fs.BoolVar(&cfg.Cluster, "cluster-mode", false, "cluster mode: route by CLUSTER SLOTS, follow MOVED/ASK, retry TRYAGAIN")
	fs.IntVar(&cfg.DB, "select-db", 0, "database to SELECT (standalone only)")
	fs.IntVarP(&cfg.Threads, "threads", "t", cfg.Threads, "number of threads")
	fs.IntVarP(&cfg.Clients, "clients", "c", cfg.Clients, "number of clients (connections) per thread")
	fs.IntVar(&cfg.Pipeline, "pipeline", cfg.Pipeline, "requests in flight per client")
	fs.StringVarP(&requests, "requests", "n", "10000", "requests per client, or \"allkeys\" to cover the key range once across all clients")
	fs.StringVar(&testTime, "test-time", "", "run for SECONDS (or a duration such as 90s, 2m) instead of a number of requests")
	fs.Float64Var(&cfg.Rate, "rate", 0, "open loop: total requests per second across all clients; latencies are measured from the intended send time")
	fs.Float64Var(&rateLimiting, "rate-limiting", 0, "open loop, memtier style: requests per second per connection")
	fs.StringVar(&ratio, "ratio", "1:10", "SET:GET ratio")
	fs.IntVarP(&cfg.DataSize, "data-size", "d", cfg.DataSize, "value size in bytes")
	fs.BoolVarP(&cfg.RandomData, "random-data", "R", false, "random value bytes instead of a fixed pattern")
	fs.StringVar(&cfg.KeyPrefix, "key-prefix", cfg.KeyPrefix, "key prefix")
	fs.Int64Var(&cfg.KeyMin, "key-minimum", cfg.KeyMin, "smallest key number")
	fs.Int64Var(&cfg.KeyMax, "key-maximum", cfg.KeyMax, "largest key number")
	fs.StringVar(&pattern, "key-pattern", "R:R", "SET:GET key pattern: R uniform, G gaussian, Z zipf, S sequential, P parallel (sequential over each client's share)")
	fs.Float64Var(&cfg.KeyStddev, "key-stddev", 0, "gaussian standard deviation (default: key range / 6)")
	fs.Float64Var(&cfg.KeyMedian, "key-median", 0, "gaussian median (default: middle of the key range)")
	fs.Float64Var(&cfg.ZipfExp, "key-zipf-exp", cfg.ZipfExp, "zipf exponent, in (0, 5)")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed (client i uses seed, stream i)")
	fs.BoolVar(&distinct, "distinct-client-seed", true, "accepted for memtier compatibility: clients always use distinct streams")
	fs.DurationVar(&cfg.ConnectTimeout, "connect-timeout", cfg.ConnectTimeout, "dial timeout")
	fs.IntVar(&cfg.MaxRedirects, "max-redirects", cfg.MaxRedirects, "MOVED/ASK/TRYAGAIN retries per request before it counts as an error")
	fs.StringVar(&opt.Out, "out", "", "directory for timeline.csv, timeline.png, timeline.svg, events.csv and summary.json")
	fs.StringVar(&opt.Events, "events", "", "file of \"unix_ms,label\" lines (appended by a driver during the run) drawn as vertical lines on the chart")
	fs.BoolVar(&opt.JSON, "json", false, "print the summary as JSON instead of the table")
	fs.StringVar(&opt.JSONFile, "json-out-file", "", "also write the JSON summary to FILE")
	fs.StringVar(&opt.Title, "title", "", "chart title")
	fs.BoolVarP(&opt.Quiet, "quiet", "q", false, "no progress line")
	fs.Bool("hide-histogram", true, "accepted for memtier compatibility (no histogram is printed)")

	if err := fs.Parse(args); err != nil {
		return cfg, opt, err
	}
	if fs.NArg() > 0 {
		return cfg, opt, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := applyParsed(&cfg, fs, requests, testTime, ratio, pattern, rateLimiting); err != nil {
		return cfg, opt, err
	}
	return cfg, opt, cfg.Validate()
}

// applyParsed turns the string-valued flags into Config fields.
func applyParsed(cfg *Config, fs *pflag.FlagSet, requests, testTime, ratio, pattern string, rateLimiting float64) error {
	var err error
	if cfg.RatioSet, cfg.RatioGet, err = ParseRatio(ratio); err != nil {
		return err
	}
	if cfg.SetPattern, cfg.GetPattern, err = ParsePattern(pattern); err != nil {
		return err
	}
	if user, pass, ok := strings.Cut(cfg.Password, ":"); ok {
		cfg.User, cfg.Password = user, pass
	}
	if testTime != "" {
		if cfg.TestTime, err = parseSeconds(testTime); err != nil {
			return err
		}
		if !fs.Changed("requests") {
			cfg.Requests = 0
		}
	}
	if requests == "allkeys" {
		span := cfg.KeyMax - cfg.KeyMin + 1
		conns := int64(cfg.Conns())
		cfg.Requests = (span + conns - 1) / conns
	} else if fs.Changed("requests") || testTime == "" {
		n, err := strconv.ParseInt(requests, 10, 64)
		if err != nil || n < 1 {
			return fmt.Errorf("requests %q: want a positive number or allkeys", requests)
		}
		cfg.Requests = n
	}
	if rateLimiting > 0 {
		if cfg.Rate > 0 {
			return errors.New("use --rate or --rate-limiting, not both")
		}
		cfg.Rate = rateLimiting * float64(cfg.Conns())
	}
	return nil
}

// parseSeconds reads memtier's "--test-time SECS", also accepting Go
// durations ("90s", "2m").
func parseSeconds(s string) (time.Duration, error) {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		if v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			return 0, fmt.Errorf("test time %q must be positive", s)
		}
		return time.Duration(v * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("test time %q: want seconds or a duration such as 90s", s)
	}
	return d, nil
}
