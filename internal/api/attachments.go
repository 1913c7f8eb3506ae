package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/store"
)

// LinkAdd is the body of addEvidenceLink.
type LinkAdd struct {
	URL   string `json:"url" doc:"An absolute http or https URL, at most 2000 bytes"`
	Title string `json:"title,omitempty" doc:"The link's title, at most 200 characters; the URL when absent"`
}

// ReviewMark is the body of markReviewed.
type ReviewMark struct {
	Version int `json:"version,omitempty" doc:"The version of the answer the reviewer saw; 409 when the stored answer has another. The current version when absent or 0"`
}

// attachmentMediaTypes are the media types a file is downloaded as.
func attachmentMediaTypes() []string {
	out := []string{mediaAny}
	for _, t := range store.AttachmentTypes {
		t, _, _ = strings.Cut(t, ";")
		out = append(out, t)
	}
	return out
}

// objective checks that the objective in the path is in the model of the
// assessment in the path: not_found otherwise.
func (a *API) objective(c *call) (*model.Objective, error) {
	ref, err := a.o.Store.AssessmentModelRef(c.ctx(), c.org.ID, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	m, err := a.o.Store.LoadModel(c.ctx(), c.org.ID, ref)
	if err != nil {
		return nil, err
	}
	o, ok := m.Objective(c.r.PathValue("objective"))
	if !ok {
		return nil, csmm.Errorf(csmm.ENOTFOUND, "%q is not an objective of model %s", c.r.PathValue("objective"), m.Ref())
	}
	return o, nil
}

// listObjectiveEvidence lists the links and files of the assessment's
// objectives, or of one objective.
func (a *API) listObjectiveEvidence(c *call) error {
	items, err := a.o.Store.ListAttachments(c.ctx(), c.org.ID, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	if obj := c.r.URL.Query().Get("objective"); obj != "" {
		items = slices.DeleteFunc(items, func(at store.Attachment) bool { return at.Objective != obj })
	}
	return c.reply(http.StatusOK, list(items))
}

// addEvidenceLink adds a link to an objective.
func (a *API) addEvidenceLink(c *call) error {
	var in LinkAdd
	if err := c.decode(&in); err != nil {
		return err
	}
	o, err := a.objective(c)
	if err != nil {
		return err
	}
	at, err := a.o.Store.AddLink(c.ctx(), c.org.ID, c.actor, c.r.PathValue("id"), o.ID, in.URL, in.Title)
	if err != nil {
		return err
	}
	return c.reply(http.StatusCreated, at)
}

// uploadEvidenceFile stores the raw body as a file of an objective, named
// by the name parameter; over store.MaxAttachmentBytes it answers 413 and
// stores nothing.
func (a *API) uploadEvidenceFile(c *call) error {
	o, err := a.objective(c)
	if err != nil {
		return err
	}
	tooLarge := csmm.Errorf(ETOOLARGE, "the file is larger than the limit of %d bytes (%d MiB); nothing was stored", store.MaxAttachmentBytes, store.MaxAttachmentBytes>>20)
	if c.r.ContentLength > store.MaxAttachmentBytes {
		return tooLarge
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, store.MaxAttachmentBytes))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return tooLarge
	} else if err != nil {
		return csmm.Errorf(csmm.EINVALID, "the file could not be read: %v", err)
	}
	name := strings.TrimSpace(c.r.URL.Query().Get("name"))
	if name == "" {
		return csmm.Errorf(csmm.EINVALID, "name: expected the file's name, e.g. ?name=policy.pdf")
	}
	at, err := a.o.Store.AddFile(c.ctx(), c.org.ID, c.actor, c.r.PathValue("id"), o.ID, name, data)
	if err != nil {
		return err
	}
	return c.reply(http.StatusCreated, at)
}

// downloadEvidenceFile answers a file's bytes as an attachment, with an
// allow-listed media type or application/octet-stream, nosniff and a
// sandboxing Content-Security-Policy.
func (a *API) downloadEvidenceFile(c *call) error {
	at, data, err := a.o.Store.AttachmentContent(c.ctx(), c.org.ID, c.r.PathValue("id"), c.r.PathValue("attachment"))
	if err != nil {
		return err
	}
	if at.Kind != store.AttachmentFile {
		return csmm.Errorf(csmm.ENOTFOUND, "%s is a link, not a file: its URL is %s", at.ID, at.URL)
	}
	WriteAttachment(c.w, at, data)
	return nil
}

// WriteAttachment writes a stored file as a download: Content-Disposition
// attachment with a cleaned file name, a media type from
// store.AttachmentTypes or application/octet-stream, nosniff, a sandboxing
// Content-Security-Policy and no caching, so that nothing uploaded runs in
// the application's origin. The pages serve files with it too.
func WriteAttachment(w http.ResponseWriter, at *store.Attachment, data []byte) {
	ctype := at.ContentType
	if !slices.Contains(store.AttachmentTypes, ctype) {
		ctype = "application/octet-stream"
	}
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Set("Content-Disposition", ContentDisposition(store.FileName(at.Title)))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// deleteObjectiveEvidence removes a link or file: its adder may, and an
// admin may remove anyone's.
func (a *API) deleteObjectiveEvidence(c *call) error {
	anyone := identity.Can(c.role, identity.PermReviewAnswers)
	if err := a.o.Store.DeleteAttachment(c.ctx(), c.org.ID, c.actor, c.r.PathValue("id"), c.r.PathValue("attachment"), anyone); err != nil {
		return err
	}
	return c.reply(http.StatusNoContent, nil)
}

// listReviews lists the review marks of the assessment's answers.
func (a *API) listReviews(c *call) error {
	rs, err := a.o.Store.ListReviews(c.ctx(), c.org.ID, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, list(rs))
}

// markReviewed marks the answer to an objective in a scope reviewed.
func (a *API) markReviewed(c *call) error {
	var in ReviewMark
	if err := c.decode(&in); err != nil {
		return err
	}
	if in.Version < 0 {
		return csmm.Errorf(csmm.EINVALID, "version %d: expected the answer's version, or 0 for the current one", in.Version)
	}
	r, err := a.o.Store.MarkReviewed(c.ctx(), c.org.ID, c.actor, c.r.PathValue("id"), c.r.PathValue("objective"), c.r.PathValue("scope"), in.Version)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, r)
}

// clearReview removes the review mark of an answer.
func (a *API) clearReview(c *call) error {
	if err := a.o.Store.ClearReview(c.ctx(), c.org.ID, c.actor, c.r.PathValue("id"), c.r.PathValue("objective"), c.r.PathValue("scope")); err != nil {
		return err
	}
	return c.reply(http.StatusNoContent, nil)
}

// ContentDisposition is "attachment" with the file name quoted, every
// character outside printable ASCII (and any quote or backslash) replaced
// by _, and for a name beyond ASCII the exact name in filename* (RFC 6266).
func ContentDisposition(name string) string {
	var plain, exact strings.Builder
	beyond := false
	for _, r := range name {
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' {
			beyond = beyond || r >= 0x80
			plain.WriteByte('_')
		} else {
			plain.WriteRune(r)
		}
	}
	for _, b := range []byte(name) {
		if b < 0x80 && (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("!#$&+-.^_`|~", b) >= 0) {
			exact.WriteByte(b)
		} else {
			fmt.Fprintf(&exact, "%%%02X", b)
		}
	}
	d := `attachment; filename="` + plain.String() + `"`
	if beyond {
		d += "; filename*=UTF-8''" + exact.String()
	}
	return d
}
