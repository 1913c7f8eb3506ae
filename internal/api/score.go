package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/lazyregexp"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/reportcache"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/store"
)

// scored is an assessment scored as of a date, kept in the API's cache and
// shared by every request for the same key: nothing may change it.
type scored struct {
	res assess.Result
	as  *store.Assessment
	in  assess.Input
	// report builds the report once, without its generation time, reading
	// what only the report shows (links and files, review marks, roadmap
	// work) on the first report of the entry, not on every score.
	report func(ctx context.Context) (*report.Report, error)
}

// defaultScoreCacheBytes bounds the scored assessments kept in memory.
const defaultScoreCacheBytes = 32 << 20

// scoreKey is the cache key of the request's assessment (path value id)
// for view: its current revision, read with one indexed query, and the
// as_of parameter.
func (a *API) scoreKey(c *call, view string) (reportcache.Key, error) {
	asOf, err := c.asOf(a)
	if err != nil {
		return reportcache.Key{}, err
	}
	id := c.r.PathValue("id")
	// The revision read with the caller's access, when it was (a GET
	// route), else read now.
	rev := c.who.Revision
	if c.who.Assessment != id || rev < 0 {
		if rev, err = a.o.Store.AssessmentRevision(c.ctx(), c.org.ID, id); err != nil {
			return reportcache.Key{}, err
		}
	}
	return reportcache.Key{OrgID: c.org.ID, AssessmentID: id, Revision: rev, AsOf: asOf, View: view}, nil
}

// score scores a stored assessment as of the as_of parameter. The result is
// cached under the assessment's revision, read with one indexed query, so
// a change to the assessment is scored on the next request.
func (a *API) score(c *call) (*scored, error) {
	// The organization's name is in the report.
	key, err := a.scoreKey(c, "score\x00"+c.org.Name)
	if err != nil {
		return nil, err
	}
	ctx, orgID, id, rev, asOf := c.ctx(), key.OrgID, key.AssessmentID, key.Revision, key.AsOf
	orgName := c.org.Name
	return a.scores.Get(ctx, key, func() (*scored, int64, error) {
		in, as, err := a.o.Store.ScoringAt(ctx, orgID, id, rev, asOf)
		if err != nil {
			return nil, 0, err
		}
		res := a.scoreInput(in)
		sc := &scored{res: res, as: as, in: in}
		// The report's Trend section is read by getReport for each report,
		// and its links, files, review marks and roadmap work on the
		// entry's first report (each change to them raises the revision):
		// a score read needs none of them.
		var mu sync.Mutex
		var built *report.Report
		sc.report = func(ctx context.Context) (*report.Report, error) {
			mu.Lock()
			defer mu.Unlock()
			if built != nil {
				return built, nil
			}
			meta, err := service.WithAssessmentExtras(ctx, a.o.Store, orgID, id, in.Model, res, report.Meta{
				Organization: orgName, Assessment: as.Name, Scopes: in.Scopes, ValidityDays: as.ValidityDays,
			})
			if err != nil {
				return nil, err
			}
			built = report.Build(in.Model, res, meta)
			return built, nil
		}
		return sc, scoredSize(in), nil
	})
}

// scoredSize estimates the memory of a scored assessment with its report
// and its encoded score: a few hundred bytes per objective and scope,
// answers included.
func scoredSize(in assess.Input) int64 {
	cells := len(in.Model.Objectives) * (len(in.Scopes) + 1)
	return int64(cells*800 + len(in.Answers)*200 + 16<<10)
}

// scoreInput scores in, timing it for the metrics.
func (a *API) scoreInput(in assess.Input) assess.Result {
	defer a.observeScoring(time.Now())
	return assess.Score(in)
}

// observeScoring records for the metrics a scoring that began at start.
func (a *API) observeScoring(start time.Time) {
	if a.o.ObserveScoring != nil {
		a.o.ObserveScoring(time.Since(start))
	}
}

// sharedScore is a score's JSON kept in getScore's cache and lent to the
// requests that answer it. Its buffer goes back to scoreBuffers, for the
// next score encoded, once the cache has let it go and the last request
// writing it has finished: a score read that misses the cache allocates
// no buffer. Under the API benchmark that was about 1,400 buffers of 75 KB
// a second, nearly half of what the server allocated, and each garbage
// collection slows the score reads that run through it.
type sharedScore struct {
	buf *[]byte
	// refs counts the cache's hold and each request's. At 0 the buffer has
	// gone back and take fails for good: a sharedScore is never reused,
	// only its buffer, so a request that found it in the cache just before
	// the cache let it go cannot take another score's bytes.
	refs atomic.Int32
}

// json is the encoded score; only for a holder of s.
func (s *sharedScore) json() []byte { return *s.buf }

// take counts one more holder of s, unless its buffer has gone back.
func (s *sharedScore) take() bool {
	for {
		n := s.refs.Load()
		if n == 0 {
			return false
		}
		if s.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// done ends one hold of s; the last gives its buffer back.
func (s *sharedScore) done() {
	if s.refs.Add(-1) == 0 {
		bp := s.buf
		s.buf = nil
		putScoreBuffer(bp)
	}
}

// encodeScore encodes a result as getScore answers it, compact, with the
// response's final newline, as writeJSONLine takes it, into a buffer of
// scoreBuffers. The result has one hold, its caller's.
func encodeScore(res *assess.Result) (*sharedScore, error) {
	bp := scoreBuffers.Get().(*[]byte)
	buf, err := res.AppendJSON((*bp)[:0])
	*bp = buf
	if err != nil {
		putScoreBuffer(bp)
		return nil, err
	}
	*bp = append(buf, '\n')
	s := &sharedScore{buf: bp}
	s.refs.Store(1)
	return s, nil
}

// scoreBuffers holds the buffers of the scores encoded and let go; one
// grown past maxScoreBuffer (an assessment of hundreds of scopes) is not
// kept.
var scoreBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

const maxScoreBuffer = 1 << 20

func putScoreBuffer(bp *[]byte) {
	if cap(*bp) <= maxScoreBuffer {
		*bp = (*bp)[:0]
		scoreBuffers.Put(bp)
	}
}

// defaultScoreJSONBytes bounds the score JSON kept for getScore: one
// entry per assessment (reportcache keeps the last revision built), about
// 75 KB for two scopes of the built-in model, so some 870 assessments. At
// 32 MB, under the API load benchmark's 1,000 assessments, a third of the
// reads found their score kept; at 64 MB nearly every read whose
// assessment had not changed since the last read did (47%, the most
// there is when reads and writes come at the same rate).
const defaultScoreJSONBytes = 64 << 20

// getScore answers the score JSON. It has a cache of its own, of the
// encoded bytes only, under the same revision key as the scored entries:
// an entry is a third of the size of a scored one (the result and the
// input it was scored from, which reports need), so about three times as
// many assessments' scores are kept in the same memory, and the garbage
// collector does not scan bytes. A miss scores the assessment and encodes
// it without keeping the scored entry; a report or roadmap of the same
// revision builds its own. The cache counts an entry by its buffer's
// capacity, the memory it holds.
func (a *API) getScore(c *call) error {
	key, err := a.scoreKey(c, "score.json")
	if err != nil {
		return err
	}
	s, err := a.scoreJSON.Get(c.ctx(), key, func() (*sharedScore, int64, error) {
		s, err := a.encodeScoreOf(c.ctx(), key)
		if err != nil {
			return nil, 0, err
		}
		return s, int64(cap(s.json())) + 512, nil
	})
	if err != nil {
		return err
	}
	if !s.take() {
		// The cache let it go (a later revision took its place, or it
		// is larger than the cache) before this request could take it:
		// encoded again for this request alone.
		if s, err = a.encodeScoreOf(c.ctx(), key); err != nil {
			return err
		}
	}
	defer s.done()
	writeJSONLine(c.w, c.r, http.StatusOK, s.json())
	return nil
}

// encodeScoreOf scores the assessment of key and encodes its score.
func (a *API) encodeScoreOf(ctx context.Context, key reportcache.Key) (*sharedScore, error) {
	in, err := a.o.Store.ScoreInputAt(ctx, key.OrgID, key.AssessmentID, key.Revision, key.AsOf)
	if err != nil {
		return nil, err
	}
	// The result is encoded and dropped: its buffers serve the next.
	start := time.Now()
	res, release := assess.ScoreTransient(in)
	a.observeScoring(start)
	s, err := encodeScore(&res)
	release()
	if err != nil {
		return nil, fmt.Errorf("encode the score: %w", err)
	}
	return s, nil
}

var styleBlock = lazyregexp.New(`(?s)<style>(.*?)</style>`)

// reportFormatNames lists the values of getReport's format parameter.
func reportFormatNames() []string {
	names := make([]string, len(report.Formats))
	for i, f := range report.Formats {
		names[i] = string(f)
	}
	return names
}

// reportMediaTypes lists the media types of the report formats, without
// parameters, for the OpenAPI document.
func reportMediaTypes() []string {
	var types []string
	for _, f := range report.Formats {
		t, _, _ := strings.Cut(f.ContentType(), ";")
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	return types
}

// getReport renders the report of an assessment in the format parameter's
// format (html by default), as a file named after the assessment. A PDF
// needs Chromium on the server: without it the answer is unavailable (503)
// saying how to install it.
func (a *API) getReport(c *call) error {
	name := c.r.URL.Query().Get("format")
	if name == "" {
		name = string(report.FormatHTML)
	}
	format, err := report.ParseFormat(name)
	if err != nil {
		return csmm.Errorf(csmm.EINVALID, "format %q: expected one of %s", name, strings.Join(reportFormatNames(), ", "))
	}
	sc, err := a.score(c)
	if err != nil {
		return err
	}
	as := sc.as
	// The report's Trend section: the assessment's snapshots and the
	// installation's benchmark beside them.
	trend, err := a.o.Store.Trend(c.ctx(), c.org.ID, as.ID)
	if err != nil {
		return err
	}
	peers, err := a.o.Store.Benchmark(c.ctx(), c.org.ID, store.BenchmarkQuery{})
	if err != nil {
		return err
	}
	shared, err := sc.report(c.ctx())
	if err != nil {
		return err
	}
	rep := new(*shared) // a copy of the shared report, stamped with this request's time
	rep.GeneratedAt = a.o.Now().UTC()
	rep.Trend = report.BuildTrend(sc.in.Model, trend, peers)
	var buf bytes.Buffer
	if format == report.FormatPDF {
		err = a.writePDF(c.ctx(), &buf, rep)
	} else {
		err = rep.Write(c.ctx(), &buf, format)
	}
	if err != nil {
		return err
	}
	h := c.w.Header()
	disposition := "attachment"
	if format == report.FormatHTML {
		disposition = "inline"
		// The report is one self-contained page with its style inline: allow
		// exactly that style by its hash, and nothing else.
		csp := "default-src 'none'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; style-src"
		for _, m := range styleBlock.FindAllSubmatch(buf.Bytes(), -1) {
			sum := sha256.Sum256(m[1])
			csp += " 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		}
		h.Set("Content-Security-Policy", csp)
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": reportFileName(as.Name, format)}))
	h.Set("Content-Type", format.ContentType())
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, err = c.w.Write(buf.Bytes())
	return err
}

// writePDF prints the report with Chromium: in a new tab of the shared
// printer's browser, which bounds its own tabs; without a printer, at most
// pdfSlots at a time, since each printing then starts a browser and a burst
// of requests must not start dozens.
func (a *API) writePDF(ctx context.Context, w io.Writer, rep *report.Report) error {
	var err error
	if a.o.Printer != nil {
		var html []byte
		if html, err = rep.HTML(); err == nil {
			err = a.o.Printer.Print(ctx, w, html)
		}
	} else {
		select {
		case a.pdfSlots <- struct{}{}:
			defer func() { <-a.pdfSlots }()
		case <-ctx.Done():
			return fmt.Errorf("wait to print the pdf report: %w", ctx.Err())
		}
		err = rep.Write(ctx, w, report.FormatPDF)
	}
	if errors.Is(err, report.ErrNoChromium) {
		return fmt.Errorf("%w: %w", csmm.Errorf(EUNAVAILABLE, "the PDF report is unavailable on this server: %s", report.ErrNoChromium.Error()), err)
	}
	if err != nil {
		return fmt.Errorf("render pdf report: %w", err)
	}
	return nil
}

var notFileName = lazyregexp.New(`[^\p{L}\p{N}._-]+`)

// reportFileName is the file name of an assessment's report: the
// assessment's name with anything but letters, digits, dots, underscores and
// hyphens replaced by hyphens (so no quote, slash or control character gets
// through), at most 100 characters, and the format's extension.
// mime.FormatMediaType encodes a non-ASCII name as RFC 2231 filename*.
func reportFileName(assessment string, f report.Format) string {
	name := strings.Trim(notFileName.ReplaceAllString(assessment, "-"), "-.")
	if r := []rune(name); len(r) > 100 {
		name = strings.TrimRight(string(r[:100]), "-.")
	}
	if name == "" {
		name = "report"
	}
	return name + f.Extension()
}

func (a *API) listModels(c *call) error {
	ms, err := a.o.Store.ListModels(c.ctx(), c.org.ID)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, list(ms))
}

// getModel returns a model as JSON in the model export format: the
// built-in model for "builtin", else a custom model of the organization.
func (a *API) getModel(c *call) error {
	m, err := a.o.Store.LoadModel(c.ctx(), c.org.ID, c.r.PathValue("model"))
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, m)
}

// uploadModel stores a custom model after model.Parse accepts it; an
// invalid model is refused with every problem and nothing is stored.
func (a *API) uploadModel(c *call) error {
	data, err := c.readFile()
	if err != nil {
		return err
	}
	name := c.r.URL.Query().Get("filename")
	if name == "" {
		name = "model.yaml"
	}
	cm, err := service.UploadModel(c.ctx(), a.o.Store, c.org.ID, c.actor, name, data)
	if ve, ok := errors.AsType[*model.ValidationError](err); ok {
		return withProblems(fmt.Sprintf("the model has %d problem(s); nothing was stored", len(ve.Problems)), service.ModelProblems(ve.Problems))
	} else if err != nil {
		return err
	}
	return c.reply(http.StatusCreated, cm)
}
