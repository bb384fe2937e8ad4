package cli

import (
	"context"
	"fmt"
	"io"
	"time"
)

// outputMode picks the reply format: --json, --raw, --no-raw, or raw when
// stdout is not a terminal (as redis-cli does).
func (a *app) outputMode() outputMode {
	switch {
	case a.opts.json:
		return outputJSON
	case a.opts.raw:
		return outputRaw
	case a.opts.noRaw || a.io.OutTTY:
		return outputStandard
	}
	return outputRaw
}

// oneOff runs one command (-r times) and prints the replies.
func (a *app) oneOff(ctx context.Context, args []string) error {
	a.authWarning()
	if a.opts.stdinLast {
		last, err := io.ReadAll(a.io.In)
		if err != nil {
			return fmt.Errorf("reading stdin: %w", err)
		}
		args = append(args, string(last))
	}
	s := a.newSession()
	defer s.close()
	if err := s.connect(); err != nil {
		return &exitError{code: ExitError, err: err}
	}
	mode := a.outputMode()
	failed := false
	for i := 0; a.opts.repeat < 0 || i < a.opts.repeat; i++ {
		if i > 0 && a.opts.interval > 0 {
			if err := sleepCtx(ctx, time.Duration(a.opts.interval*float64(time.Second))); err != nil {
				return err
			}
		} else if ctx.Err() != nil {
			return ctx.Err()
		}
		r, err := s.exec(args)
		if err != nil {
			return &exitError{code: ExitError, err: err}
		}
		fmt.Fprint(a.io.Out, formatReply(r, mode))
		failed = failed || r.IsError()
	}
	if failed && a.opts.exitOnError {
		return &exitError{code: ExitError}
	}
	return nil
}

// sleepCtx sleeps d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
