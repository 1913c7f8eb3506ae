package collect

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"
)

// Writer streams a collection as a csmm-collect/1 JSON document (see
// docs/formats-collect.md): every result is written as it arrives and only
// counted afterwards, so memory grows with the number of checks and scopes,
// not with the number of resources. Gaps are kept until Close (there is at
// most one per account, region and call). A Writer is a Sink, safe for
// concurrent use.
type Writer struct {
	mu      sync.Mutex
	w       *bufio.Writer
	err     error
	n       int
	counts  map[string]map[string]*Count // scope -> check -> counts
	gaps    []Gap
	onGap   func(Gap)
	started time.Time
}

// Count is the pass and fail tally of one check in one scope, and how many
// parts that would have evaluated it could not be read.
type Count struct {
	Check        string  `json:"check"`
	Passed       int     `json:"passed"`
	Failed       int     `json:"failed"`
	Ratio        float64 `json:"ratio"`
	NotEvaluated int     `json:"not_evaluated"`
}

// ScopeSummary is the per-check pass ratios of one scope.
type ScopeSummary struct {
	ID     string  `json:"id"`
	Checks []Count `json:"checks"`
}

// Summary counts a whole collection.
type Summary struct {
	Results      int            `json:"results"`
	Passed       int            `json:"passed"`
	Failed       int            `json:"failed"`
	NotEvaluated int            `json:"not_evaluated"`
	ByReason     map[Reason]int `json:"not_evaluated_by_reason"`
}

// NewWriter starts the document on out for a scan by provider begun at
// started. onGap, when not nil, is told of every gap (the progress bar).
func NewWriter(out io.Writer, provider string, started time.Time, onGap func(Gap)) *Writer {
	w := &Writer{w: bufio.NewWriterSize(out, 64<<10), counts: map[string]map[string]*Count{}, onGap: onGap, started: started}
	w.printf("{\n  \"format\": %q,\n  \"provider\": %q,\n  \"scan_time\": %q,\n  \"results\": [", Format, provider, started.UTC().Format(time.RFC3339))
	return w
}

func (w *Writer) printf(format string, args ...any) {
	if w.err == nil {
		_, w.err = fmt.Fprintf(w.w, format, args...)
	}
}

func (w *Writer) count(scope, check string) *Count {
	m := w.counts[scope]
	if m == nil {
		m = map[string]*Count{}
		w.counts[scope] = m
	}
	c := m[check]
	if c == nil {
		c = &Count{Check: check}
		m[check] = c
	}
	return c
}

// Result writes r and counts it.
func (w *Writer) Result(r Result) {
	b, err := json.Marshal(r)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil && w.err == nil {
		w.err = err
	}
	sep := ",\n    "
	if w.n == 0 {
		sep = "\n    "
	}
	w.n++
	w.printf("%s%s", sep, b)
	c := w.count(r.Scope, r.Check)
	if r.Status == Pass {
		c.Passed++
	} else {
		c.Failed++
	}
}

// Gap records g.
func (w *Writer) Gap(g Gap) {
	w.mu.Lock()
	w.gaps = append(w.gaps, g)
	for _, ch := range g.Checks {
		w.count(g.Scope, ch).NotEvaluated++
	}
	w.mu.Unlock()
	if w.onGap != nil {
		w.onGap(g)
	}
}

// Gaps returns the gaps recorded so far, in the order they came.
func (w *Writer) Gaps() []Gap {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.gaps)
}

// Close writes the gaps, the per-scope ratios, the provenance and the
// summary, ends the document and returns the summary. scopes are the
// assessment scopes the accounts were put in: a fact about the whole
// organization (no scope) counts in each of them.
func (w *Writer) Close(prov Provenance, scopes []string) (Summary, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n > 0 {
		w.printf("\n  ")
	}
	w.printf("],\n  \"not_evaluated\": [")
	sum := Summary{ByReason: map[Reason]int{}}
	for i, g := range w.gaps {
		b, err := json.Marshal(g)
		if err != nil && w.err == nil {
			w.err = err
		}
		if i > 0 {
			w.printf(",")
		}
		w.printf("\n    %s", b)
		sum.ByReason[g.Reason]++
	}
	sum.NotEvaluated = len(w.gaps)
	if len(w.gaps) > 0 {
		w.printf("\n  ")
	}
	w.printf("],\n")

	out := w.scopeSummaries(scopes)
	for _, m := range w.counts {
		for _, c := range m {
			sum.Passed += c.Passed
			sum.Failed += c.Failed
		}
	}
	sum.Results = w.n
	tail := struct {
		Scopes     []ScopeSummary `json:"scopes"`
		Provenance Provenance     `json:"provenance"`
		Summary    Summary        `json:"summary"`
	}{out, prov, sum}
	b, err := json.MarshalIndent(tail, "", "  ")
	if err != nil && w.err == nil {
		w.err = err
	}
	// Splice the tail's fields into the open document.
	w.printf("%s\n", b[2:])
	if w.err == nil {
		w.err = w.w.Flush()
	}
	return sum, w.err
}

// scopeSummaries adds the organization-wide counts to each scope and lists
// the scopes in order, their checks by name.
func (w *Writer) scopeSummaries(scopes []string) []ScopeSummary {
	order := slices.Clone(scopes)
	for s := range w.counts {
		if s != "" && !slices.Contains(order, s) {
			order = append(order, s)
		}
	}
	if len(order) == 0 {
		order = []string{""}
	}
	var out []ScopeSummary
	for _, s := range order {
		merged := map[string]Count{}
		srcs := []string{s}
		if s != "" {
			srcs = append(srcs, "")
		}
		for _, src := range srcs {
			for k, c := range w.counts[src] {
				m := merged[k]
				m.Check = k
				m.Passed += c.Passed
				m.Failed += c.Failed
				m.NotEvaluated += c.NotEvaluated
				merged[k] = m
			}
		}
		ss := ScopeSummary{ID: s, Checks: []Count{}}
		for _, k := range slices.Sorted(maps.Keys(merged)) {
			c := merged[k]
			if n := c.Passed + c.Failed; n > 0 {
				c.Ratio = float64(c.Passed) / float64(n)
			}
			ss.Checks = append(ss.Checks, c)
		}
		out = append(out, ss)
	}
	return out
}
