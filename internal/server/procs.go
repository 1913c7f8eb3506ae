package server

import (
	"runtime"
)

// startProcs is GOMAXPROCS as the process started: the runtime's choice
// (the machine's or the container's processors) or the environment's.
var startProcs = runtime.GOMAXPROCS(0)

// serveProcs returns the GOMAXPROCS to serve a store of dialect with, given
// procs, the setting the process started with: one processor more when the
// store is SQLite, unless the GOMAXPROCS environment variable sets it.
//
// SQLite runs inside the server process: the save batch's statements and
// the checkpointer's copy are loops of short system calls (pread and
// pwrite of 4 KB pages), and Go's scheduler leaves a goroutine in such a
// loop on its processor until it has run 10 ms. With two processors the
// save batch and the checkpointer could hold both, and every request
// waited: in a 5-second execution trace of the API benchmark, the save
// batch held a processor for 80% of the time in which the server answered
// nothing for 4 ms or more, and the checkpointer for 34%. With one more
// processor than the machine has, request handlers keep one, and the
// operating system shares the cores among the three threads. A server on
// PostgreSQL does its database work in another process and keeps Go's
// default.
func serveProcs(dialect string, lookupEnv func(string) (string, bool), procs int) int {
	if dialect != "sqlite" {
		return procs
	}
	if v, ok := lookupEnv("GOMAXPROCS"); ok && v != "" {
		return procs
	}
	return procs + 1
}
