package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/store"
)

// fullyAnswered creates an assessment with three scopes and every objective
// answered in every scope, straight in the store, and returns its path.
func fullyAnswered(tb testing.TB, e *env) string {
	tb.Helper()
	m := builtin(e.t)
	ctx := context.Background()
	var targets []store.Target
	for _, c := range m.Categories {
		targets = append(targets, store.Target{Category: c.ID, Level: 4})
	}
	a, err := e.store.CreateAssessment(ctx, e.org.ID, store.Actor{}, store.AssessmentInput{
		Name:    "Benchmark",
		Scopes:  []store.Scope{{ID: "production", Weight: 3}, {ID: "staging", Weight: 2}, {ID: "development", Weight: 1}},
		Targets: targets,
	})
	if err != nil {
		tb.Fatal(err)
	}
	words := []assess.Answer{assess.Yes, assess.Most, assess.Yes, assess.Half, assess.Yes, assess.Some, assess.No}
	var list []store.AnswerInput
	for i, o := range m.Objectives {
		for j, sc := range a.Scopes {
			list = append(list, store.AnswerInput{Objective: o.ID, Scope: sc.ID, Answer: words[(i+j)%len(words)], AnsweredBy: "bench", Note: "note"})
		}
	}
	if _, err := e.store.PutAnswers(ctx, e.org.ID, store.Actor{}, a.ID, list); err != nil {
		tb.Fatal(err)
	}
	return "/o/example/assessments/" + a.ID
}

// BenchmarkReportPage renders the report page of a fully answered
// assessment with three scopes from 16 concurrent clients and reports the
// p50 and p99 latency.
func BenchmarkReportPage(b *testing.B) {
	e := newEnv(b)
	path := fullyAnswered(b, e)
	viewer := e.users[csmm.RoleViewer]
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	get := func() (time.Duration, error) {
		req, _ := http.NewRequest("GET", e.srv.URL+path+"/report", nil)
		req.Header.Set(testUserHeader, viewer.ID)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("status %d", resp.StatusCode)
		}
		return time.Since(start), err
	}
	if _, err := get(); err != nil {
		b.Fatal(err)
	}
	const clients = 16
	var mu sync.Mutex
	var lat []time.Duration
	b.ResetTimer()
	var wg sync.WaitGroup
	next := make(chan struct{})
	go func() {
		for i := 0; i < b.N; i++ {
			next <- struct{}{}
		}
		close(next)
	}()
	for c := 0; c < clients; c++ {
		wg.Go(func() {
			for range next {
				d, err := get()
				if err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkPDFExport times the PDF export of the same assessment. The
// first export starts the browser (cold-ms); the others print in a new tab
// of the running browser (warm-ms, their mean).
func BenchmarkPDFExport(b *testing.B) {
	if _, err := report.FindChromium(os.Getenv); err != nil {
		b.Skipf("skipping: %v", err)
	}
	e := newEnv(b)
	path := fullyAnswered(b, e)
	viewer := e.users[csmm.RoleViewer]
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		req, _ := http.NewRequest("GET", e.srv.URL+path+"/export/pdf", nil)
		req.Header.Set(testUserHeader, viewer.ID)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || n < 1000 {
			b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
		}
		times = append(times, time.Since(start))
	}
	b.ReportMetric(float64(times[0].Microseconds())/1000, "cold-ms")
	if len(times) > 1 {
		var warm time.Duration
		for _, d := range times[1:] {
			warm += d
		}
		b.ReportMetric(float64((warm/time.Duration(len(times)-1)).Microseconds())/1000, "warm-ms")
	}
}

// BenchmarkReportPageChanged renders the report page right after each
// change to the assessment, so that no request is served from the cache:
// what the first viewer after an answer is saved waits for.
func BenchmarkReportPageChanged(b *testing.B) {
	e := newEnv(b)
	path := fullyAnswered(b, e)
	id := path[len("/o/example/assessments/"):]
	viewer := e.users[csmm.RoleViewer]
	ctx := context.Background()
	obj := builtin(e.t).Objectives[0].ID
	words := []assess.Answer{assess.Yes, assess.No}
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		cur, err := e.store.GetAnswer(ctx, e.org.ID, id, obj, "production")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.store.PutAnswer(ctx, e.org.ID, store.Actor{}, store.AnswerInput{AssessmentID: id, Objective: obj, Scope: "production",
			Answer: words[i%2], ExpectedVersion: cur.Version}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		req, _ := http.NewRequest("GET", e.srv.URL+path+"/report", nil)
		req.Header.Set(testUserHeader, viewer.ID)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
