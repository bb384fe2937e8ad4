package loadgen

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseFlagsMemtierCommandLine(t *testing.T) {
	args := strings.Fields("-s 10.0.0.1 -p 7000 --cluster-mode --ratio 1:10 --data-size 16384 --key-maximum 65536 " +
		"--key-minimum 1 --key-prefix k: --key-pattern G:Z --key-zipf-exp 0.8 -c 5 -t 2 --pipeline 4 --test-time 30 " +
		"-a alice:secret --out /tmp/x --events ev.csv --json --rate 5000")
	cfg, opt, err := ParseFlags(args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server != "10.0.0.1" || cfg.Port != 7000 || !cfg.Cluster || cfg.RatioSet != 1 || cfg.RatioGet != 10 ||
		cfg.DataSize != 16384 || cfg.KeyMin != 1 || cfg.KeyMax != 65536 || cfg.KeyPrefix != "k:" ||
		cfg.SetPattern != PatternGaussian || cfg.GetPattern != PatternZipf || cfg.ZipfExp != 0.8 ||
		cfg.Clients != 5 || cfg.Threads != 2 || cfg.Pipeline != 4 || cfg.TestTime != 30*time.Second ||
		cfg.Requests != 0 || cfg.User != "alice" || cfg.Password != "secret" || cfg.Rate != 5000 {
		t.Fatalf("config %+v", cfg)
	}
	if opt.Out != "/tmp/x" || opt.Events != "ev.csv" || !opt.JSON {
		t.Fatalf("options %+v", opt)
	}
}

func TestParseFlagsDefaultsAreMemtiers(t *testing.T) {
	cfg, _, err := ParseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 6379 || cfg.Threads != 4 || cfg.Clients != 50 || cfg.Requests != 10000 || cfg.DataSize != 32 ||
		cfg.KeyPrefix != "memtier-" || cfg.KeyMax != 10000000 || cfg.RatioSet != 1 || cfg.RatioGet != 10 ||
		cfg.SetPattern != PatternRandom || cfg.Rate != 0 || cfg.TestTime != 0 {
		t.Fatalf("defaults %+v", cfg)
	}
}

func TestParseFlagsVariants(t *testing.T) {
	cfg, _, err := ParseFlags(strings.Fields("-n allkeys -t 2 -c 3 --key-minimum 1 --key-maximum 100 --key-pattern P:P --ratio 1:0"), io.Discard)
	if err != nil || cfg.Requests != 17 { // ceil(100 / 6)
		t.Fatalf("allkeys: %d, %v", cfg.Requests, err)
	}
	cfg, _, err = ParseFlags(strings.Fields("--test-time 1500ms -n 99 --rate-limiting 10 -t 2 -c 5 -a pw"), io.Discard)
	if err != nil || cfg.TestTime != 1500*time.Millisecond || cfg.Requests != 99 || cfg.Rate != 100 || cfg.Password != "pw" || cfg.User != "" {
		t.Fatalf("%+v, %v", cfg, err)
	}
	for _, bad := range []string{
		"--ratio 1", "--ratio 0:0", "--key-pattern X:R", "--key-pattern R", "-n 0", "-n lots",
		"--test-time -1", "--test-time soon", "--key-minimum 10 --key-maximum 5", "--pipeline 0",
		"--rate 10 --rate-limiting 1", "--key-pattern Z:Z --key-zipf-exp 5", "--cluster-mode --select-db 2",
		"--port 0", "stray", "--no-such-flag",
	} {
		if _, _, err := ParseFlags(strings.Fields(bad), io.Discard); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func TestMainUsage(t *testing.T) {
	var out strings.Builder
	if rc := Main([]string{"--help"}, io.Discard, &out); rc != ExitOK || !strings.Contains(out.String(), "--key-pattern") {
		t.Fatalf("--help: rc %d, %q", rc, out.String())
	}
	if rc := Main([]string{"--ratio", "x"}, io.Discard, io.Discard); rc != ExitUsage {
		t.Fatalf("bad flag: rc %d", rc)
	}
}
