package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/testutil"
)

// TestMain doubles as shoal-cli itself when SHOAL_CLI_ARGS is set, so the
// tests can run the real process and send it signals.
func TestMain(m *testing.M) {
	if a, ok := os.LookupEnv("SHOAL_CLI_ARGS"); ok {
		os.Args = append([]string{"shoal-cli"}, strings.Split(a, "\n")...)
		main()
		return
	}
	os.Exit(m.Run())
}

func cliProcess(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "SHOAL_CLI_ARGS="+strings.Join(args, "\n"))
	return cmd
}

// Ctrl-C stops a repeating command and the process exits with 130.
func TestInterruptExits130(t *testing.T) {
	srv := testutil.StartServer(t)
	cmd := cliProcess(t, "-h", "127.0.0.1", "-p", strconv.Itoa(srv.Port()), "-r", "-1", "-i", "0.05", "PING")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "PONG\n" {
		cmd.Process.Kill()
		t.Fatalf("first reply %q: %v", line, err)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatal("shoal-cli did not stop on SIGINT")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v", err)
	}
}

// The real process formats replies and exits 0; usage errors exit 2.
func TestProcess(t *testing.T) {
	srv := testutil.StartServer(t)
	out, err := cliProcess(t, "-p", strconv.Itoa(srv.Port()), "ECHO", "hi").Output()
	if err != nil || string(out) != "hi\n" {
		t.Fatalf("ECHO: %q %v", out, err)
	}
	err = cliProcess(t, "--nope").Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("usage error exit: %v", err)
	}
}
