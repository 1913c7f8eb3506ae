package load_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/load"
)

// longValue returns a gzip file of a few hundred KB that expands to head,
// a value of n bytes of 'a', and tail.
func longValue(t *testing.T, head string, n int, tail string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	zw.Write([]byte(head))
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for n > 0 {
		k := min(n, len(chunk))
		zw.Write(chunk[:k])
		n -= k
	}
	zw.Write([]byte(tail))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A small compressed file holding one value longer than evidence.MaxValue,
// in each format whose reader holds a value whole, is refused with an
// error naming where the value starts, and the heap stays far below the
// value's size.
func TestLongValueRefused(t *testing.T) {
	const n = 96 << 20 // six times MaxValue
	csvHead := "AUTH_METHOD;TIMESTAMP;ACCOUNT_UID;PROVIDER;CHECK_ID;STATUS;STATUS_EXTENDED;MUTED;RESOURCE_UID;REGION\n" +
		"x;2025-01-01 00:00:00;1;aws;c1;PASS;"
	for _, c := range []struct {
		name, head, tail string
		at               int64 // the 1-based byte the error names: the value's quote, the line or the record
	}{
		{"ocsf.json", `[{"status_code": "PASS", "metadata": {"event_code": "c1"}, "message": "`, `"}]`, 71},
		{"asff.json", `{"Findings": [{"GeneratorId": "g", "Description": "`, `"}]}`, 51},
		{"v3.json", `[{"CheckID": "c1", "Status": "PASS", "StatusExtended": "`, `"}]`, 56},
		{"v2.json", `{"Account Number": "1", "Control": "[check11] x", "Status": "PASS", "Message": "`, "\"}\n", 1},
		{"prowler.csv", csvHead, ";False;r;us-east-1\n", int64(strings.Index(csvHead, "\n") + 2)},
		{"quoted.csv", csvHead + `"`, "\";False;r;us-east-1\n", int64(strings.Index(csvHead, "\n") + 2)},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := longValue(t, c.head, n, c.tail)
			peak := newHeapPeak()
			_, err := load.Read(c.name+".gz", sampling{bytes.NewReader(data), peak}, load.Options{})
			peak.read()
			var pe *evidence.ParseError
			if !errors.As(err, &pe) || !strings.Contains(pe.Message, "of more than 16 MiB") || pe.Byte != c.at {
				t.Fatalf("%d KB expanding to %d MB: error %v, want one of a value of more than 16 MiB at byte %d", len(data)>>10, n>>20, err, c.at)
			}
			if peak.peak > 64<<20 {
				t.Errorf("heap peak %.1f MB for a value of %d MB", float64(peak.peak)/(1<<20), n>>20)
			}
		})
	}
}
