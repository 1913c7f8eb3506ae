package server

import (
	"runtime"
)

// serveProcs gives the Go scheduler one processor more than it chose
// (runtime.GOMAXPROCS, the machine's or the container's processors) when
// the store is SQLite, unless the GOMAXPROCS environment variable sets it;
// it returns the setting before and after.
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
func serveProcs(dialect string, lookupEnv func(string) (string, bool)) (before, after int) {
	before = runtime.GOMAXPROCS(0)
	if dialect != "sqlite" {
		return before, before
	}
	if v, ok := lookupEnv("GOMAXPROCS"); ok && v != "" {
		return before, before
	}
	runtime.GOMAXPROCS(before + 1)
	return before, before + 1
}
