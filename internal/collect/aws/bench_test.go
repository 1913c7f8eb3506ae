package aws_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/collect"
	"github.com/csmm/csmm/internal/collect/aws"
	"github.com/csmm/csmm/internal/collect/aws/awsfake"
)

// benchRegions are 17 commercial regions enabled by default.
var benchRegions = []string{
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
	"ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3",
	"sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// BenchmarkOrganization500x17 collects a simulated organization of 500
// accounts (and, for comparison, 100) and 17 regions from the fake endpoint (in the same process) and
// writes the document to io.Discard. It reports the peak live heap of the
// whole process, fake included, sampled every 5ms: flat in the number of
// responses, since results are streamed. See bench/README.md.
func BenchmarkOrganization500x17(b *testing.B) {
	for _, n := range []int{100, 500} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) { benchOrganization(b, n) })
	}
}

func benchOrganization(b *testing.B, accounts int) {
	fake := awsfake.New(b, awsfake.Large(accounts, benchRegions))
	for b.Loop() {
		runtime.GC()
		var peak atomic.Uint64
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
			t := time.NewTicker(5 * time.Millisecond)
			defer t.Stop()
			for {
				metrics.Read(s)
				if v := s[0].Value.Uint64(); v > peak.Load() {
					peak.Store(v)
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
		w := collect.NewWriter(io.Discard, aws.Provider, time.Now(), nil)
		res, err := aws.Collect(context.Background(), aws.Options{Org: true, Concurrency: 32, Config: fake.Config(),
			MaxAttempts: 3, MaxBackoff: time.Millisecond}, w)
		if err != nil {
			b.Fatal(err)
		}
		sum, err := w.Close(res.Provenance, res.Scopes)
		if err != nil {
			b.Fatal(err)
		}
		close(stop)
		<-done
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(sum.Results), "results")
		b.ReportMetric(float64(sum.NotEvaluated), "not-evaluated")
		calls := 0
		for _, n := range fake.Calls() {
			calls += n
		}
		b.ReportMetric(float64(calls), "calls")
	}
}
