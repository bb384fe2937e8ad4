package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-db/shoal/internal/command"
	"github.com/shoal-db/shoal/internal/config"
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/netyield"
	"github.com/shoal-db/shoal/internal/repl"
)

// Server is one Shoal node.
type Server struct {
	cfg   *config.Config
	ks    *keyspace.Keyspace
	node  *command.Node
	log   *slog.Logger
	level *slog.LevelVar

	ln   net.Listener
	port int

	wg       sync.WaitGroup
	stop     chan struct{}
	stopOnce sync.Once
	shutdown chan struct{} // closed by SHUTDOWN

	connsMu sync.Mutex
	conns   map[*conn]struct{}

	settings liveSettings
	cluster  *clusterNode // cluster mode only (cluster.go)
	repl     *repl.Repl   // replication (repl.go)
	gc       *gcTuner     // nil unless Options.TuneGC
	combiner *writeCombiner
	yielders *netyield.Pool // connections' yields (conn.beforeRead)
}

// connYielders bounds the Yielders connections share (two descriptors
// each). Connections yield only while a client keeps input waiting; past
// this many yielding at once, the rest use runtime.Gosched.
const connYielders = 16

// liveSettings are config values read on hot paths, kept in atomics by
// config apply hooks.
type liveSettings struct {
	maxclients      atomic.Int64
	timeoutSec      atomic.Int64
	protectedMode   atomic.Bool
	maxBulkLen      atomic.Int64
	queryBufLimit   atomic.Int64
	hz              atomic.Int64
	expireEffort    atomic.Int64
	pubsubHardLimit atomic.Int64
	keepaliveSec    atomic.Int64
}

// Options are the process-level things a server is built with.
type Options struct {
	Logger *slog.Logger
	// Level, when set, is the LevelVar behind Logger's handler; the
	// loglevel directive adjusts it.
	Level *slog.LevelVar
	// TuneGC lets the server bound the garbage collector's headroom with
	// a soft memory limit (gctune.go). The limit is process-wide, so only
	// a process that runs one server (shoal-server) should set it.
	TuneGC bool
}

// New builds a server from cfg. It does not listen yet.
func New(cfg *config.Config, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{
		cfg:      cfg,
		log:      opts.Logger,
		level:    opts.Level,
		stop:     make(chan struct{}),
		shutdown: make(chan struct{}),
		conns:    make(map[*conn]struct{}),
	}
	if opts.TuneGC {
		s.gc = newGCTuner()
	}
	s.yielders = netyield.NewPool(connYielders)
	if os.Getenv("SHOAL_NOCOMBINE") == "" {
		s.combiner = newWriteCombiner(s.stop)
	}
	dbs := cfg.Int("databases")
	if cfg.Bool("cluster-enabled") {
		dbs = cfg.Int("cluster-databases") // Valkey 9 numbered databases in cluster mode
	}
	s.ks = keyspace.New(keyspace.Options{Databases: int(dbs)})
	s.node = command.NewNode(s.ks, cfg, s)
	s.node.ClusterEnabled = cfg.Bool("cluster-enabled")
	s.ks.SetNotifier(s.node)
	s.ks.SetOverhead(baselineMemory())
	s.newRepl()
	if err := s.wireConfig(); err != nil {
		return nil, err
	}
	return s, nil
}

// Node exposes the command layer (tests and embedding).
func (s *Server) Node() *command.Node { return s.node }

// Keyspace exposes the data (tests).
func (s *Server) Keyspace() *keyspace.Keyspace { return s.ks }

// Start listens on the configured bind addresses and port and starts the
// accept loop and the cron.
func (s *Server) Start() error {
	addr := net.JoinHostPort(s.bindAddr(), strconv.Itoa(int(s.cfg.Int("port"))))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("server: listen on %s: %w", addr, err)
	}
	s.ln = ln
	s.port = ln.Addr().(*net.TCPAddr).Port
	if s.node.ClusterEnabled {
		if err := s.startCluster(); err != nil {
			ln.Close()
			return err
		}
	}
	s.repl.Start()
	s.log.Info("Ready to accept connections tcp", "addr", ln.Addr().String())
	s.wg.Add(2)
	go s.acceptLoop()
	go s.cron()
	if s.combiner != nil {
		s.wg.Add(1)
		go s.combiner.loop(s.wg.Done)
	}
	return nil
}

// bindAddr picks the first bind address; "*" means all interfaces.
func (s *Server) bindAddr() string {
	v, _ := s.cfg.Get("bind")
	fields := strings.Fields(v)
	if len(fields) == 0 || fields[0] == "*" {
		return ""
	}
	return strings.TrimPrefix(fields[0], "-")
}

// Addr is the listening address (host:port).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Port implements command.Host.
func (s *Server) Port() int { return s.port }

// ConfigFile implements command.Host.
func (s *Server) ConfigFile() string { return s.cfg.File() }

// Shutdown implements command.Host: it asks the owner of the server to
// stop it (see Done); closing from inside a connection goroutine would
// wait for itself.
func (s *Server) Shutdown() {
	s.stopOnce.Do(func() { close(s.shutdown) })
}

// Done is closed when a client sent SHUTDOWN.
func (s *Server) Done() <-chan struct{} { return s.shutdown }

// Kill stops the server as a crash looks to its peers: the replication
// links go first, so nothing the shutdown itself does afterwards (failing
// an import as its link closes, say) reaches the replicas. Without it a
// test "killing" a target primary saw its replica record "Connection lost
// to source" instead of the failover it would see after a real crash.
func (s *Server) Kill() error {
	s.repl.Close()
	return s.Close()
}

// Close stops accepting, disconnects every client, stops the cron and
// waits for every goroutine the server started.
func (s *Server) Close() error {
	select {
	case <-s.stop:
		return nil
	default:
	}
	close(s.stop)
	var err error
	if s.ln != nil {
		err = s.ln.Close()
	}
	s.connsMu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.connsMu.Unlock()
	s.repl.Close()
	s.wg.Wait()
	s.yielders.Close()
	s.node.CloseMigrateSockets()
	s.stopCluster()
	return err
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			select {
			case <-s.stop:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Warn("accept failed", "err", err)
			continue
		}
		s.node.Stats.Connections.Add(1)
		if !s.admit(nc) {
			continue
		}
		if tc, ok := nc.(*net.TCPConn); ok {
			if ka := s.settings.keepaliveSec.Load(); ka > 0 {
				_ = tc.SetKeepAlivePeriod(time.Duration(ka) * time.Second)
				_ = tc.SetKeepAlive(true)
			} else {
				_ = tc.SetKeepAlive(false)
			}
		}
		c := s.newConn(nc)
		s.connsMu.Lock()
		select {
		case <-s.stop:
			s.connsMu.Unlock()
			nc.Close()
			return
		default:
		}
		s.conns[c] = struct{}{}
		s.connsMu.Unlock()
		s.wg.Add(1)
		go s.serve(c)
	}
}

// admit enforces maxclients and protected mode before a client is created.
func (s *Server) admit(nc net.Conn) bool {
	if int64(s.node.Clients.Len()) >= s.settings.maxclients.Load() {
		s.node.Stats.RejectedConns.Add(1)
		_, _ = nc.Write([]byte("-" + command.ErrMaxClients + "\r\n"))
		nc.Close()
		return false
	}
	if s.settings.protectedMode.Load() && s.node.RequirePass() == "" {
		if ta, ok := nc.RemoteAddr().(*net.TCPAddr); ok && !ta.IP.IsLoopback() {
			_, _ = nc.Write([]byte("-" + protectedModeMsg + "\r\n"))
			nc.Close()
			return false
		}
	}
	return true
}

const protectedModeMsg = "DENIED Running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers, you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting from the same host the server is running, however MAKE SURE it's not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."
