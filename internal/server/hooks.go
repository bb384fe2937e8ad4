package server

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

// wireConfig registers the apply hooks that push configuration into the
// running node, then applies the loaded values once.
func (s *Server) wireConfig() error {
	c := s.cfg
	node, ks := s.node, s.ks
	intHook := func(name string, fn func(int64)) {
		c.OnChange(name, func(v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("%s: %q is not an integer: %w", name, v, err)
			}
			fn(n)
			return nil
		})
	}
	c.OnChange("requirepass", func(v string) error { node.SetRequirePass(v); return nil })
	evict := func(string) error {
		p, ok := keyspace.ParsePolicy(mustGet(c, "maxmemory-policy"))
		if !ok {
			return fmt.Errorf("unknown maxmemory-policy")
		}
		ks.SetMaxmemory(c.Int("maxmemory"), p, int(c.Int("maxmemory-samples")))
		return nil
	}
	c.OnChange("maxmemory", evict)
	c.OnChange("maxmemory-policy", evict)
	c.OnChange("maxmemory-samples", evict)
	c.OnChange("notify-keyspace-events", func(v string) error {
		f, ok := keyspace.ParseNotifyFlags(v)
		if !ok {
			return fmt.Errorf("invalid notify-keyspace-events %q", v)
		}
		ks.SetNotifyFlags(f)
		return nil
	})
	intHook("slowlog-log-slower-than", node.SetSlowlogThreshold)
	intHook("slowlog-max-len", func(n int64) { node.Slowlog.SetMaxLen(int(n)) })
	intHook("latency-monitor-threshold", node.SetLatencyThreshold)
	intHook("hz", s.settings.hz.Store)
	intHook("active-expire-effort", s.settings.expireEffort.Store)
	intHook("maxclients", s.settings.maxclients.Store)
	intHook("timeout", s.settings.timeoutSec.Store)
	intHook("proto-max-bulk-len", s.settings.maxBulkLen.Store)
	intHook("client-query-buffer-limit", s.settings.queryBufLimit.Store)
	c.OnChange("protected-mode", func(v string) error { s.settings.protectedMode.Store(v == "yes"); return nil })
	c.OnChange("loglevel", func(v string) error { s.setLogLevel(v); return nil })
	c.OnChange("client-output-buffer-limit", func(string) error {
		if l, ok := c.OutputBufferLimit("pubsub"); ok {
			s.settings.pubsubHardLimit.Store(int64(l.Hard))
		}
		return nil
	})
	intHook("tcp-keepalive", s.settings.keepaliveSec.Store)
	limitNames := []string{"hash-max-listpack-entries", "hash-max-listpack-value", "list-max-listpack-size",
		"set-max-intset-entries", "set-max-listpack-entries", "set-max-listpack-value",
		"zset-max-listpack-entries", "zset-max-listpack-value"}
	c.OnAnyChange(func() error {
		ks.SetLimits(types.Limits{
			HashMaxListpackEntries: int(c.Int("hash-max-listpack-entries")),
			HashMaxListpackValue:   int(c.Int("hash-max-listpack-value")),
			ListMaxListpackSize:    int(c.Int("list-max-listpack-size")),
			SetMaxIntsetEntries:    int(c.Int("set-max-intset-entries")),
			SetMaxListpackEntries:  int(c.Int("set-max-listpack-entries")),
			SetMaxListpackValue:    int(c.Int("set-max-listpack-value")),
			ZSetMaxListpackEntries: int(c.Int("zset-max-listpack-entries")),
			ZSetMaxListpackValue:   int(c.Int("zset-max-listpack-value")),
		})
		return nil
	}, limitNames...)
	return c.ApplyAll()
}

func mustGet(c interface{ Get(string) (string, bool) }, name string) string {
	v, _ := c.Get(name)
	return v
}

// setLogLevel maps a Valkey loglevel onto the slog level of the logger
// the server was built with (when it was given a LevelVar).
func (s *Server) setLogLevel(v string) {
	if s.level == nil {
		return
	}
	switch strings.ToLower(v) {
	case "debug":
		s.level.Set(slog.LevelDebug)
	case "verbose", "notice":
		s.level.Set(slog.LevelInfo)
	case "warning":
		s.level.Set(slog.LevelWarn)
	case "nothing":
		s.level.Set(slog.LevelError + 4)
	}
}
