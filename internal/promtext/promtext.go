// Package promtext keeps counters and histograms and serves them, with the
// Go runtime's, the process's and database pools' statistics, in the
// Prometheus text exposition format (version 0.0.4).
//
// Families are written sorted by name and the metrics of a family by their
// label values, as Prometheus client libraries do; label names are sorted
// within a metric, and a histogram's le label comes last.
package promtext

import (
	"bufio"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ContentType is the media type of the exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"

// Type is a metric family's type.
type Type string

// The types of metric families.
const (
	Counter   Type = "counter"
	Gauge     Type = "gauge"
	Histogram Type = "histogram"
	Summary   Type = "summary"
)

// Label is one label of a metric.
type Label struct{ Name, Value string }

// Metric is one metric of a family: its labels and value, or for a
// histogram or summary its buckets or quantiles, sum and count.
type Metric struct {
	Labels []Label
	// Value is the value of a counter or gauge.
	Value float64
	// Buckets are a histogram's cumulative counts by upper bound (without
	// +Inf, which is Count), or a summary's quantiles: Bound is the
	// quantile and Count its value.
	Buckets []Bucket
	Sum     float64
	Count   uint64
}

// Bucket is a histogram's cumulative count of observations up to Bound, or
// a summary's quantile Bound and its value Value.
type Bucket struct {
	Bound float64
	Count uint64
	Value float64
}

// Family is a named metric of one type, with its help text and metrics.
type Family struct {
	Name, Help string
	Type       Type
	Metrics    []Metric
}

// Collector gives families when the metrics are read.
type Collector interface {
	Collect() []Family
}

// CollectorFunc is a function that is a Collector.
type CollectorFunc func() []Family

// Collect calls f.
func (f CollectorFunc) Collect() []Family { return f() }

// Registry is the collectors whose families one endpoint serves.
type Registry struct {
	mu         sync.Mutex
	collectors []Collector
	// writeErrors counts the responses that could not be written in full.
	writeErrors uint64
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// Register adds collectors.
func (r *Registry) Register(cs ...Collector) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.collectors = append(r.collectors, cs...)
}

// Gather collects every family, sorted by name, with families of the same
// name merged, and the metrics of each sorted by their labels.
func (r *Registry) Gather() []Family {
	r.mu.Lock()
	cs := slices.Clone(r.collectors)
	werr := r.writeErrors
	r.mu.Unlock()
	byName := map[string]*Family{}
	var names []string
	add := func(f Family) {
		if have, ok := byName[f.Name]; ok {
			have.Metrics = append(have.Metrics, f.Metrics...)
			return
		}
		byName[f.Name] = &f
		names = append(names, f.Name)
	}
	for _, c := range cs {
		for _, f := range c.Collect() {
			add(f)
		}
	}
	add(Family{Name: "promhttp_metric_handler_errors_total", Type: Counter,
		Help: "Total number of internal errors encountered by the promhttp metric handler.",
		Metrics: []Metric{
			{Labels: []Label{{"cause", "encoding"}}, Value: float64(werr)},
			{Labels: []Label{{"cause", "gathering"}}},
		}})
	slices.Sort(names)
	out := make([]Family, 0, len(names))
	for _, n := range names {
		f := byName[n]
		for i := range f.Metrics {
			slices.SortFunc(f.Metrics[i].Labels, func(a, b Label) int { return strings.Compare(a.Name, b.Name) })
		}
		slices.SortStableFunc(f.Metrics, func(a, b Metric) int { return compareLabels(a.Labels, b.Labels) })
		out = append(out, *f)
	}
	return out
}

func compareLabels(a, b []Label) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := strings.Compare(a[i].Name, b[i].Name); c != 0 {
			return c
		}
		if c := strings.Compare(a[i].Value, b[i].Value); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

// ServeHTTP writes every family in the text format.
func (r *Registry) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", ContentType)
	if err := Write(w, r.Gather()); err != nil {
		r.mu.Lock()
		r.writeErrors++
		r.mu.Unlock()
	}
}

// Write writes families in the text format.
func Write(w io.Writer, families []Family) error {
	bw := bufio.NewWriter(w)
	var b []byte
	for _, f := range families {
		if len(f.Metrics) == 0 {
			continue
		}
		b = b[:0]
		b = append(b, "# HELP "...)
		b = append(b, f.Name...)
		b = append(b, ' ')
		b = appendEscaped(b, f.Help, false)
		b = append(b, "\n# TYPE "...)
		b = append(b, f.Name...)
		b = append(b, ' ')
		b = append(b, f.Type...)
		b = append(b, '\n')
		for _, m := range f.Metrics {
			switch f.Type {
			case Histogram:
				for _, bk := range m.Buckets {
					b = appendSample(b, f.Name+"_bucket", m.Labels, "le", bk.Bound, float64(bk.Count))
				}
				b = appendSample(b, f.Name+"_bucket", m.Labels, "le", math.Inf(1), float64(m.Count))
				b = appendSample(b, f.Name+"_sum", m.Labels, "", 0, m.Sum)
				b = appendSample(b, f.Name+"_count", m.Labels, "", 0, float64(m.Count))
			case Summary:
				for _, q := range m.Buckets {
					b = appendSample(b, f.Name, m.Labels, "quantile", q.Bound, q.Value)
				}
				b = appendSample(b, f.Name+"_sum", m.Labels, "", 0, m.Sum)
				b = appendSample(b, f.Name+"_count", m.Labels, "", 0, float64(m.Count))
			default:
				b = appendSample(b, f.Name, m.Labels, "", 0, m.Value)
			}
		}
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// appendSample appends one line: name, labels (and the label extra with
// the value bound, when extra is not ""), value.
func appendSample(b []byte, name string, labels []Label, extra string, bound, v float64) []byte {
	b = append(b, name...)
	if len(labels) > 0 || extra != "" {
		b = append(b, '{')
		for i, l := range labels {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, l.Name...)
			b = append(b, `="`...)
			b = appendEscaped(b, l.Value, true)
			b = append(b, '"')
		}
		if extra != "" {
			if len(labels) > 0 {
				b = append(b, ',')
			}
			b = append(b, extra...)
			b = append(b, `="`...)
			b = appendFloat(b, bound)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = appendFloat(b, v)
	return append(b, '\n')
}

func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendEscaped escapes backslashes and line feeds, and in a label value
// (quoted) double quotes too.
func appendEscaped(b []byte, s string, quoted bool) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '"' && quoted:
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}
