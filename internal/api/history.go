package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/reportcache"
	"github.com/csmm/csmm/internal/store"
)

const (
	mediaCSV      = "text/csv"
	mediaMarkdown = "text/markdown"
)

// FinalizeRequest is the body of finalizeAssessment.
type FinalizeRequest struct {
	// Note says why or at what milestone the assessment is finalized.
	Note string `json:"note"`
}

// finalizeAssessment freezes the assessment into a snapshot and answers it.
func (a *API) finalizeAssessment(c *call) error {
	var in FinalizeRequest
	if c.r.ContentLength != 0 {
		if err := c.decode(&in); err != nil {
			return err
		}
	}
	snap, err := a.o.Store.Finalize(c.ctx(), c.org.ID, c.actor, c.r.PathValue("id"), c.who.User.Name, strings.TrimSpace(in.Note))
	if err != nil {
		return err
	}
	return c.reply(http.StatusCreated, snap)
}

// listSnapshots lists the organization's snapshots, or one assessment's.
func (a *API) listSnapshots(c *call) error {
	items, err := a.o.Store.ListSnapshots(c.ctx(), c.org.ID, c.r.URL.Query().Get("assessment"))
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, list(items))
}

// getSnapshot answers a snapshot; format=json answers the snapshot export
// file (with its model) as a download.
func (a *API) getSnapshot(c *call) error {
	snap, _, err := a.o.Store.GetSnapshot(c.ctx(), c.org.ID, c.r.PathValue("snapshot"))
	if err != nil {
		return err
	}
	switch c.r.URL.Query().Get("format") {
	case "":
		snap.ModelYAML = ""
		return c.reply(http.StatusOK, snap)
	case "json":
		data, err := json.MarshalIndent(snap, "", "  ")
		if err != nil {
			return fmt.Errorf("encode the snapshot: %w", err)
		}
		return download(c, mediaJSON, "snapshot-"+snap.ID+".json", data)
	default:
		return csmm.Errorf(csmm.EINVALID, "format %q: expected json (the export file) or nothing", c.r.URL.Query().Get("format"))
	}
}

// download writes data as an attachment named name.
func download(c *call, mediaType, name string, data []byte) error {
	h := c.w.Header()
	h.Set("Content-Type", mediaType+"; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Cache-Control", "no-store")
	c.w.WriteHeader(http.StatusOK)
	_, err := c.w.Write(data)
	return err
}

// getTrend answers the scores over the organization's snapshots (or one
// assessment's) as JSON, or CSV with format=csv.
func (a *API) getTrend(c *call) error {
	t, err := a.o.Store.Trend(c.ctx(), c.org.ID, c.r.URL.Query().Get("assessment"))
	if err != nil {
		return err
	}
	switch c.r.URL.Query().Get("format") {
	case "", "json":
		return c.reply(http.StatusOK, t)
	case "csv":
		var buf bytes.Buffer
		if err := t.WriteCSV(&buf); err != nil {
			return err
		}
		return download(c, mediaCSV, "trend.csv", buf.Bytes())
	}
	return csmm.Errorf(csmm.EINVALID, "format %q: expected json or csv", c.r.URL.Query().Get("format"))
}

// comparedCacheBytes bounds the encoded comparisons of two snapshots kept.
const comparedCacheBytes = 8 << 20

// compareSnapshots compares two snapshots, or a snapshot and the live
// assessment, as JSON, Markdown (format=md) or CSV.
func (a *API) compareSnapshots(c *call) error {
	q := c.r.URL.Query()
	today := assess.DateOf(a.o.Now())
	if f := q.Get("format"); (f == "" || f == "json") && q.Get("from") != "" && q.Get("to") != "" && q.Get("from") != history.Live && q.Get("to") != history.Live {
		// Two snapshots never change: their comparison is encoded once.
		key := reportcache.Key{OrgID: c.org.ID, View: "compare\x00" + q.Get("from") + "\x00" + q.Get("to")}
		data, err := a.compared.Get(c.ctx(), key, func() ([]byte, int64, error) {
			cmp, err := a.o.Store.Compare(c.ctx(), c.org.ID, q.Get("from"), q.Get("to"), q.Get("assessment"), today)
			if err != nil {
				return nil, 0, err
			}
			line, err := marshalLine(cmp)
			return line, int64(len(line)), err
		})
		if err != nil {
			return err
		}
		writeJSONLine(c.w, c.r, http.StatusOK, data)
		return nil
	}
	cmp, err := a.o.Store.Compare(c.ctx(), c.org.ID, q.Get("from"), q.Get("to"), q.Get("assessment"), today)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch q.Get("format") {
	case "", "json":
		return c.reply(http.StatusOK, cmp)
	case "md":
		err = cmp.WriteMarkdown(&buf)
		if err == nil {
			err = download(c, mediaMarkdown, "comparison.md", buf.Bytes())
		}
		return err
	case "csv":
		err = cmp.WriteCSV(&buf)
		if err == nil {
			err = download(c, mediaCSV, "comparison.csv", buf.Bytes())
		}
		return err
	}
	return csmm.Errorf(csmm.EINVALID, "format %q: expected json, md or csv", q.Get("format"))
}

// getOrganizationProfile answers the organization's profile.
func (a *API) getOrganizationProfile(c *call) error {
	p, err := a.o.Store.GetProfile(c.ctx(), c.org.ID)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, p)
}

// updateOrganizationProfile replaces the organization's profile.
func (a *API) updateOrganizationProfile(c *call) error {
	var in store.Profile
	if err := c.decode(&in); err != nil {
		return err
	}
	p, err := a.o.Store.SetProfile(c.ctx(), c.org.ID, c.actor, in)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, p)
}

// benchmarkQuery reads getBenchmark's query parameters.
func benchmarkQuery(c *call) store.BenchmarkQuery {
	q := c.r.URL.Query()
	return store.BenchmarkQuery{
		Group:  history.Group{Industry: q.Get("industry"), SizeBand: q.Get("size_band"), Provider: q.Get("provider")},
		Source: q.Get("source"),
	}
}

// getBenchmark answers formats.md's Benchmark for the group and source asked.
func (a *API) getBenchmark(c *call) error {
	b, err := a.o.Store.Benchmark(c.ctx(), c.org.ID, benchmarkQuery(c))
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, b)
}

// exportBenchmark answers the installation's anonymized benchmarks (every
// group of at least five organizations) as a JSON array of Benchmarks or CSV.
func (a *API) exportBenchmark(c *call) error {
	list, err := a.o.Store.ExportBenchmarks(c.ctx())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch c.r.URL.Query().Get("format") {
	case "", "json":
		data, err := json.MarshalIndent(list, "", "  ")
		if err != nil {
			return err
		}
		return download(c, mediaJSON, "benchmark.json", data)
	case "csv":
		if err := history.WriteBenchmarksCSV(&buf, list); err != nil {
			return err
		}
		return download(c, mediaCSV, "benchmark.csv", buf.Bytes())
	}
	return csmm.Errorf(csmm.EINVALID, "format %q: expected json or csv", c.r.URL.Query().Get("format"))
}

// importBenchmark stores an exported benchmark (a JSON Benchmark or an array
// of them) under the name given, its source label.
func (a *API) importBenchmark(c *call) error {
	data, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxFileBody))
	if err != nil {
		return csmm.Errorf(csmm.EINVALID, "the body could not be read (at most %d bytes): %v", maxFileBody, err)
	}
	groups, err := history.ParseBenchmarks(data)
	if err != nil {
		return csmm.Errorf(csmm.EINVALID, "%s", err.Error())
	}
	e, err := a.o.Store.ImportBenchmark(c.ctx(), c.org.ID, c.actor, c.r.URL.Query().Get("name"), groups)
	if err != nil {
		return err
	}
	return c.reply(http.StatusCreated, e)
}

// listBenchmarks lists the organization's imported benchmarks.
func (a *API) listBenchmarks(c *call) error {
	items, err := a.o.Store.ListExternalBenchmarks(c.ctx(), c.org.ID)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, list(items))
}
