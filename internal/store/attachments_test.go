package store

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/google/go-cmp/cmp"
)

// TestAttachments adds a link and a file to an objective, reads them back
// with the file's bytes, refuses bad links, an empty file and one over the
// limit (storing nothing), keeps another organization out, lets only the
// adder or an admin remove them, and audits each change.
func TestAttachments(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "alpha")
		id := f.assessment.ID
		rev0, err := s.AssessmentRevision(ctx, f.org.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		link, err := s.AddLink(ctx, f.org.ID, f.actor, id, "IAM-1.1", " https://wiki.example.com/iam?x=1 ", "IAM runbook")
		if err != nil {
			t.Fatal(err)
		}
		pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 1000)...)
		file, err := s.AddFile(ctx, f.org.ID, f.actor, id, "IAM-1.1", `C:\scans\report "final".pdf`, pdf)
		if err != nil {
			t.Fatal(err)
		}
		if file.Title != "report _final_.pdf" || file.ContentType != "application/pdf" || file.Size != int64(len(pdf)) {
			t.Errorf("file %+v: want the base name with quotes replaced, application/pdf and %d bytes", file, len(pdf))
		}
		html, err := s.AddFile(ctx, f.org.ID, f.actor, id, "NET-1.1", "page.html", []byte("<html><script>alert(1)</script></html>"))
		if err != nil {
			t.Fatal(err)
		}
		if html.ContentType != "application/octet-stream" {
			t.Errorf("an HTML file is served as %q, want application/octet-stream", html.ContentType)
		}
		if rev, _ := s.AssessmentRevision(ctx, f.org.ID, id); rev != rev0+3 {
			t.Errorf("revision %d after three additions, want %d: reports must see new evidence", rev, rev0+3)
		}

		list, err := s.ListAttachments(ctx, f.org.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		want := []Attachment{*link, *file, *html}
		if diff := cmp.Diff(want, list, cmp.Comparer(func(a, b Attachment) bool {
			return a.ID == b.ID && a.Kind == b.Kind && a.Title == b.Title && a.URL == b.URL && a.Objective == b.Objective &&
				a.AddedBy == b.AddedBy && a.AddedByName == b.AddedByName && a.Added.Equal(b.Added) && a.Size == b.Size
		})); diff != "" {
			t.Errorf("ListAttachments (-want +got):\n%s", diff)
		}
		if link.URL != "https://wiki.example.com/iam?x=1" || link.AddedByName != "Owner of alpha" || link.AddedBy != f.owner.ID {
			t.Errorf("link %+v: want the trimmed URL, added by the owner", link)
		}
		got, data, err := s.AttachmentContent(ctx, f.org.ID, id, file.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, pdf) || got.Title != file.Title {
			t.Errorf("content of %s: %d bytes, title %q; want the %d uploaded bytes", file.ID, len(data), got.Title, len(pdf))
		}

		for _, tc := range []struct{ url, title, code string }{
			{"javascript:alert(1)", "x", csmm.EINVALID},
			{"ftp://example.com/file", "x", csmm.EINVALID},
			{"https://", "x", csmm.EINVALID},
			{"", "x", csmm.EINVALID},
			{"https://example.com/" + strings.Repeat("a", MaxURL), "x", csmm.EINVALID},
			{"https://example.com/", "bad\x01title", csmm.EINVALID},
		} {
			if _, err := s.AddLink(ctx, f.org.ID, f.actor, id, "IAM-1.1", tc.url, tc.title); csmm.ErrorCode(err) != tc.code {
				t.Errorf("AddLink(%.40q, %q): %v, want %s", tc.url, tc.title, err, tc.code)
			}
		}
		if _, err := s.AddFile(ctx, f.org.ID, f.actor, id, "IAM-1.1", "big.bin", make([]byte, MaxAttachmentBytes+1)); csmm.ErrorCode(err) != csmm.ETOOLARGE {
			t.Errorf("a file one byte over the limit: %v, want too_large", err)
		}
		if _, err := s.AddFile(ctx, f.org.ID, f.actor, id, "IAM-1.1", "empty.txt", nil); csmm.ErrorCode(err) != csmm.EINVALID {
			t.Errorf("an empty file: %v, want invalid", err)
		}
		if list, _ := s.ListAttachments(ctx, f.org.ID, id); len(list) != 3 {
			t.Errorf("%d attachments after refused ones, want 3: a refused upload stores nothing", len(list))
		}

		other := newFixture(t, s, "beta")
		if _, err := s.ListAttachments(ctx, other.org.ID, id); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("another organization lists: %v, want not_found", err)
		}
		if _, err := s.GetAttachment(ctx, other.org.ID, id, file.ID); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("another organization gets: %v, want not_found", err)
		}
		if got, err := s.GetAttachment(ctx, f.org.ID, id, link.ID); err != nil || got.URL != link.URL {
			t.Errorf("GetAttachment(link) = %+v, %v", got, err)
		}
		if _, _, err := s.AttachmentContent(ctx, other.org.ID, id, file.ID); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("another organization downloads: %v, want not_found", err)
		}
		if _, _, err := s.AttachmentContent(ctx, other.org.ID, other.assessment.ID, file.ID); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("download through another organization's assessment: %v, want not_found", err)
		}
		if _, err := s.AddLink(ctx, other.org.ID, other.actor, id, "IAM-1.1", "https://example.com", ""); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("another organization adds: %v, want not_found", err)
		}
		if err := s.DeleteAttachment(ctx, other.org.ID, other.actor, id, file.ID, true); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("another organization deletes: %v, want not_found", err)
		}

		// Another member may not remove it; an admin (anyone) may.
		u, err := s.CreateUser(ctx, Actor{}, "member@example.com", "Member", "hash")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddMembership(ctx, f.org.ID, f.actor, u.ID, csmm.RoleAssessor); err != nil {
			t.Fatal(err)
		}
		member := Actor{UserID: u.ID}
		if err := s.DeleteAttachment(ctx, f.org.ID, member, id, link.ID, false); csmm.ErrorCode(err) != csmm.EFORBIDDEN {
			t.Errorf("another member removes: %v, want forbidden", err)
		}
		if err := s.DeleteAttachment(ctx, f.org.ID, f.actor, id, link.ID, false); err != nil {
			t.Errorf("the adder removes: %v", err)
		}
		if err := s.DeleteAttachment(ctx, f.org.ID, member, id, html.ID, true); err != nil {
			t.Errorf("an admin removes: %v", err)
		}
		if list, _ := s.ListAttachments(ctx, f.org.ID, id); len(list) != 1 || list[0].ID != file.ID {
			t.Errorf("after two removals: %+v, want only the PDF", list)
		}

		page, err := s.ListAudit(ctx, f.org.ID, AuditFilter{TargetType: "attachment"})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range page.Entries {
			actions = append(actions, e.Action)
		}
		if diff := cmp.Diff([]string{"attachment.delete", "attachment.delete", "attachment.add", "attachment.add", "attachment.add"}, actions); diff != "" {
			t.Errorf("audited actions, newest first (-want +got):\n%s", diff)
		}
		// Deleting the assessment deletes its evidence.
		if err := s.DeleteAssessment(ctx, f.org.ID, f.actor, id); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.AttachmentContent(ctx, f.org.ID, id, file.ID); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("a deleted assessment's file: %v, want not_found", err)
		}
	})
}

// TestReviews marks an answer reviewed, sees the mark stop holding when the
// answer changes (also when it is deleted and given again at the same
// version), marks it again, clears it, and keeps other organizations out.
func TestReviews(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "alpha")
		id := f.assessment.ID
		if _, err := s.MarkReviewed(ctx, f.org.ID, f.actor, id, "IAM-1.1", "production", 0); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("reviewing no answer: %v, want not_found", err)
		}
		put := func(answer assess.Answer, version int) *Answer {
			t.Helper()
			a, err := s.PutAnswer(ctx, f.org.ID, f.actor, AnswerInput{AssessmentID: id, Objective: "IAM-1.1", Scope: "production", Answer: answer, AnsweredBy: "Ann", ExpectedVersion: version})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		state := func() string {
			t.Helper()
			rs, err := s.ListReviews(ctx, f.org.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			a, err := s.GetAnswer(ctx, f.org.ID, id, "IAM-1.1", "production")
			if csmm.ErrorCode(err) == csmm.ENOTFOUND {
				a = nil
			} else if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				if r.Objective == "IAM-1.1" && r.Scope == "production" {
					got := ReviewState(&r, a)
					if want := map[string]string{ReviewDone: ReviewDone, ReviewChanged: ReviewChanged, ReviewNone: ReviewChanged}[got]; r.State != want {
						t.Errorf("ListReviews gives the state %q, want %q", r.State, want)
					}
					return got
				}
			}
			return ReviewState(nil, a)
		}
		a := put(assess.Most, 0)
		if _, err := s.MarkReviewed(ctx, f.org.ID, f.actor, id, "IAM-1.1", "production", a.Version+1); csmm.ErrorCode(err) != csmm.ECONFLICT {
			t.Errorf("reviewing a version that is not the stored one: %v, want conflict", err)
		}
		r, err := s.MarkReviewed(ctx, f.org.ID, f.actor, id, "IAM-1.1", "production", a.Version)
		if err != nil {
			t.Fatal(err)
		}
		if r.ReviewerName != "Owner of alpha" || r.ReviewedBy != f.owner.ID || r.AnswerVersion != 1 {
			t.Errorf("review %+v: want the owner's name and ID, answer version 1", r)
		}
		if got := state(); got != ReviewDone {
			t.Errorf("after marking: %s, want reviewed", got)
		}
		a = put(assess.Yes, a.Version)
		if got := state(); got != ReviewChanged {
			t.Errorf("after the answer changed: %s, want changed", got)
		}
		if _, err := s.MarkReviewed(ctx, f.org.ID, f.actor, id, "IAM-1.1", "production", 0); err != nil {
			t.Fatal(err)
		}
		if got := state(); got != ReviewDone {
			t.Errorf("after marking again: %s, want reviewed", got)
		}
		// Deleted and answered again: version 1 again, at another time.
		if err := s.DeleteAnswer(ctx, f.org.ID, f.actor, id, "IAM-1.1", "production", a.Version); err != nil {
			t.Fatal(err)
		}
		if got := state(); got != ReviewNone {
			t.Errorf("after the answer was deleted: %s, want unreviewed", got)
		}
		a = put(assess.No, 0)
		if _, err := s.MarkReviewed(ctx, f.org.ID, f.actor, id, "IAM-1.1", "production", a.Version); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteAnswer(ctx, f.org.ID, f.actor, id, "IAM-1.1", "production", a.Version); err != nil {
			t.Fatal(err)
		}
		if again := put(assess.No, 0); again.Version != a.Version {
			t.Fatalf("the answer given again has version %d, want %d", again.Version, a.Version)
		}
		if got := state(); got != ReviewChanged {
			t.Errorf("an answer given again at the reviewed version: %s, want changed", got)
		}

		other := newFixture(t, s, "beta")
		if _, err := s.ListReviews(ctx, other.org.ID, id); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("another organization lists: %v, want not_found", err)
		}
		if _, err := s.MarkReviewed(ctx, other.org.ID, other.actor, id, "IAM-1.1", "production", 0); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("another organization marks: %v, want not_found", err)
		}
		if err := s.ClearReview(ctx, other.org.ID, other.actor, id, "IAM-1.1", "production"); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("another organization clears: %v, want not_found", err)
		}
		if err := s.ClearReview(ctx, f.org.ID, f.actor, id, "IAM-1.1", "production"); err != nil {
			t.Fatal(err)
		}
		if err := s.ClearReview(ctx, f.org.ID, f.actor, id, "IAM-1.1", "production"); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("clearing twice: %v, want not_found", err)
		}
		if got := state(); got != ReviewNone {
			t.Errorf("after clearing: %s, want unreviewed", got)
		}
		page, err := s.ListAudit(ctx, f.org.ID, AuditFilter{Action: "answer.review"})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) != 3 {
			t.Errorf("%d answer.review entries, want 3 (one per mark)", len(page.Entries))
		}
	})
}

// TestFileName checks how an uploaded file's name is cleaned.
func TestFileName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{`C:\Users\me\scan.png`, "scan.png"},
		{"../../etc/passwd", "passwd"},
		{"a\"b;c\x00d.txt", "a_b_c_d.txt"},
		{"", "attachment"},
		{"..", "attachment"},
		{"/", "attachment"},
		{strings.Repeat("é", 300), strings.Repeat("é", 200)},
	} {
		if got := FileName(tc.in); got != tc.want {
			t.Errorf("FileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
