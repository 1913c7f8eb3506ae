package browsertest

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/store"
)

// TestEvidenceUploadAndReview uploads a file to an objective from the
// answering page, downloads it through the page's link with the browser's
// session and checks its bytes and headers, sees a file over the limit
// refused with the limit named and nothing stored, then marks an answer
// reviewed on the page and finds it counted in the overview, and counted
// as changed once the answer changes.
func TestEvidenceUploadAndReview(t *testing.T) {
	a := newApp(t)
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	path := a.newAssessment("Evidence and review", "production")
	id := path[strings.LastIndex(path, "/")+1:]
	orgID := a.orgID(path)
	obj := m.CategoryObjectives("IAM")[0].ID
	ev := byID("ev-" + obj)

	dir := t.TempDir()
	data := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0, 0xff, '\r', '\n', 0x80}, 3000)...)
	file := filepath.Join(dir, "MFA policy.pdf")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var items string
	a.run("upload",
		chromedp.Navigate(a.base+path+"/categories/IAM"),
		chromedp.WaitVisible(css(objSel(obj))),
		clickJS(ev+` > summary`),
		clickJS(ev+` details.add-evidence summary`),
		chromedp.SetUploadFiles(css(byID("lf-"+obj)), []string{file}),
		clickJS(ev+` form.add-file button`),
		chromedp.WaitVisible(css(ev+` li.attachment`)),
		textJS(ev+` ul.attachments`, &items),
	)
	if !strings.Contains(items, "MFA policy.pdf") || !strings.Contains(items, "added by Olivia Owner on") {
		t.Errorf("the evidence list reads %q, want the file with who added it", items)
	}

	// The page's download link, fetched with the browser's session.
	var got string
	a.run("download", evalInto(`(async function(){
		var a=document.querySelector(`+strconvQuote(ev+` li.attachment a[download]`)+`);
		var r=await fetch(a.href);
		var b=new Uint8Array(await r.arrayBuffer());
		var s="";for(var i=0;i<b.length;i++){s+=String.fromCharCode(b[i])}
		return JSON.stringify({status:r.status,type:r.headers.get("content-type"),disposition:r.headers.get("content-disposition"),
			nosniff:r.headers.get("x-content-type-options"),body:btoa(s)});
	})()`, &got))
	var dl struct {
		Status                           int
		Type, Disposition, Nosniff, Body string
	}
	if err := jsonUnmarshal(got, &dl); err != nil {
		t.Fatal(err)
	}
	body, err := base64.StdEncoding.DecodeString(dl.Body)
	if err != nil {
		t.Fatal(err)
	}
	if dl.Status != 200 || !bytes.Equal(body, data) {
		t.Errorf("download: status %d, %d bytes; want 200 and the %d uploaded bytes", dl.Status, len(body), len(data))
	}
	if dl.Type != "application/pdf" || dl.Disposition != `attachment; filename="MFA policy.pdf"` || dl.Nosniff != "nosniff" {
		t.Errorf("download headers: type %q, disposition %q, nosniff %q", dl.Type, dl.Disposition, dl.Nosniff)
	}

	// A file over the limit is refused with the limit, and nothing stored.
	big := filepath.Join(dir, "big.bin")
	if err := os.WriteFile(big, make([]byte, store.MaxAttachmentBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	var refused string
	a.run("upload over the limit",
		chromedp.Navigate(a.base+path+"/categories/IAM"),
		chromedp.WaitVisible(css(objSel(obj))),
		clickJS(ev+` > summary`),
		clickJS(ev+` details.add-evidence summary`),
		chromedp.SetUploadFiles(css(byID("lf-"+obj)), []string{big}),
		clickJS(ev+` form.add-file button`),
		poll(`document.querySelector("main h1") && document.querySelector("main h1").textContent.indexOf("Too Large") >= 0`),
		textJS(`main`, &refused),
	)
	if !strings.Contains(refused, "The file is larger than the limit of 10.0 MiB per file; nothing was stored") {
		t.Errorf("the refusal reads %q, want the limit named", refused)
	}
	if list, err := a.store.ListAttachments(context.Background(), orgID, id); err != nil || len(list) != 1 {
		t.Errorf("%d attachments after the refused upload (%v), want 1", len(list), err)
	}

	// Review: the answer is given, marked reviewed on the page, counted in
	// the overview, then counted as changed once the answer changes.
	ans, err := a.store.PutAnswer(context.Background(), orgID, store.Actor{}, store.AnswerInput{AssessmentID: id, Objective: obj, Scope: "production", Answer: assess.Most, AnsweredBy: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	rev := ev + ` li.review[data-scope="production"]`
	var mark, row, total string
	a.run("mark reviewed",
		chromedp.Navigate(a.base+path+"/categories/IAM"),
		chromedp.WaitVisible(css(objSel(obj))),
		clickJS(ev+` > summary`),
		chromedp.WaitVisible(css(rev+` button`)),
		clickJS(rev+` button`),
		poll(`(document.querySelector(`+strconvQuote(rev)+`)||{textContent:""}).textContent.indexOf("reviewed by Olivia Owner") >= 0`),
		textJS(rev, &mark),
		chromedp.Navigate(a.base+path),
		chromedp.WaitVisible(css(`#review-IAM`)),
		textOf(`#review-IAM`, &row),
		textOf(`#review-total`, &total),
	)
	if !strings.Contains(mark, "reviewed by Olivia Owner on") {
		t.Errorf("after marking, the page reads %q", mark)
	}
	if !strings.Contains(total, "1 of 1 answers reviewed") || !strings.HasSuffix(strings.Join(strings.Fields(row), " "), " 1 1 0 0") {
		t.Errorf("overview after the review: row %q, total %q; want 1 answered, 1 reviewed", row, total)
	}
	if _, err := a.store.PutAnswer(context.Background(), orgID, store.Actor{}, store.AnswerInput{AssessmentID: id, Objective: obj, Scope: "production", Answer: assess.Yes, AnsweredBy: "Ann", ExpectedVersion: ans.Version}); err != nil {
		t.Fatal(err)
	}
	var changed string
	a.run("changed since review",
		chromedp.Navigate(a.base+path),
		chromedp.WaitVisible(css(`#review-IAM`)),
		textOf(`#review-IAM td.changed`, &changed),
		chromedp.Navigate(a.base+path+"/categories/IAM"),
		chromedp.WaitVisible(css(objSel(obj))),
		clickJS(ev+` > summary`),
		chromedp.WaitVisible(css(rev)),
		textJS(rev, &mark),
	)
	if changed != "1" || !strings.Contains(mark, "changed since review by Olivia Owner") {
		t.Errorf("after the answer changed: overview counts %q changed, the page reads %q", changed, mark)
	}

	// Marked again, then answered on the page: the mark and the summary
	// say "changed since review" after the autosave, without a reload.
	var hint string
	a.run("changed in place",
		clickJS(rev+` button:not([name="clear"])`),
		// The page's script is in place once the document is complete.
		poll(`document.readyState === "complete" && (document.querySelector(`+strconvQuote(rev)+`)||{textContent:""}).textContent.indexOf(": reviewed by Olivia Owner") >= 0`),
		clickJS(label("a-"+obj+"-production-no")),
		poll(`(document.querySelector(`+strconvQuote(rev)+`)||{textContent:""}).textContent.indexOf("changed since review by Olivia Owner") >= 0`),
		textJS(rev, &mark),
		textJS(ev+` > summary .hint`, &hint),
	)
	if !strings.Contains(hint, "reviewed 0 of 1 · 1 changed since review") || !strings.Contains(mark, "Mark reviewed again") {
		t.Errorf("after answering on the page: summary %q, mark %q; want the change counted and the mark offered again", hint, mark)
	}
}
