package loadgen

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"strconv"
	"strings"
	"time"
)

// Pattern is how one side (sets or gets) picks its key numbers, in
// memtier's letters.
type Pattern byte

// Key patterns.
const (
	PatternRandom     Pattern = 'R' // uniform over [min, max]
	PatternGaussian   Pattern = 'G' // normal around the median, clipped to the range
	PatternZipf       Pattern = 'Z' // Zipf over [max(min,1), max]: low numbers are hot
	PatternSequential Pattern = 'S' // min, min+1, ... wrapping; every client walks the whole range
	PatternParallel   Pattern = 'P' // sequential over the client's own share of the range
)

// Config describes one run. Zero values are not defaults: start from
// DefaultConfig.
type Config struct {
	// Server and Port name the node to connect to (the seed in cluster
	// mode).
	Server string
	Port   int
	// Cluster enables slot routing from CLUSTER SLOTS and redirections.
	Cluster bool
	// User and Password authenticate every connection (AUTH); empty
	// Password means no AUTH.
	User, Password string
	// DB is SELECTed on every connection when non-zero (standalone only).
	DB int

	// Threads × Clients logical clients run concurrently; each has one
	// connection per node it talks to.
	Threads, Clients int
	// Pipeline is the most requests a client has in flight.
	Pipeline int
	// Requests per client (closed or open loop); 0 when TestTime is set.
	Requests int64
	// TestTime bounds the run by time instead of requests.
	TestTime time.Duration
	// Rate is the total target ops/sec across all clients (open loop);
	// 0 runs closed loop, as fast as the server answers.
	Rate float64

	// RatioSet:RatioGet is the memtier cycle: RatioSet SETs, then
	// RatioGet GETs.
	RatioSet, RatioGet int
	// DataSize is the SET value size in bytes.
	DataSize int
	// RandomData fills values with random bytes instead of a fixed
	// pattern.
	RandomData bool

	// Keys are KeyPrefix followed by a number in [KeyMin, KeyMax].
	KeyPrefix      string
	KeyMin, KeyMax int64
	// SetPattern and GetPattern pick the key numbers of SETs and GETs.
	SetPattern, GetPattern Pattern
	// KeyStddev and KeyMedian shape the Gaussian pattern (0: range/6 and
	// the middle of the range, as memtier).
	KeyStddev, KeyMedian float64
	// ZipfExp is the Zipf exponent, in (0, 5).
	ZipfExp float64
	// Seed seeds the key and value generators; client i uses Seed+i.
	Seed uint64

	// ConnectTimeout bounds each dial.
	ConnectTimeout time.Duration
	// MaxRedirects bounds the MOVED/ASK/TRYAGAIN retries of one request
	// before it counts as an error.
	MaxRedirects int

	// Progress, when set, receives a memtier-style progress line every
	// second.
	Progress io.Writer
	// Logger receives warnings (topology refresh failures). Nil discards.
	Logger *slog.Logger
}

// DefaultConfig returns memtier_benchmark's defaults (4 threads × 50
// clients, 1:10, 32-byte values, keys memtier-0 … memtier-10000000,
// uniform, 10000 requests per client).
func DefaultConfig() Config {
	return Config{
		Server:         "127.0.0.1",
		Port:           6379,
		Threads:        4,
		Clients:        50,
		Pipeline:       1,
		Requests:       10000,
		RatioSet:       1,
		RatioGet:       10,
		DataSize:       32,
		KeyPrefix:      "memtier-",
		KeyMin:         0,
		KeyMax:         10000000,
		SetPattern:     PatternRandom,
		GetPattern:     PatternRandom,
		ZipfExp:        1,
		Seed:           1,
		ConnectTimeout: 5 * time.Second,
		MaxRedirects:   32,
	}
}

// Conns is the number of logical clients (threads × clients).
func (c *Config) Conns() int { return c.Threads * c.Clients }

// Addr is the seed address host:port.
func (c *Config) Addr() string { return joinHostPort(c.Server, c.Port) }

// Validate reports the first inconsistent setting.
func (c *Config) Validate() error {
	switch {
	case c.Server == "":
		return errors.New("no server")
	case c.Port <= 0 || c.Port > 65535:
		return fmt.Errorf("bad port %d", c.Port)
	case c.Threads < 1 || c.Clients < 1:
		return errors.New("threads and clients must be at least 1")
	case c.Pipeline < 1:
		return errors.New("pipeline must be at least 1")
	case c.Requests < 0 || (c.Requests == 0 && c.TestTime <= 0):
		return errors.New("need a positive number of requests or a test time")
	case c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0):
		return errors.New("rate must be a positive number of ops/sec")
	case c.RatioSet < 0 || c.RatioGet < 0 || c.RatioSet+c.RatioGet == 0:
		return errors.New("ratio needs at least one SET or GET")
	case c.DataSize < 1:
		return errors.New("data size must be at least 1")
	case c.KeyMax < c.KeyMin || c.KeyMin < 0:
		return errors.New("key range is empty (key-minimum > key-maximum) or negative")
	case c.Cluster && c.DB != 0:
		return errors.New("cluster mode has only database 0")
	case c.MaxRedirects < 1:
		return errors.New("max redirects must be at least 1")
	}
	for _, p := range []Pattern{c.SetPattern, c.GetPattern} {
		if !validPattern(p) {
			return fmt.Errorf("unknown key pattern %q", string(p))
		}
		if p == PatternZipf && c.KeyMax < 1 {
			return errors.New("zipf keys are positive: key-maximum must be at least 1")
		}
	}
	if (c.SetPattern == PatternZipf || c.GetPattern == PatternZipf) && !(c.ZipfExp > 0 && c.ZipfExp < 5) {
		return fmt.Errorf("zipf exponent %v is out of (0, 5)", c.ZipfExp)
	}
	return nil
}

func validPattern(p Pattern) bool {
	switch p {
	case PatternRandom, PatternGaussian, PatternZipf, PatternSequential, PatternParallel:
		return true
	}
	return false
}

// ParseRatio parses memtier's "SET:GET" ratio, e.g. "1:10".
func ParseRatio(s string) (set, get int, err error) {
	a, b, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, fmt.Errorf("ratio %q: want SET:GET, e.g. 1:10", s)
	}
	set, err1 := strconv.Atoi(a)
	get, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || set < 0 || get < 0 || set+get == 0 {
		return 0, 0, fmt.Errorf("ratio %q: want two non-negative integers, not both 0", s)
	}
	return set, get, nil
}

// ParsePattern parses memtier's "SET:GET" key pattern, e.g. "R:R", "G:G",
// "S:S", "P:P" or "Z:Z".
func ParsePattern(s string) (set, get Pattern, err error) {
	a, b, ok := strings.Cut(strings.ToUpper(s), ":")
	if !ok || len(a) != 1 || len(b) != 1 || !validPattern(Pattern(a[0])) || !validPattern(Pattern(b[0])) {
		return 0, 0, fmt.Errorf("key pattern %q: want SET:GET with R (uniform), G (gaussian), Z (zipf), S (sequential) or P (parallel), e.g. R:R", s)
	}
	return Pattern(a[0]), Pattern(b[0]), nil
}

func joinHostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}
