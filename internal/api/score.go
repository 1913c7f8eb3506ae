package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/store"
)

// score scores a stored assessment as of the as_of parameter.
func (a *API) score(c *call) (assess.Result, *store.Assessment, assess.Input, error) {
	asOf, err := c.asOf(a)
	if err != nil {
		return assess.Result{}, nil, assess.Input{}, err
	}
	in, as, err := a.o.Store.Scoring(c.ctx(), c.org.ID, c.r.PathValue("id"), asOf)
	if err != nil {
		return assess.Result{}, nil, assess.Input{}, err
	}
	start := time.Now()
	res := assess.Score(in)
	if a.o.ObserveScoring != nil {
		a.o.ObserveScoring(time.Since(start))
	}
	return res, as, in, nil
}

func (a *API) getScore(c *call) error {
	res, _, _, err := a.score(c)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, res)
}

// reportFormats are the formats getReport renders, with their media types.
var reportFormats = map[string]string{
	"html": "text/html; charset=utf-8",
	"md":   "text/markdown; charset=utf-8",
	"json": "application/json",
	"csv":  "text/csv; charset=utf-8",
}

var styleBlock = regexp.MustCompile(`(?s)<style>(.*?)</style>`)

func (a *API) getReport(c *call) error {
	format := c.r.URL.Query().Get("format")
	if format == "" {
		format = "html"
	}
	ctype, ok := reportFormats[format]
	if !ok {
		return csmm.Errorf(csmm.EINVALID, "format %q: expected html, md, json or csv", format)
	}
	res, as, in, err := a.score(c)
	if err != nil {
		return err
	}
	rep := report.Build(in.Model, res, report.Meta{
		Organization: c.org.Name, Assessment: as.Name, Scopes: in.Scopes,
		GeneratedAt: a.o.Now().UTC(), ValidityDays: as.ValidityDays,
	})
	var buf bytes.Buffer
	switch format {
	case "html":
		err = rep.WriteHTML(&buf)
	case "md":
		err = rep.WriteMarkdown(&buf)
	case "json":
		err = rep.WriteJSON(&buf)
	case "csv":
		err = rep.WriteCSV(&buf)
	}
	if err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	h := c.w.Header()
	if format == "html" {
		// The report is one self-contained page with its style inline: allow
		// exactly that style by its hash, and nothing else.
		csp := "default-src 'none'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; style-src"
		for _, m := range styleBlock.FindAllSubmatch(buf.Bytes(), -1) {
			sum := sha256.Sum256(m[1])
			csp += " 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		}
		h.Set("Content-Security-Policy", csp)
	} else {
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="report.%s"`, format))
	}
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "no-store")
	_, err = c.w.Write(buf.Bytes())
	return err
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
	m, err := model.Parse(name, data)
	if ve, ok := errors.AsType[*model.ValidationError](err); ok {
		return withProblems(fmt.Sprintf("the model has %d problem(s); nothing was stored", len(ve.Problems)), ve.Problems)
	} else if err != nil {
		return err
	}
	cm, err := a.o.Store.CreateModel(c.ctx(), c.org.ID, c.actor, store.CustomModel{Name: m.ID, Version: m.Version, YAML: string(data)})
	if err != nil {
		return err
	}
	return c.reply(http.StatusCreated, cm)
}
