package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/server"
	"github.com/csmm/csmm/internal/store"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// The organization and owner every benchmark run creates.
const (
	benchOrg   = "Benchmark Org"
	benchEmail = "bench@example.com"
)

// running is a csmm server under test, set up with the benchmark's
// organization and an API token of its owner.
type running struct {
	URL   string // http://127.0.0.1:PORT
	Token string
	// PID is the server's process, whose memory and CPU are reported: the
	// csmm serve child, or this process when the server runs in it.
	PID  int
	stop func() error
}

// Stop shuts the server down.
func (r *running) Stop() error { return r.stop() }

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// buildCSMM builds cmd/csmm into dir and returns the binary's path.
func buildCSMM(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "csmm")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/csmm/csmm/cmd/csmm")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build csmm: %w", err)
	}
	return bin, nil
}

// csmmCommand runs the csmm binary with arguments and standard input, and
// returns its standard output.
func csmmCommand(ctx context.Context, bin, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("csmm %s: %w: %s", args[0]+" "+args[1], err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// startProcess sets up the database with `csmm user create` and `csmm token
// create`, then starts `csmm serve` on a free loopback port and waits until
// /readyz answers. The server's log goes to logPath.
func startProcess(ctx context.Context, bin, dsn, logPath, logLevel string) (*running, error) {
	password := randomHex(16)
	if _, err := csmmCommand(ctx, bin, password+"\n", "user", "create", "--db", dsn,
		"--org", benchOrg, "--email", benchEmail, "--role", "owner"); err != nil {
		return nil, err
	}
	out, err := csmmCommand(ctx, bin, "", "token", "create", "--db", dsn,
		"--org", benchOrg, "--email", benchEmail, "--role", "admin", "--name", "load benchmark")
	if err != nil {
		return nil, err
	}
	token := strings.TrimSpace(out)
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create the server log: %w", err)
	}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", dsn, "--log-level", logLevel)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start csmm serve: %w", err)
	}
	// exited is closed when the process ends; waitErr is then its status.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); logf.Close(); close(exited) }()
	r := &running{URL: "http://" + addr, Token: token, PID: cmd.Process.Pid}
	r.stop = func() error {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("stop csmm serve: %w", err)
		}
		select {
		case <-exited:
			var ee *exec.ExitError
			if errors.As(waitErr, &ee) && ee.ExitCode() == -1 {
				return nil // ended by the signal
			}
			if waitErr != nil {
				return fmt.Errorf("csmm serve: %w (server log: %s)", waitErr, logPath)
			}
			return nil
		case <-time.After(40 * time.Second):
			cmd.Process.Kill()
			<-exited
			return fmt.Errorf("csmm serve did not stop within 40 s of SIGTERM; killed")
		}
	}
	if err := waitReady(ctx, r.URL, exited); err != nil {
		r.stop()
		return nil, fmt.Errorf("%w; the end of its log:\n%s", err, logTail(logPath, 2000))
	}
	return r, nil
}

// waitReady polls /readyz for up to 30 seconds.
func waitReady(ctx context.Context, base string, exited <-chan struct{}) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("csmm serve exited before it was ready")
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("csmm serve was not ready within 30 s at %s", base)
}

// startInProcess runs the server inside this process over the store of dsn,
// on a free loopback port: for the tests, and for CPU profiles of the
// server with -cpuprofile.
func startInProcess(ctx context.Context, dsn string, logw io.Writer) (*running, error) {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	params := identity.PasswordParams{Time: 1, Memory: 8 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16}
	if _, _, err := server.CreateUser(ctx, st, server.NewUser{Organization: benchOrg, Email: benchEmail,
		Role: csmm.RoleOwner, Password: randomHex(16)}, params, store.Actor{}); err != nil {
		st.Close()
		return nil, err
	}
	token, _, err := server.CreateToken(ctx, st, server.NewToken{Organization: benchOrg, Email: benchEmail,
		Name: "load benchmark", Role: csmm.RoleAdmin}, store.Actor{})
	if err != nil {
		st.Close()
		return nil, err
	}
	cfg := server.DefaultConfig()
	cfg.DatabaseURL = dsn
	logger := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(cfg, st, logger)
	if err != nil {
		st.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		st.Close()
		return nil, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return &running{URL: "http://" + ln.Addr().String(), Token: token, PID: os.Getpid(), stop: func() error {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return errors.Join(hs.Shutdown(sctx), srv.Close(), st.Close())
	}}, nil
}

// freshPostgres creates a new, empty database on the PostgreSQL server of
// adminURL and returns its URL and a function that drops it.
func freshPostgres(ctx context.Context, adminURL string) (string, func() error, error) {
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, fmt.Errorf("PostgreSQL URL %q: expected postgres://user@host:port/db", adminURL)
	}
	db, err := sql.Open("pgx", adminURL)
	if err != nil {
		return "", nil, err
	}
	name := "csmm_bench_" + randomHex(6)
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	fresh := *u
	fresh.Path = "/" + name
	drop := func() error {
		defer db.Close()
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(dctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	return fresh.String(), drop, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// procStatus returns a field of /proc/PID/status in KiB (VmHWM, VmRSS).
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if ok && name == field {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/status %s %q: %w", pid, field, value, err)
			}
			return kb, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}

// resetPeakRSS resets VmHWM to the current RSS (Linux 4.0 and later), so
// that the next reading is the peak from now on.
func resetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat times: 100 on Linux.
const clockTicks = 100

// cpuTime returns the user and system CPU time of a process so far.
func cpuTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; the fields after it are fixed.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	// After the name: state(3) ... utime(14) stime(15), counted from 1 with pid.
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// machineCPU returns the CPU time all processors spent busy so far (every
// state of /proc/stat's cpu line but idle, iowait and steal), and the time
// stolen from them: time they had work to run but the hypervisor ran
// another guest (0 on bare metal). A virtual machine's processors can be
// taken for a third of the time and more under its neighbours' load.
func machineCPU() (busy, steal time.Duration, err error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return 0, 0, fmt.Errorf("/proc/stat: unexpected first line %q: expected cpu and at least 8 counters", line)
	}
	var b, st int64
	for i, f := range fields[1:9] {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/stat: %w", err)
		}
		switch i {
		case 3, 4: // idle, iowait
		case 7:
			st = v
		default: // user, nice, system, irq, softirq (guest time is in user)
			b += v
		}
	}
	return time.Duration(b) * time.Second / clockTicks, time.Duration(st) * time.Second / clockTicks, nil
}

// logTail returns the last n bytes of a log file, for an error message.
func logTail(path string, n int64) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if int64(len(data)) > n {
		data = data[int64(len(data))-n:]
	}
	return string(data)
}

// loadAverage returns the machine's 1-minute load average, 0 when
// /proc/loadavg cannot be read.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _, _ := strings.Cut(string(b), " ")
	v, _ := strconv.ParseFloat(f, 64)
	return v
}
