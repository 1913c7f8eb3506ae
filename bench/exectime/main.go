// Command exectime times the start of processes: it runs each of its
// command lines N times, interleaved (the first, the second, ..., then the
// first again), with standard input, output and error on /dev/null, and
// prints for each the median and minimum wall time from just before fork to
// the return of wait4, and the median CPU time (user + system, from the
// child's rusage). Unlike timing a run with date(1) before and after, no
// other process is started between the two clock readings.
//
//	go run ./bench/exectime -n 40 '/tmp/csmm-main score examples/acme.yaml' '/tmp/csmm-new score examples/acme.yaml'
//
// A command line is split on blanks (no quoting); its program is looked up
// in PATH. Commands run in the current directory with its environment. A
// command that exits with a status other than 0 or 1 is an error (so csmm
// check, which exits 1 when a category is below its target, can be timed),
// unless -anyexit is given.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	n := flag.Int("n", 40, "runs of each command")
	warm := flag.Int("warmup", 2, "untimed runs of each command first")
	anyExit := flag.Bool("anyexit", false, "accept any exit status")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: exectime [-n N] [-warmup N] [-anyexit] 'COMMAND LINE'...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 || *n < 1 {
		flag.Usage()
		os.Exit(2)
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		fail(err)
	}
	dir, err := os.Getwd()
	if err != nil {
		fail(err)
	}
	type command struct {
		line      string
		path      string
		argv      []string
		wall, cpu []time.Duration
	}
	cmds := make([]*command, flag.NArg())
	for i, line := range flag.Args() {
		argv := strings.Fields(line)
		if len(argv) == 0 {
			fail(fmt.Errorf("empty command line"))
		}
		path, err := exec.LookPath(argv[0])
		if err != nil {
			fail(err)
		}
		cmds[i] = &command{line: line, path: path, argv: argv}
	}
	attr := &syscall.ProcAttr{Dir: dir, Env: os.Environ(), Files: []uintptr{null.Fd(), null.Fd(), null.Fd()}}
	run := func(c *command) (wall, cpu time.Duration) {
		var status syscall.WaitStatus
		var ru syscall.Rusage
		start := time.Now()
		pid, err := syscall.ForkExec(c.path, c.argv, attr)
		if err != nil {
			fail(fmt.Errorf("%s: %w", c.line, err))
		}
		for {
			_, err = syscall.Wait4(pid, &status, 0, &ru)
			if err != syscall.EINTR {
				break
			}
		}
		wall = time.Since(start)
		if err != nil {
			fail(fmt.Errorf("%s: wait: %w", c.line, err))
		}
		if !status.Exited() || (!*anyExit && status.ExitStatus() > 1) {
			fail(fmt.Errorf("%s: exit status %d (signaled %v)", c.line, status.ExitStatus(), status.Signaled()))
		}
		return wall, time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	for range *warm {
		for _, c := range cmds {
			run(c)
		}
	}
	for range *n {
		for _, c := range cmds {
			w, u := run(c)
			c.wall = append(c.wall, w)
			c.cpu = append(c.cpu, u)
		}
	}
	for _, c := range cmds {
		slices.Sort(c.wall)
		slices.Sort(c.cpu)
		fmt.Printf("%-60s wall median %6.2f ms  min %6.2f ms  cpu median %6.2f ms  (%d runs)\n",
			c.line, ms(median(c.wall)), ms(c.wall[0]), ms(median(c.cpu)), len(c.wall))
	}
}

// median is the middle of sorted d, the lower of the two middles for an
// even count (as bench/startup.sh's awk took it).
func median(d []time.Duration) time.Duration { return d[(len(d)-1)/2] }

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "exectime:", err)
	os.Exit(1)
}
