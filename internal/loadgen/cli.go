package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

// Exit codes of shoal-benchmark.
const (
	ExitOK    = 0
	ExitError = 1 // the run could not start, or results could not be written
	ExitUsage = 2
)

// Main is shoal-benchmark: parse flags, run, print and write the results.
// Ctrl-C (or SIGTERM) ends the run early; what was measured is still
// reported.
func Main(args []string, stdout, stderr io.Writer) int {
	cfg, opt, err := ParseFlags(args, stderr)
	if errors.Is(err, errHelp) {
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "shoal-benchmark: %v\n", err)
		return ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runCLI(ctx, cfg, opt, stdout, stderr)
}

func runCLI(ctx context.Context, cfg Config, opt Options, stdout, stderr io.Writer) int {
	if !opt.Quiet && !opt.JSON {
		cfg.Progress = stderr
	}
	b, err := New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "shoal-benchmark: %v\n", err)
		return ExitUsage
	}
	if !opt.JSON {
		fmt.Fprintf(stderr, "Writing results to stdout\n[RUN #1] Preparing benchmark client...\n[RUN #1] Launching threads now...\n")
	}
	res, err := b.Run(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "shoal-benchmark: %v\n", err)
		return ExitError
	}
	if opt.Events != "" {
		ev, err := ReadEventsFile(opt.Events)
		if err != nil {
			fmt.Fprintf(stderr, "shoal-benchmark: %v\n", err)
			return ExitError
		}
		b.AddEvents(ev...)
		res.Events = b.sortedEvents()
	}
	if opt.JSON {
		err = WriteJSON(stdout, res)
	} else {
		err = WriteSummary(stdout, res)
	}
	if err == nil && opt.JSONFile != "" {
		err = writeFile(opt.JSONFile, func(w io.Writer) error { return WriteJSON(w, res) })
	}
	if err == nil && opt.Out != "" {
		err = WriteOutputs(opt.Out, res, chartTitle(opt.Title, &cfg))
	}
	if err != nil {
		fmt.Fprintf(stderr, "shoal-benchmark: %v\n", err)
		return ExitError
	}
	return ExitOK
}

func chartTitle(t string, cfg *Config) string {
	if t != "" {
		return t
	}
	mode := "closed loop"
	if cfg.Rate > 0 {
		mode = fmt.Sprintf("open loop %.0f ops/sec", cfg.Rate)
	}
	cl := ""
	if cfg.Cluster {
		cl = " (cluster)"
	}
	return fmt.Sprintf("%s%s — %d×%d clients, pipeline %d, %d:%d set:get, %d B values, %s",
		cfg.Addr(), cl, cfg.Threads, cfg.Clients, cfg.Pipeline, cfg.RatioSet, cfg.RatioGet, cfg.DataSize, mode)
}

// WriteOutputs writes dir/timeline.csv, timeline.png, timeline.svg,
// events.csv and summary.json, creating dir.
func WriteOutputs(dir string, r *Result, title string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"timeline.csv", func(w io.Writer) error { return WriteTimelineCSV(w, r.Timeline) }},
		{"events.csv", func(w io.Writer) error { return WriteEventsCSV(w, r.Events) }},
		{"summary.json", func(w io.Writer) error { return WriteJSON(w, r) }},
		{"timeline.png", func(w io.Writer) error { return WriteChart(w, r, title, "png") }},
		{"timeline.svg", func(w io.Writer) error { return WriteChart(w, r, title, "svg") }},
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes through a temporary file and renames it, so a reader
// never sees half a file.
func writeFile(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
