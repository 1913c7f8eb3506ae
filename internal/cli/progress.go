package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/csmm/csmm/internal/evidence/load"
)

// progressMinBytes is the size from which reading a file shows its progress.
const progressMinBytes = 4 << 20

// showProgress prints the progress of reading a file on w (a terminal),
// every quarter of a second, on one line rewritten in place, once the file
// is known to be over a few megabytes; the function it returns stops it and
// clears the line.
func showProgress(w io.Writer, name string, p *load.Progress) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		shown := false
		for {
			select {
			case <-done:
				if shown {
					fmt.Fprint(w, "\r\033[K")
				}
				return
			case <-t.C:
				total := p.Total.Load()
				if total < progressMinBytes {
					continue
				}
				fmt.Fprint(w, "\r\033[K"+progressLine(name, p.Read.Load(), total, p.Findings.Load(), time.Since(start)))
				shown = true
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// progressLine says how far reading a file is: bytes read of the total,
// findings, and rate.
func progressLine(name string, read, total, findings int64, elapsed time.Duration) string {
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(read) / s / (1 << 20)
	}
	return fmt.Sprintf("%s: %s of %s (%d%%), %d findings, %.0f MB/s",
		name, mb(read), mb(total), read*100/max(total, 1), findings, rate)
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }
