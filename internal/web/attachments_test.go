package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/store"
)

// TestObjectiveEvidence adds a link and a file to an objective through the
// page's forms, downloads the file with safe headers, refuses a file over
// the limit (storing nothing), a bad link, a viewer, an outsider and a
// member removing someone else's file, and lets the adder and an admin
// remove.
func TestObjectiveEvidence(t *testing.T) {
	e := newEnv(t)
	path := e.create("Evidence", "production")
	id := path[strings.LastIndex(path, "/")+1:]
	const cat = "IAM"
	obj := builtin(t).CategoryObjectives(cat)[0].ID
	assessor, viewer, admin := e.users[csmm.RoleAssessor], e.users[csmm.RoleViewer], e.users[csmm.RoleAdmin]

	r := e.post(assessor, path+"/objectives/"+obj+"/links", url.Values{"url": {"https://wiki.example.com/iam"}, "title": {"IAM <runbook>"}})
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.location, "/categories/"+cat+"?done=link&ev="+obj+"#obj-"+obj) {
		t.Fatalf("add link: %d to %q, body %s", r.status, r.location, r.body)
	}
	if r := e.post(assessor, path+"/objectives/"+obj+"/links", url.Values{"url": {"javascript:alert(1)"}}); r.status != http.StatusBadRequest {
		t.Errorf("a javascript: link: status %d, want 400", r.status)
	}
	data := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("binary\x00"), 500)...)
	r = e.upload(assessor, path+"/objectives/"+obj+"/files", "file", "../../etc/evil\".pdf", data)
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d, body %s", r.status, r.body)
	}
	big := make([]byte, store.MaxAttachmentBytes+1)
	r = e.upload(assessor, path+"/objectives/"+obj+"/files", "file", "big.bin", big)
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "larger than the limit of 10.0 MiB per file; nothing was stored") {
		t.Errorf("a file over the limit: status %d, want 413 with the limit named; body:\n%.400s", r.status, r.body)
	}
	if r := e.upload(viewer, path+"/objectives/"+obj+"/files", "file", "v.txt", []byte("hi")); r.status != http.StatusForbidden {
		t.Errorf("a viewer uploads: %d, want 403", r.status)
	}
	if r := e.upload(e.other, path+"/objectives/"+obj+"/files", "file", "v.txt", []byte("hi")); r.status != http.StatusNotFound {
		t.Errorf("an outsider uploads: %d, want 404", r.status)
	}
	if r := e.upload(assessor, path+"/objectives/NOPE-9.9/files", "file", "v.txt", []byte("hi")); r.status != http.StatusNotFound {
		t.Errorf("upload to an unknown objective: %d, want 404", r.status)
	}
	list, err := e.store.ListAttachments(context.Background(), e.org.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("%d attachments stored, want the link and the PDF only: %+v", len(list), list)
	}
	file := list[1]

	// The page lists both with who added them; the viewer sees them
	// without the forms.
	doc := e.get(assessor, path+"/categories/"+cat).doc(t)
	items := doc.Find(`[id="ev-` + obj + `"] li.attachment`)
	if items.Length() != 2 {
		t.Fatalf("%d evidence items on the page, want 2", items.Length())
	}
	if a := items.Eq(0).Find("a"); a.Text() != "IAM <runbook>" || a.AttrOr("href", "") != "https://wiki.example.com/iam" {
		t.Errorf("link item %q → %q", a.Text(), a.AttrOr("href", ""))
	}
	if a := items.Eq(1).Find("a"); a.Text() != `evil_.pdf` || a.AttrOr("href", "") != path+"/attachments/"+file.ID {
		t.Errorf("file item %q → %q, want the cleaned name and the download", a.Text(), a.AttrOr("href", ""))
	}
	if !strings.Contains(items.Eq(1).Text(), "added by Assessor User on 2026-11-20") {
		t.Errorf("file item %q does not say who added it and when", items.Eq(1).Text())
	}
	vdoc := e.get(viewer, path+"/categories/"+cat).doc(t)
	if n := vdoc.Find(`[id="ev-` + obj + `"] li.attachment`).Length(); n != 2 {
		t.Errorf("the viewer sees %d items, want 2", n)
	}
	if n := vdoc.Find(`[id="ev-` + obj + `"] form`).Length(); n != 0 {
		t.Errorf("the viewer sees %d evidence forms, want none", n)
	}

	// The report lists both, on the page and in the Markdown export.
	rep := e.get(viewer, path+"/report").doc(t)
	if got := rep.Find("#evidence-items tbody tr").Length(); got != 2 {
		t.Errorf("the report page lists %d evidence rows, want 2", got)
	}
	if href := rep.Find(`#evidence-items a[download]`).AttrOr("href", ""); href != path+"/attachments/"+file.ID {
		t.Errorf("the report links the file at %q", href)
	}
	if md := e.get(viewer, path+"/export/md").body; !strings.Contains(md, "file evil\\_.pdf") || !strings.Contains(md, "link [IAM \\<runbook\\>](https://wiki.example.com/iam) | Assessor User") {
		t.Errorf("the Markdown report does not list the file and the link with who added them:\n%s", md[strings.Index(md, "## Evidence"):])
	}

	// Download: the bytes, as an attachment with a safe type.
	r = e.get(viewer, path+"/attachments/"+file.ID)
	if r.status != http.StatusOK || r.body != string(data) {
		t.Fatalf("download: %d, %d bytes, want 200 and the %d uploaded bytes", r.status, len(r.body), len(data))
	}
	for h, want := range map[string]string{
		"Content-Type":            "application/pdf",
		"Content-Disposition":     `attachment; filename="evil_.pdf"`,
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; sandbox",
	} {
		if got := r.header.Get(h); got != want {
			t.Errorf("download %s = %q, want %q", h, got, want)
		}
	}
	if r := e.get(e.other, path+"/attachments/"+file.ID); r.status != http.StatusNotFound {
		t.Errorf("an outsider downloads: %d, want 404", r.status)
	}
	if r := e.get(viewer, path+"/attachments/"+list[0].ID); r.status != http.StatusNotFound {
		t.Errorf("downloading a link: %d, want 404", r.status)
	}
	// An HTML upload comes back as an opaque download.
	e.upload(admin, path+"/objectives/"+obj+"/files", "file", "x.html", []byte("<!DOCTYPE html><script>alert(1)</script>"))
	list, _ = e.store.ListAttachments(context.Background(), e.org.ID, id)
	html := list[len(list)-1]
	if r := e.get(viewer, path+"/attachments/"+html.ID); r.header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("an HTML file is served as %q, want application/octet-stream", r.header.Get("Content-Type"))
	}

	// Removing: the owner (an admin) may remove anyone's, another assessor
	// may not remove the assessor's; the assessor removes their own.
	other := e.user("second@example.com", "Second Assessor")
	if err := e.store.AddMembership(context.Background(), e.org.ID, store.Actor{}, other.ID, csmm.RoleAssessor); err != nil {
		t.Fatal(err)
	}
	if r := e.post(other, path+"/attachments/"+file.ID+"/delete", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("another assessor removes: %d, want 403", r.status)
	}
	if r := e.post(assessor, path+"/attachments/"+file.ID+"/delete", url.Values{}); r.status != http.StatusSeeOther {
		t.Errorf("the adder removes: %d, want 303", r.status)
	}
	if r := e.post(admin, path+"/attachments/"+list[0].ID+"/delete", url.Values{}); r.status != http.StatusSeeOther {
		t.Errorf("an admin removes the assessor's link: %d, want 303", r.status)
	}
	if list, _ := e.store.ListAttachments(context.Background(), e.org.ID, id); len(list) != 1 {
		t.Errorf("%d attachments left, want 1", len(list))
	}
}

// TestReviewMarks marks an answer reviewed as an admin, sees it counted in
// the overview, sees it turn "changed since review" after the answer
// changes, and refuses an assessor.
func TestReviewMarks(t *testing.T) {
	e := newEnv(t)
	path := e.create("Review", "production")
	obj := builtin(t).CategoryObjectives("IAM")[0].ID
	admin, assessor := e.users[csmm.RoleAdmin], e.users[csmm.RoleAssessor]
	save := func(answer, version string) {
		t.Helper()
		r := e.post(assessor, path+"/objectives/"+obj+"/answer", url.Values{"answer-production": {answer}, "version-production": {version}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("save answer: %d, body %.300s", r.status, r.body)
		}
	}
	overview := func() (row, total string) {
		t.Helper()
		doc := e.get(admin, path).doc(t)
		cells := doc.Find("#review-IAM td")
		return strings.Join(cells.Map(func(_ int, s *goquery.Selection) string { return s.Text() }), " "), doc.Find("#review-total").Text()
	}
	if r := e.post(admin, path+"/objectives/"+obj+"/review", url.Values{"scope": {"production"}}); r.status != http.StatusNotFound {
		t.Errorf("reviewing an unanswered objective: %d, want 404", r.status)
	}
	save("most", "0")
	if row, _ := overview(); row != "1 0 0 1" {
		t.Errorf("IAM review counts before the review: %q, want answered 1, unreviewed 1", row)
	}
	if r := e.post(assessor, path+"/objectives/"+obj+"/review", url.Values{"scope": {"production"}, "version": {"1"}}); r.status != http.StatusForbidden {
		t.Errorf("an assessor reviews: %d, want 403", r.status)
	}
	if r := e.post(admin, path+"/objectives/"+obj+"/review", url.Values{"scope": {"production"}, "version": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("review: %d, body %.300s", r.status, r.body)
	}
	row, total := overview()
	if row != "1 1 0 0" || !strings.HasPrefix(total, "1 of 1 answers reviewed") {
		t.Errorf("after the review: row %q, total %q; want 1 reviewed", row, total)
	}
	doc := e.get(assessor, path+"/categories/IAM").doc(t)
	if got := doc.Find(`[id="ev-` + obj + `"] li.review[data-scope="production"]`).Text(); !strings.Contains(got, "reviewed by Admin User on 2026-11-20") {
		t.Errorf("the answering page says %q, want who reviewed and when", got)
	}
	if got := doc.Find(`[id="ev-` + obj + `"] > summary`).Text(); got != "Evidence and review no link or file · reviewed 1 of 1" {
		t.Errorf("the folded line reads %q", got)
	}
	if got := e.get(assessor, path+"/report").doc(t).Find("#review-IAM td").Eq(1).Text(); got != "1" {
		t.Errorf("the report page counts %q reviewed answers in IAM, want 1", got)
	}
	save("yes", "1")
	if row, _ := overview(); row != "1 0 1 0" {
		t.Errorf("after the answer changed: %q, want 1 changed since review", row)
	}
	doc = e.get(admin, path+"/categories/IAM").doc(t)
	li := doc.Find(`[id="ev-` + obj + `"] li.review[data-scope="production"]`)
	if !strings.Contains(li.Text(), "changed since review") || li.Find("button").First().Text() != "Mark reviewed again" {
		t.Errorf("after the change the page says %q", li.Text())
	}
	// A stale page's version is refused.
	if r := e.post(admin, path+"/objectives/"+obj+"/review", url.Values{"scope": {"production"}, "version": {"1"}}); r.status != http.StatusConflict {
		t.Errorf("reviewing an old version: %d, want 409", r.status)
	}
	if r := e.post(admin, path+"/objectives/"+obj+"/review", url.Values{"scope": {"production"}, "clear": {"1"}}); r.status != http.StatusSeeOther {
		t.Errorf("clear: %d", r.status)
	}
	if row, _ := overview(); row != "1 0 0 1" {
		t.Errorf("after clearing: %q, want unreviewed", row)
	}
}
