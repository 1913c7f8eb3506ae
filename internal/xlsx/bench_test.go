package xlsx_test

import (
	"io"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"

	"github.com/csmm/csmm/internal/xlsx"
)

// heapObjects is the bytes of the heap's objects, garbage not yet swept
// included.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// BenchmarkWriteRows writes a sheet of 100,000 rows of 16 cells, like the
// Objectives sheet of a report of 400 scopes, and reports the peak of the
// heap above where it started (sampled every 1,000 rows) and the output
// size: the peak must not grow with the rows.
//
//	go test ./internal/xlsx -run '^$' -bench WriteRows -benchmem
func BenchmarkWriteRows(b *testing.B) {
	const rows = 100_000
	var peak uint64
	var size int64
	for b.Loop() {
		runtime.GC()
		base := heapObjects()
		cw := &countWriter{}
		w := xlsx.NewWriter(cw)
		pct, err := w.AddStyle(xlsx.Style{NumFmt: "0%"})
		if err != nil {
			b.Fatal(err)
		}
		s, err := w.NewSheet("Objectives", xlsx.SheetOptions{FreezeRows: 1, ColWidths: []float64{14, 14, 9, 10}})
		if err != nil {
			b.Fatal(err)
		}
		cells := make([]xlsx.Cell, 16)
		for r := 1; r <= rows; r++ {
			n := strconv.Itoa(r)
			cells[0] = xlsx.String("Scope " + strconv.Itoa(r/100))
			cells[1] = xlsx.String("Foundational")
			cells[2] = xlsx.String("IAM")
			cells[3] = xlsx.String("IAM-" + n)
			cells[4] = xlsx.Int(r%5 + 1)
			cells[5] = xlsx.String("People sign in with MFA & root is locked <away> " + n)
			cells[6] = xlsx.String("yes")
			cells[7] = xlsx.Number(float64(r%100) / 100).WithStyle(pct)
			cells[8] = xlsx.Bool(r%2 == 0)
			cells[9] = xlsx.String("answered")
			cells[10] = xlsx.String("manual")
			cells[11] = xlsx.String("Justification of the answer, one sentence long, row " + n)
			cells[12] = xlsx.String("alice")
			cells[13] = xlsx.String("2026-10-01")
			cells[14] = xlsx.String("48 passed, 2 failed (prowler)")
			cells[15] = xlsx.Empty()
			if err := s.WriteRow(r, cells...); err != nil {
				b.Fatal(err)
			}
			if r%1000 == 0 {
				if h := heapObjects(); h > base && h-base > peak {
					peak = h - base
				}
			}
		}
		if err := s.SetAutoFilter(1, 1, 16, rows); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(size)/(1<<20), "xlsx-MiB")
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
