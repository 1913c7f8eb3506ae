package collect

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Progress draws a one-line progress bar on a terminal: tasks done out of
// tasks known so far (the total grows as accounts and regions are found),
// and how many parts could not be read. It redraws at most every 100ms.
type Progress struct {
	w     io.Writer
	mu    sync.Mutex
	last  time.Time
	gaps  int
	done  int
	added int
	drawn bool
}

// NewProgress returns a progress bar drawing on w; a nil w draws nothing.
func NewProgress(w io.Writer) *Progress { return &Progress{w: w} }

// Update records tasks done and added and redraws.
func (p *Progress) Update(done, added int) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.added = done, added
	if time.Since(p.last) < 100*time.Millisecond && done != added {
		return
	}
	p.draw()
}

// Gap counts one part that could not be read.
func (p *Progress) Gap() {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	p.gaps++
	p.mu.Unlock()
}

func (p *Progress) draw() {
	const width = 30
	filled := 0
	if p.added > 0 {
		filled = width * p.done / p.added
	}
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	fmt.Fprintf(p.w, "\r[%s] %d/%d tasks, %d not evaluated", bar, p.done, p.added, p.gaps)
	p.last = time.Now()
	p.drawn = true
}

// Done ends the progress line.
func (p *Progress) Done() {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		p.draw()
		fmt.Fprintln(p.w)
	}
}
