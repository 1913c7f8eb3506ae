package main

import (
	"cmp"
	"slices"
	"sort"
	"time"
)

// span is one measured request: when it was sent and when its answer came
// back, from the start of the measured window.
type span struct{ start, end time.Duration }

// The thresholds of a stall: no answer for stallGap or longer while
// stallWaiting or more score reads were waiting for theirs.
const (
	stallGap     = 4 * time.Millisecond
	stallWaiting = 4
)

// stallStats tells the server's own slowness from the machine's: a stall
// is a stretch of stallGap or more in which no request at all (score read
// or save) was answered while stallWaiting or more score reads waited for
// theirs. Serving takes a fraction of a millisecond a request, so a stall
// means the request handlers did not run: the hypervisor took the
// processors (steal), another process or the garbage collector did, a
// lock was held, or goroutines that do not yield held every processor Go
// schedules on (SQLite's save batch and checkpoint, whose loops of short
// system calls Go does not preempt for 10 ms). On this benchmark's 2-core
// virtual machine most of the score reads over their p99 waited through
// one.
type stallStats struct {
	// Stalls is how many there were in the measured window, and Seconds
	// their total length in seconds.
	Stalls       int     `json:"stalls"`
	StallSeconds float64 `json:"stall_seconds"`
	// SlowScoreReads is how many score reads took their p99 or longer,
	// and SlowInStalls the share of them (0 to 1) that waited through a
	// stall.
	SlowScoreReads int     `json:"slow_score_reads"`
	SlowInStalls   float64 `json:"slow_score_reads_in_stalls"`
}

// measureStalls finds the stalls among the measured score reads and saves,
// and which of the score reads that took p99 or longer waited through one.
func measureStalls(score, put []span, p99 time.Duration) stallStats {
	var st stallStats
	if len(score) == 0 {
		return st
	}
	starts := make([]time.Duration, len(score))
	scoreEnds := make([]time.Duration, len(score))
	answers := make([]time.Duration, 0, len(score)+len(put))
	for i, s := range score {
		starts[i], scoreEnds[i] = s.start, s.end
		answers = append(answers, s.end)
	}
	for _, s := range put {
		answers = append(answers, s.end)
	}
	slices.Sort(starts)
	slices.Sort(scoreEnds)
	slices.Sort(answers)
	// waiting is the score reads sent by t and not answered by t.
	waiting := func(t time.Duration) int {
		upTo := func(list []time.Duration) int {
			return sort.Search(len(list), func(i int) bool { return list[i] > t })
		}
		return upTo(starts) - upTo(scoreEnds)
	}
	var stalls []span
	for i := 1; i < len(answers); i++ {
		a, b := answers[i-1], answers[i]
		if b-a >= stallGap && waiting(a) >= stallWaiting {
			stalls = append(stalls, span{a, b})
			st.StallSeconds += (b - a).Seconds()
		}
	}
	st.Stalls = len(stalls)
	// stalls is in order and its spans do not overlap: the first ending
	// after a read's start is the only one that can overlap it first.
	in := 0
	for _, s := range score {
		if s.end-s.start < p99 {
			continue
		}
		st.SlowScoreReads++
		i, _ := slices.BinarySearchFunc(stalls, s.start, func(x span, t time.Duration) int { return cmp.Compare(x.end, t+1) })
		if i < len(stalls) && stalls[i].start < s.end {
			in++
		}
	}
	if st.SlowScoreReads > 0 {
		st.SlowInStalls = float64(in) / float64(st.SlowScoreReads)
	}
	return st
}
