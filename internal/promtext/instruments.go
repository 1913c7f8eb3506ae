package promtext

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
)

// DefBuckets are the default upper bounds of a request-latency histogram,
// in seconds.
var DefBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// vec holds the children of a metric with labels, by their label values.
type vec[T any] struct {
	labels   []string
	mu       sync.Mutex
	children map[string]*T
	values   map[string][]string
}

func (v *vec[T]) child(values []string, make func() *T) *T {
	if len(values) != len(v.labels) {
		panic(fmt.Sprintf("promtext: %d label values for the labels %v", len(values), v.labels))
	}
	key := strings.Join(values, "\xff")
	v.mu.Lock()
	defer v.mu.Unlock()
	c, ok := v.children[key]
	if !ok {
		if v.children == nil {
			v.children, v.values = map[string]*T{}, map[string][]string{}
		}
		c = make()
		v.children[key], v.values[key] = c, slices.Clone(values)
	}
	return c
}

// each calls fn with the labels and each child, under the lock.
func (v *vec[T]) each(fn func([]Label, *T)) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for key, c := range v.children {
		labels := make([]Label, len(v.labels))
		for i, name := range v.labels {
			labels[i] = Label{name, v.values[key][i]}
		}
		fn(labels, c)
	}
}

// CounterVec is a counter for each combination of label values.
type CounterVec struct {
	name, help string
	vec        vec[float64]
}

// NewCounterVec returns a counter family with the label names labels.
func NewCounterVec(name, help string, labels ...string) *CounterVec {
	return &CounterVec{name: name, help: help, vec: vec[float64]{labels: labels}}
}

// Add adds delta (at least 0) to the counter of the label values, given in
// the order of the label names.
func (c *CounterVec) Add(delta float64, values ...string) {
	if delta < 0 || math.IsNaN(delta) {
		panic("promtext: a counter cannot decrease")
	}
	p := c.vec.child(values, func() *float64 { return new(float64) })
	c.vec.mu.Lock()
	*p += delta
	c.vec.mu.Unlock()
}

// Inc adds one to the counter of the label values.
func (c *CounterVec) Inc(values ...string) { c.Add(1, values...) }

// Collect gives the family of the counters used so far.
func (c *CounterVec) Collect() []Family {
	f := Family{Name: c.name, Help: c.help, Type: Counter}
	c.vec.each(func(l []Label, v *float64) { f.Metrics = append(f.Metrics, Metric{Labels: l, Value: *v}) })
	return []Family{f}
}

// HistogramValue counts observations into buckets by upper bound.
type HistogramValue struct {
	mu     sync.Mutex
	bounds []float64
	counts []uint64 // not cumulative
	sum    float64
	count  uint64
}

func newHistogramValue(bounds []float64) *HistogramValue {
	return &HistogramValue{bounds: bounds, counts: make([]uint64, len(bounds))}
}

// Observe adds one observation.
func (h *HistogramValue) Observe(v float64) {
	i, _ := slices.BinarySearch(h.bounds, v) // the first bound >= v
	h.mu.Lock()
	if i < len(h.counts) {
		h.counts[i]++
	}
	h.sum += v
	h.count++
	h.mu.Unlock()
}

func (h *HistogramValue) metric(labels []Label) Metric {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := Metric{Labels: labels, Sum: h.sum, Count: h.count, Buckets: make([]Bucket, len(h.bounds))}
	var cum uint64
	for i, b := range h.bounds {
		cum += h.counts[i]
		m.Buckets[i] = Bucket{Bound: b, Count: cum}
	}
	return m
}

func checkBuckets(name string, buckets []float64) []float64 {
	if !slices.IsSorted(buckets) || len(buckets) == 0 || slices.Contains(buckets, math.Inf(1)) {
		panic(fmt.Sprintf("promtext: %s: buckets must be increasing, finite and at least one", name))
	}
	return slices.Clone(buckets)
}

// HistogramMetric is a histogram without labels.
type HistogramMetric struct {
	name, help string
	*HistogramValue
}

// NewHistogram returns a histogram with the given bucket upper bounds
// (increasing; +Inf is implied).
func NewHistogram(name, help string, buckets []float64) *HistogramMetric {
	return &HistogramMetric{name: name, help: help, HistogramValue: newHistogramValue(checkBuckets(name, buckets))}
}

// Collect gives the histogram's family.
func (h *HistogramMetric) Collect() []Family {
	return []Family{{Name: h.name, Help: h.help, Type: Histogram, Metrics: []Metric{h.metric(nil)}}}
}

// HistogramVec is a histogram for each combination of label values.
type HistogramVec struct {
	name, help string
	buckets    []float64
	vec        vec[HistogramValue]
}

// NewHistogramVec returns a histogram family with the label names labels.
func NewHistogramVec(name, help string, buckets []float64, labels ...string) *HistogramVec {
	return &HistogramVec{name: name, help: help, buckets: checkBuckets(name, buckets), vec: vec[HistogramValue]{labels: labels}}
}

// Observe adds v to the histogram of the label values.
func (h *HistogramVec) Observe(v float64, values ...string) {
	h.vec.child(values, func() *HistogramValue { return newHistogramValue(h.buckets) }).Observe(v)
}

// Collect gives the family of the histograms used so far.
func (h *HistogramVec) Collect() []Family {
	f := Family{Name: h.name, Help: h.help, Type: Histogram}
	var hs []*HistogramValue
	var ls [][]Label
	h.vec.each(func(l []Label, v *HistogramValue) { hs, ls = append(hs, v), append(ls, l) })
	for i, v := range hs {
		f.Metrics = append(f.Metrics, v.metric(ls[i]))
	}
	return []Family{f}
}
