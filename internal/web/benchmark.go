package web

import (
	"net/http"
	"strings"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/store"
)

// benchmarkData is the peer benchmark page: the organization's profile
// (editable by admins), the filters, and the benchmark of the group chosen,
// beside the organization's own scores.
type benchmarkData struct {
	base
	Profile    *store.Profile
	CanEdit    bool
	Action     string
	Query      store.BenchmarkQuery
	Sources    []string
	B          *history.Benchmark
	Notes      []string
	ExportJSON string
	ExportCSV  string
}

// benchmarkPage shows the peer benchmark of the group in the query.
func (h *Handler) benchmarkPage(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	d, err := h.benchmarkData(r, c)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("saved") != "" {
		d.Notice = "The profile is saved."
	}
	return h.render(w, http.StatusOK, h.pages.benchmark, d)
}

func (h *Handler) benchmarkData(r *http.Request, c *caller) (*benchmarkData, error) {
	ctx := r.Context()
	p, err := h.store.GetProfile(ctx, c.Org.ID)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	bq := store.BenchmarkQuery{Group: history.Group{Industry: q.Get("industry"), SizeBand: q.Get("size_band"), Provider: q.Get("provider")}, Source: q.Get("source")}
	b, err := h.store.Benchmark(ctx, c.Org.ID, bq)
	if err != nil && csmm.ErrorCode(err) != csmm.ENOTFOUND {
		return nil, err
	}
	d := &benchmarkData{
		base:    base{Title: "Peer benchmark", Caller: c, Crumbs: c.crumbs()},
		Profile: p, CanEdit: c.Can(identity.PermManageSettings), Action: orgPath(c.Org) + "/benchmark/profile",
		Query: bq, B: b, Sources: []string{history.SourceInstallation},
		ExportJSON: "/api/v1/orgs/" + c.Org.Slug + "/benchmark/export", ExportCSV: "/api/v1/orgs/" + c.Org.Slug + "/benchmark/export?format=csv",
	}
	if err != nil {
		d.Error = csmm.ErrorMessage(err)
	}
	ext, err := h.store.ListExternalBenchmarks(ctx, c.Org.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range ext {
		d.Sources = append(d.Sources, e.Name)
	}
	if b != nil {
		m, _ := model.Builtin()
		for _, cq := range b.Categories {
			d.Notes = append(d.Notes, report.PeerNote(m, cq))
		}
	}
	return d, nil
}

// profileSave saves the organization's profile and opt-in.
func (h *Handler) profileSave(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermManageSettings); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "the form could not be read")
	}
	f := r.PostForm
	p := store.Profile{Industry: f.Get("industry"), SizeBand: f.Get("size_band"),
		Regions: strings.Split(f.Get("regions"), ","), Providers: strings.Split(f.Get("providers"), ","), BenchmarkOptIn: f.Get("benchmark_opt_in") == "on"}
	if _, err := h.store.SetProfile(r.Context(), c.Org.ID, c.actor(r), p); err != nil {
		if csmm.ErrorCode(err) != csmm.EINVALID {
			return err
		}
		d, derr := h.benchmarkData(r, c)
		if derr != nil {
			return derr
		}
		d.Error = csmm.ErrorMessage(err)
		return h.render(w, http.StatusUnprocessableEntity, h.pages.benchmark, d)
	}
	return redirect(w, r, orgPath(c.Org)+"/benchmark?saved=1")
}
