package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/shoal-db/shoal/internal/config"
	"github.com/shoal-db/shoal/internal/server"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	cfg, err := config.Parse(args)
	if err != nil {
		// Config errors carry Valkey's "FATAL CONFIG FILE ERROR" banner.
		fmt.Fprintf(os.Stderr, "\n%v\n", err)
		return 1
	}
	level := new(slog.LevelVar)
	logger, closeLog, err := newLogger(cfg, level)
	if err != nil {
		fmt.Fprintf(os.Stderr, "shoal-server: %v\n", err)
		return 1
	}
	defer closeLog()
	setParallelism(cfg, logger)
	stopProfiles, err := startProfiles()
	if err != nil {
		logger.Error("cannot start", "err", err)
		return 1
	}
	defer stopProfiles()
	srv, err := server.New(cfg, server.Options{Logger: logger, Level: level, TuneGC: true})
	if err != nil {
		logger.Error("cannot start", "err", err)
		return 1
	}
	if err := srv.Start(); err != nil {
		logger.Error("cannot start", "err", err)
		return 1
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case s := <-sig:
		logger.Info("received signal, shutting down", "signal", s.String())
	case <-srv.Done():
		logger.Info("SHUTDOWN requested by a client")
	}
	if err := srv.Close(); err != nil {
		logger.Warn("error while closing", "err", err)
	}
	logger.Info("server is now ready to exit, bye bye")
	return 0
}

// newLogger writes structured logs to logfile, or stderr when it is empty.
func newLogger(cfg *config.Config, level *slog.LevelVar) (*slog.Logger, func(), error) {
	path, _ := cfg.Get("logfile")
	out := os.Stderr
	closeFn := func() {}
	if path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("open logfile: %w", err)
		}
		out = f
		closeFn = func() { f.Close() }
	}
	h := slog.NewTextHandler(out, &slog.HandlerOptions{Level: level})
	return slog.New(h), closeFn, nil
}
