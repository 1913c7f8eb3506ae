package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/store"
)

// importEvidence stores the scanner file in the body as evidence of the
// assessment and answers its summary and what was stored.
func (a *API) importEvidence(c *call) error {
	data, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, service.MaxEvidenceBytes))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return csmm.Errorf(ETOOLARGE, "the scanner file is larger than %d MiB", service.MaxEvidenceBytes>>20)
	} else if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return csmm.Errorf(csmm.EINVALID, "the request body is empty; expected a scanner file")
	}
	q := c.r.URL.Query()
	res, err := service.ImportEvidence(c.ctx(), a.o.Store, c.org.ID, c.actor, c.r.PathValue("id"), q.Get("name"), q.Get("scope"), data)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, res)
}

// listEvidence lists the stored evidence records of the assessment and
// its imports.
func (a *API) listEvidence(c *call) error {
	records, err := a.o.Store.ListEvidence(c.ctx(), c.org.ID, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	out := EvidenceList{Items: list(records).Items, Imports: store.EvidenceSources(records)}
	if out.Imports == nil {
		out.Imports = []store.EvidenceSource{}
	}
	return c.reply(http.StatusOK, out)
}

// deleteEvidence removes one import (the source parameter) from the assessment.
func (a *API) deleteEvidence(c *call) error {
	source := c.r.URL.Query().Get("source")
	if source == "" {
		return csmm.Errorf(csmm.EINVALID, "source: expected the source of an import, as listEvidence names it")
	}
	if _, err := a.o.Store.DeleteEvidence(c.ctx(), c.org.ID, c.actor, c.r.PathValue("id"), source); err != nil {
		return err
	}
	return c.reply(http.StatusNoContent, nil)
}
