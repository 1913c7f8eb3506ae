package api

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/store"
)

// evidenceUploadTime bounds how long reading an uploaded scanner file may take.
const evidenceUploadTime = time.Hour

// importEvidence stores the scanner file in the body as evidence of the
// assessment and answers its summary and what was stored. The body is read
// as a stream, up to the server's limit (Options.MaxEvidenceUpload); a body
// sent with Content-Encoding: gzip, or a .gz file, is decompressed on the way.
func (a *API) importEvidence(c *call) error {
	limit := a.o.MaxEvidenceUpload
	if limit <= 0 {
		limit = service.DefaultMaxEvidenceUpload
	}
	if c.r.ContentLength > limit {
		return csmm.Errorf(ETOOLARGE, "the scanner file is larger than %d MiB", limit>>20)
	}
	// A large upload takes longer than the server's usual read deadline.
	rc := http.NewResponseController(c.w)
	_ = rc.SetReadDeadline(time.Now().Add(evidenceUploadTime))
	_ = rc.SetWriteDeadline(time.Now().Add(evidenceUploadTime + time.Minute))
	switch enc := strings.ToLower(strings.TrimSpace(c.r.Header.Get("Content-Encoding"))); enc {
	case "", "identity", "gzip", "x-gzip":
		// gzip is told from its magic bytes, whatever the header says.
	default:
		return csmm.Errorf(csmm.EINVALID, "Content-Encoding %q: expected gzip or none", enc)
	}
	br := bufio.NewReader(http.MaxBytesReader(c.w, c.r.Body, limit))
	if _, err := br.Peek(1); errors.Is(err, io.EOF) {
		return csmm.Errorf(csmm.EINVALID, "the request body is empty; expected a scanner file")
	}
	q := c.r.URL.Query()
	res, err := service.ImportEvidence(c.ctx(), a.o.Store, c.org.ID, c.actor, c.r.PathValue("id"), q.Get("name"), q.Get("scope"), br)
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
