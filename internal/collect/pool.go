package collect

import (
	"context"
	"sync"
)

// Pool runs tasks on a fixed number of workers, across accounts and regions
// alike, so that a large organization neither opens thousands of
// connections nor trips the APIs' rate limits. A task may add further tasks
// (an account's task adds one per region) without blocking: pending tasks
// wait in a queue, which holds only the small closures, never responses.
type Pool struct {
	ctx     context.Context
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []func(context.Context)
	active  int
	added   int
	done    int
	closed  bool
	workers sync.WaitGroup
	// OnProgress, when set before the first Add, is called after every
	// finished task with the tasks done and added so far.
	OnProgress func(done, added int)
}

// NewPool starts n workers (1 when n < 1). Tasks added after ctx is done are
// dropped; running tasks see ctx.
func NewPool(ctx context.Context, n int) *Pool {
	p := &Pool{ctx: ctx}
	p.cond = sync.NewCond(&p.mu)
	for range max(n, 1) {
		p.workers.Go(p.work)
	}
	return p
}

// Add queues task behind every task queued.
func (p *Pool) Add(task func(context.Context)) { p.add(task, false) }

// AddNext queues task in front of every task queued: a task adding its
// subtasks this way has them run before the next task's, which bounds what
// is alive at once (an account's regions finish before many more accounts
// start).
func (p *Pool) AddNext(task func(context.Context)) { p.add(task, true) }

func (p *Pool) add(task func(context.Context), front bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ctx.Err() != nil {
		return
	}
	if front {
		p.queue = append([]func(context.Context){task}, p.queue...)
	} else {
		p.queue = append(p.queue, task)
	}
	p.added++
	p.cond.Broadcast()
}

func (p *Pool) work() {
	for {
		p.mu.Lock()
		for len(p.queue) == 0 && !p.closed {
			p.cond.Wait()
		}
		if len(p.queue) == 0 {
			p.mu.Unlock()
			return
		}
		task := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		p.active++
		p.mu.Unlock()

		if p.ctx.Err() == nil {
			task(p.ctx)
		}

		p.mu.Lock()
		p.active--
		p.done++
		done, added := p.done, p.added
		if p.active == 0 && len(p.queue) == 0 {
			p.cond.Broadcast()
		}
		p.mu.Unlock()
		if p.OnProgress != nil {
			p.OnProgress(done, added)
		}
	}
}

// Wait waits until every task added so far, and every task they added, has
// finished, then stops the workers. The pool takes no tasks afterwards.
func (p *Pool) Wait() {
	p.mu.Lock()
	for p.active > 0 || len(p.queue) > 0 {
		p.cond.Wait()
	}
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
	p.workers.Wait()
}
