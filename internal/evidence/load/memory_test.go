package load_test

import (
	"fmt"
	"io"
	"runtime/metrics"
	"testing"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/load"
	"github.com/csmm/csmm/internal/model"
)

// ocsfRecord is a Prowler OCSF finding shaped like the samples' (about
// 2 KB), with the fields that vary between records as verbs.
const ocsfRecord = `{"message": "S3 Bucket %[2]s has Public Access Block disabled.", "metadata": {"event_code": "%[1]s", "product": {"name": "Prowler", "uid": "prowler", "vendor_name": "Prowler", "version": "5.4.0"}, "profiles": ["cloud", "datetime"], "tenant_uid": "", "version": "1.4.0"}, "severity_id": 4, "severity": "High", "status": "%[5]s", "status_code": "%[4]s", "status_detail": "S3 Bucket %[2]s has Public Access Block disabled.", "status_id": 1, "unmapped": {"related_url": "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html", "categories": ["internet-exposed"], "depends_on": [], "related_to": [], "additional_urls": [], "notes": "", "compliance": {"CIS-1.4": ["2.1.5"], "CIS-1.5": ["2.1.4"], "NIST-800-53-Revision-5": ["ac_3", "ac_4", "ac_6", "ac_21_b", "sc_7", "sc_7_3"], "AWS-Foundational-Security-Best-Practices": ["s3"], "ENS-RD2022": ["mp.si.2.aws.s3.1"]}}, "activity_name": "Create", "activity_id": 1, "finding_info": {"created_time": 1739539623, "created_time_dt": "2025-02-14T14:27:03.913874", "desc": "Ensure S3 buckets have Public Access Block enabled.", "product_uid": "prowler", "title": "Check S3 Bucket Level Public Access Block.", "types": ["Effects", "Data Exposure"], "uid": "prowler-aws-%[1]s-%[3]s-eu-west-1-%[2]s"}, "resources": [{"cloud_partition": "aws", "region": "eu-west-1", "data": {"details": "", "metadata": {"arn": "arn:aws:s3:::%[2]s", "name": "%[2]s", "policy": {}, "encryption": "AES256", "region": "eu-west-1", "logging": false, "versioning": true}}, "group": {"name": "s3"}, "labels": [], "name": "%[2]s", "type": "AwsS3Bucket", "uid": "arn:aws:s3:::%[2]s"}], "category_name": "Findings", "category_uid": 2, "class_name": "Detection Finding", "class_uid": 2004, "cloud": {"account": {"name": "", "type": "AWS Account", "type_id": 10, "uid": "%[3]s", "labels": []}, "org": {"name": "", "uid": ""}, "provider": "aws", "region": "eu-west-1"}, "remediation": {"desc": "Ensure that S3 buckets have Public Access Block enabled.", "references": ["aws s3api put-public-access-block --region <REGION_NAME> --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true --bucket <BUCKET_NAME>", "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"]}, "risk_details": "Public access policies may be applied to sensitive data buckets.", "time": 1739539623, "time_dt": "2025-02-14T14:27:03.913874", "type_uid": 200401, "type_name": "Detection Finding: Create"}`

// ocsfStream synthesizes a Prowler OCSF file of about size bytes, record by
// record, without holding it: the records vary by check (among checks),
// resource (every record its own), account (among 300) and status.
type ocsfStream struct {
	size, written int64
	n             int
	buf           []byte
	done          bool
	checks        []string
}

func newOCSFStream(size int64) *ocsfStream {
	s := &ocsfStream{size: size, buf: []byte("[\n")}
	for i := range 400 {
		s.checks = append(s.checks, fmt.Sprintf("s3_bucket_check_%d", i))
	}
	return s
}

func (s *ocsfStream) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.done {
			return 0, io.EOF
		}
		if s.written >= s.size {
			s.buf = append(s.buf, "\n]\n"...)
			s.done = true
			break
		}
		if s.n > 0 {
			s.buf = append(s.buf, ",\n"...)
		}
		status, muted := []string{"PASS", "FAIL", "FAIL", "MANUAL"}[s.n%4], "New"
		if s.n%31 == 0 {
			muted = "Suppressed"
		}
		s.buf = fmt.Appendf(s.buf, ocsfRecord, s.checks[s.n%len(s.checks)], fmt.Sprintf("bucket-%d", s.n),
			fmt.Sprintf("%012d", 100000000000+s.n%300), status, muted)
		s.n++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	if len(s.buf) == 0 {
		s.buf = s.buf[:0:cap(s.buf)]
	}
	s.written += int64(n)
	return n, nil
}

// heapPeak samples the bytes of live and not yet swept heap objects
// (runtime/metrics) and keeps the highest.
type heapPeak struct {
	sample []metrics.Sample
	peak   uint64
}

func newHeapPeak() *heapPeak {
	return &heapPeak{sample: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}}
}

func (h *heapPeak) read() {
	metrics.Read(h.sample)
	h.peak = max(h.peak, h.sample[0].Value.Uint64())
}

// TestMemoryIsFlat reads a generated 200 MB Prowler OCSF file as a stream
// and checks that the Go heap never holds more than 100 MB: reading keeps
// per-check outcomes, never the file or its findings.
func TestMemoryIsFlat(t *testing.T) {
	const size = 200 << 20
	src := newOCSFStream(size)
	peak := newHeapPeak()
	// The heap is sampled at every read of the source: thousands of times.
	files, err := load.Read("big.ocsf.json", sampling{src, peak}, load.Options{})
	peak.read()
	if err != nil {
		t.Fatal(err)
	}
	s := evidence.Summarize(files[0], builtin(t))
	if s.Findings != src.n || s.Status.Pass+s.Status.Fail+s.Status.Manual != src.n || len(s.ChecksUnknown)+len(s.ChecksMapped) != 400 {
		t.Errorf("read %d findings (%+v) of %d checks, want %d of 400", s.Findings, s.Status, len(s.ChecksUnknown)+len(s.ChecksMapped), src.n)
	}
	t.Logf("%d MB, %d findings: heap peak %.1f MB", src.written>>20, s.Findings, float64(peak.peak)/(1<<20))
	if peak.peak > 100<<20 {
		t.Errorf("heap peak %.1f MB reading %d MB, want under 100 MB", float64(peak.peak)/(1<<20), src.written>>20)
	}
}

// BenchmarkReadOCSF measures reading a synthesized OCSF stream (no disk).
func BenchmarkReadOCSF(b *testing.B) {
	const size = 50 << 20
	b.SetBytes(size)
	for b.Loop() {
		if _, err := load.Read("b.json", newOCSFStream(size), load.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// sampling reads r, sampling the heap before each read.
type sampling struct {
	r io.Reader
	h *heapPeak
}

func (s sampling) Read(p []byte) (int, error) {
	s.h.read()
	return s.r.Read(p)
}

func builtin(t *testing.T) *model.Model {
	t.Helper()
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return m
}
