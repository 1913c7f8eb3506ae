package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/csmm/csmm/internal/api"
	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/store"
)

// objectiveEvidence is what the answering page shows under an objective:
// its links and files with who added them, the forms that add more, and
// the review mark of its answer in each scope.
type objectiveEvidence struct {
	ID    string
	Items []attachmentView
	// LinkAction and FileAction add a link and a file; empty for a caller
	// who may not answer.
	LinkAction string
	FileAction string
	// MaxFile is the size limit of one file, as people read it.
	MaxFile string
	// Reviews are the scopes' review marks; ReviewAction is where a
	// reviewer marks or clears one, empty for a caller who may not review.
	Reviews      []reviewView
	ReviewAction string
	Back         string
	// Open unfolds the block: right after an action on it.
	Open bool
}

// Summary is the folded block's line: how many links and files, and how
// many answers are reviewed.
func (e *objectiveEvidence) Summary() string {
	var parts []string
	switch n := len(e.Items); n {
	case 0:
		parts = append(parts, "no link or file")
	case 1:
		parts = append(parts, "1 link or file")
	default:
		parts = append(parts, strconv.Itoa(n)+" links or files")
	}
	answered, reviewed, changed := 0, 0, 0
	for _, r := range e.Reviews {
		if r.Answered {
			answered++
		}
		switch r.State {
		case store.ReviewDone:
			reviewed++
		case store.ReviewChanged:
			changed++
		}
	}
	if answered > 0 {
		parts = append(parts, fmt.Sprintf("reviewed %d of %d", reviewed, answered))
	}
	if changed > 0 {
		parts = append(parts, fmt.Sprintf("%d changed since review", changed))
	}
	return strings.Join(parts, " · ")
}

// attachmentView is one link or file as the page lists it.
type attachmentView struct {
	store.Attachment
	// Href is the link's URL or the file's download.
	Href string
	// DeleteAction removes it; empty for a caller who may not.
	DeleteAction string
}

// SizeText is a file's size as people read it.
func (a attachmentView) SizeText() string { return sizeText(a.Size) }

// reviewView is the review state of the answer in one scope.
type reviewView struct {
	Scope     string
	ScopeName string
	// State is reviewed, changed or unreviewed; Answered is false when
	// there is no answer to review.
	State    string
	Answered bool
	Version  int
	Review   *store.Review
}

// Text says how the answer in the scope stands with its reviewer.
func (v reviewView) Text() string {
	switch {
	case !v.Answered && v.Review == nil:
		return "no answer to review"
	case v.State == store.ReviewDone:
		return "reviewed by " + v.Review.ReviewerName + " on " + v.Review.Reviewed.UTC().Format("2006-01-02")
	case v.State == store.ReviewChanged:
		return "changed since review by " + v.Review.ReviewerName + " on " + v.Review.Reviewed.UTC().Format("2006-01-02")
	}
	return "not reviewed"
}

// sizeText writes a byte count in B, KiB or MiB.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// objectiveEvidence gathers the links, files and review marks of the
// objectives on a category page, by objective ID.
func (h *Handler) objectiveEvidence(r *http.Request, c *caller, s *snapshot, d *categoryData) (map[string]*objectiveEvidence, error) {
	ctx := r.Context()
	items, err := h.store.ListAttachments(ctx, c.Org.ID, s.A.ID)
	if err != nil {
		return nil, err
	}
	reviews, err := h.store.ListReviews(ctx, c.Org.ID, s.A.ID)
	if err != nil {
		return nil, err
	}
	marks := map[[2]string]*store.Review{}
	for i := range reviews {
		marks[[2]string{reviews[i].Objective, reviews[i].Scope}] = &reviews[i]
	}
	byObj := map[string][]store.Attachment{}
	for _, a := range items {
		byObj[a.Objective] = append(byObj[a.Objective], a)
	}
	path := assessmentPath(c, s.A.ID)
	out := map[string]*objectiveEvidence{}
	for _, o := range d.objectives() {
		e := &objectiveEvidence{ID: o.ID, MaxFile: sizeText(store.MaxAttachmentBytes), Back: path + "/categories/" + d.ID + "#obj-" + o.ID,
			Open: r.URL.Query().Get("ev") == o.ID}
		if c.CanAnswer() {
			e.LinkAction = path + "/objectives/" + o.ID + "/links"
			e.FileAction = path + "/objectives/" + o.ID + "/files"
		}
		if c.Can(identity.PermReviewAnswers) {
			e.ReviewAction = path + "/objectives/" + o.ID + "/review"
		}
		for _, a := range byObj[o.ID] {
			v := attachmentView{Attachment: a, Href: a.URL}
			if a.Kind == store.AttachmentFile {
				v.Href = path + "/attachments/" + a.ID
			}
			if c.CanAnswer() && (a.AddedBy == c.User.ID || c.Can(identity.PermReviewAnswers)) {
				v.DeleteAction = path + "/attachments/" + a.ID + "/delete"
			}
			e.Items = append(e.Items, v)
		}
		for _, sa := range o.Scopes {
			v := reviewView{Scope: sa.Scope, ScopeName: sa.ScopeName, Review: marks[[2]string{o.ID, sa.Scope}]}
			var ans *store.Answer
			if an, ok := s.Answers[keyOf(o.ID, sa.Scope)]; ok {
				ans, v.Answered, v.Version = &an, true, an.Version
			}
			v.State = store.ReviewState(v.Review, ans)
			e.Reviews = append(e.Reviews, v)
		}
		out[o.ID] = e
	}
	return out, nil
}

// objectiveOf checks that an objective is in the model of an assessment of
// the caller's organization, reading only the model: not_found otherwise.
func (h *Handler) objectiveOf(r *http.Request, c *caller) (*model.Objective, error) {
	ctx := r.Context()
	ref, err := h.store.AssessmentModelRef(ctx, c.Org.ID, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	m, err := h.store.LoadModel(ctx, c.Org.ID, ref)
	if err != nil {
		return nil, err
	}
	o, ok := m.Objective(r.PathValue("obj"))
	if !ok {
		return nil, errNotFound("objective")
	}
	return o, nil
}

// backTo is the objective on its category page, with a notice.
func backTo(c *caller, id string, o *model.Objective, done string) string {
	return assessmentPath(c, id) + "/categories/" + o.Category + "?done=" + url.QueryEscape(done) + "&ev=" + url.QueryEscape(o.ID) + "#obj-" + o.ID
}

// linkAdd adds a link to an objective.
func (h *Handler) linkAdd(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermAnswer); err != nil {
		return err
	}
	o, err := h.objectiveOf(r, c)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	id := r.PathValue("id")
	if _, err := h.store.AddLink(r.Context(), c.Org.ID, c.actor(r), id, o.ID, r.FormValue("url"), r.FormValue("title")); err != nil {
		return err
	}
	return redirect(w, r, backTo(c, id, o, "link"))
}

// fileAdd stores an uploaded file as evidence of an objective. A file over
// the limit is refused with 413 and its size limit, and nothing is stored.
func (h *Handler) fileAdd(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermAnswer); err != nil {
		return err
	}
	o, err := h.objectiveOf(r, c)
	if err != nil {
		return err
	}
	name, data, err := readUpload(w, r, "file", "a file", store.MaxAttachmentBytes)
	if csmm.ErrorCode(err) == csmm.ETOOLARGE {
		return csmm.Errorf(csmm.ETOOLARGE, "The file is larger than the limit of %s per file; nothing was stored", sizeText(store.MaxAttachmentBytes))
	} else if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := h.store.AddFile(r.Context(), c.Org.ID, c.actor(r), id, o.ID, name, data); err != nil {
		return err
	}
	return redirect(w, r, backTo(c, id, o, "file"))
}

// attachmentDownload serves a file of an assessment as an attachment, with
// an allow-listed media type (else application/octet-stream), a cleaned
// file name, nosniff and a sandboxing policy, so that nothing uploaded runs
// in the application's origin.
func (h *Handler) attachmentDownload(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	a, data, err := h.store.AttachmentContent(r.Context(), c.Org.ID, r.PathValue("id"), r.PathValue("att"))
	if err != nil {
		return err
	}
	if a.Kind != store.AttachmentFile {
		return errNotFound("file")
	}
	api.WriteAttachment(w, a, data)
	return nil
}

// attachmentDelete removes a link or file: its adder or a reviewer may.
func (h *Handler) attachmentDelete(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermAnswer); err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	a, err := h.store.GetAttachment(ctx, c.Org.ID, id, r.PathValue("att"))
	if err != nil {
		return err
	}
	if err := h.store.DeleteAttachment(ctx, c.Org.ID, c.actor(r), id, a.ID, c.Can(identity.PermReviewAnswers)); err != nil {
		return err
	}
	r.SetPathValue("obj", a.Objective)
	o, err := h.objectiveOf(r, c)
	if err != nil {
		// The objective left the model: back to the overview.
		return redirect(w, r, assessmentPath(c, id))
	}
	return redirect(w, r, backTo(c, id, o, "removed"))
}

// reviewSave marks the answer to an objective in a scope reviewed (the
// version the reviewer saw), or clears the mark (clear=1).
func (h *Handler) reviewSave(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermReviewAnswers); err != nil {
		return err
	}
	o, err := h.objectiveOf(r, c)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	id, scope := r.PathValue("id"), r.FormValue("scope")
	if r.FormValue("clear") != "" {
		if err := h.store.ClearReview(r.Context(), c.Org.ID, c.actor(r), id, o.ID, scope); err != nil {
			return err
		}
		return redirect(w, r, backTo(c, id, o, "unreviewed"))
	}
	version := 0
	if v := r.FormValue("version"); v != "" {
		if version, err = strconv.Atoi(v); err != nil || version < 0 {
			return csmm.Errorf(csmm.EINVALID, "version %q: expected a whole number", v)
		}
	}
	if _, err := h.store.MarkReviewed(r.Context(), c.Org.ID, c.actor(r), id, o.ID, scope, version); err != nil {
		if csmm.ErrorCode(err) == csmm.ECONFLICT {
			return csmm.Errorf(csmm.ECONFLICT, "the answer to %s in %s changed since the page was loaded; reload it and review the new answer", o.ID, scope)
		}
		return err
	}
	return redirect(w, r, backTo(c, id, o, "reviewed"))
}

// evidenceNotice is the notice of a category page after an evidence or review action.
func evidenceNotice(done string) string {
	switch done {
	case "link":
		return "Added the link."
	case "file":
		return "Added the file."
	case "removed":
		return "Removed the evidence."
	case "reviewed":
		return "Marked the answer reviewed."
	case "unreviewed":
		return "Cleared the review mark."
	}
	return ""
}

// reviewCount counts the answers of a category by review state.
type reviewCount struct {
	ID       string
	Name     string
	Href     string
	Answered int
	Reviewed int
	Changed  int
}

// Unreviewed counts the answers without a mark.
func (r reviewCount) Unreviewed() int { return r.Answered - r.Reviewed - r.Changed }

// reviewSummary is the overview's review section: counts per category.
type reviewSummary struct {
	Categories []reviewCount
	Total      reviewCount
}

// reviewSummary counts the stored answers of every category by review state.
func (h *Handler) reviewSummary(r *http.Request, c *caller, s *snapshot) (*reviewSummary, error) {
	reviews, err := h.store.ListReviews(r.Context(), c.Org.ID, s.A.ID)
	if err != nil {
		return nil, err
	}
	marks := map[[2]string]*store.Review{}
	for i := range reviews {
		marks[[2]string{reviews[i].Objective, reviews[i].Scope}] = &reviews[i]
	}
	path := assessmentPath(c, s.A.ID)
	out := &reviewSummary{Total: reviewCount{Name: "All categories"}}
	for _, cat := range s.Model.Categories {
		rc := reviewCount{ID: cat.ID, Name: cat.Name, Href: path + "/categories/" + cat.ID}
		for _, o := range s.Model.CategoryObjectives(cat.ID) {
			for _, sc := range s.A.Scopes {
				an, ok := s.Answers[keyOf(o.ID, sc.ID)]
				if !ok {
					continue
				}
				rc.Answered++
				switch store.ReviewState(marks[[2]string{o.ID, sc.ID}], &an) {
				case store.ReviewDone:
					rc.Reviewed++
				case store.ReviewChanged:
					rc.Changed++
				}
			}
		}
		out.Total.Answered += rc.Answered
		out.Total.Reviewed += rc.Reviewed
		out.Total.Changed += rc.Changed
		out.Categories = append(out.Categories, rc)
	}
	return out, nil
}

// keyOf is the scoring key of an objective in a scope.
func keyOf(objective, scope string) assess.Key { return assess.Key{Objective: objective, Scope: scope} }
