package browsertest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// download fetches a path of the app with the browser's session cookies.
func (a *app) download(path string) []byte {
	a.t.Helper()
	var cookies []*network.Cookie
	a.run("cookies", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{a.base}})
		cookies = res.Cookies
		return err
	}))
	jar, _ := cookiejar.New(nil)
	bu, _ := url.Parse(a.base)
	for _, c := range cookies {
		jar.SetCookies(bu, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: c.Path}})
	}
	resp, err := (&http.Client{Jar: jar, Timeout: 2 * time.Minute}).Get(a.base + path)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		a.t.Fatalf("download %s: status %d, %v: %.300s", path, resp.StatusCode, err, b)
	}
	return b
}

// pdfPages returns the text of each page of a PDF, as pdftotext extracts
// it. Without pdftotext (poppler-utils) the test skips, or fails under CI=true.
func pdfPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	p, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and pdftotext (poppler-utils) is missing: %v", err)
		}
		t.Skipf("skipping: pdftotext (poppler-utils) is missing: %v", err)
	}
	f := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(p, "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Split(strings.TrimRight(string(out), "\f\n"), "\f")
}

// TestRoadmapStatusInBrowser gives a roadmap objective an owner, a past due
// date, a status and a ticket on the roadmap page, finds it overdue on the
// overview, marks it done, and finds the progress on the overview, the
// report page and page 1 of the PDF, whose pages are numbered and named
// after the assessment, with the next section starting on page 2.
func TestRoadmapStatusInBrowser(t *testing.T) {
	a := newApp(t)
	path := a.newAssessment("Roadmap board", "production")
	var obj string
	a.run("roadmap page",
		chromedp.Navigate(a.base+path),
		chromedp.WaitVisible(css(`a[href$="/roadmap"]`)),
		clickJS(`nav.actions a[href$="/roadmap"]`),
		chromedp.WaitVisible(css(`table.roadmap tbody tr`)),
		evalInto(`document.querySelector("table.roadmap tbody tr").id.replace("item-","")`, &obj),
	)
	if obj == "" {
		t.Fatal("the roadmap lists no objective")
	}
	past := time.Now().UTC().AddDate(0, 0, -10).Format(time.DateOnly)
	row := byID("item-" + obj)
	save := func(step, status string) {
		a.run(step,
			setJS(byID("status-"+obj), status),
			setJS(byID("due-"+obj), past),
			setJS(byID("ticket-"+obj), "https://tracker.example/SEC-42"),
			setFlag(`var s=document.querySelector(`+strconvQuote(byID("owner-"+obj))+`);for(var i=0;i<s.options.length;i++){if(s.options[i].text==="Olivia Owner"){s.selectedIndex=i}}`),
			clickJS(row+` button[type="submit"]`),
			poll(`location.search.includes("saved=")`),
			chromedp.WaitVisible(css(row)),
		)
	}
	save("save in progress", "in_progress")
	var rowClass, overdue, done string
	a.run("roadmap after save", evalInto(`document.querySelector(`+strconvQuote(row)+`).className`, &rowClass))
	if rowClass != "overdue" {
		t.Errorf("the saved row's class %q, want overdue", rowClass)
	}
	a.run("overview overdue",
		chromedp.Navigate(a.base+path),
		chromedp.WaitVisible(css(`#overdue`)),
		textOf(`#overdue`, &overdue),
		textOf(`#roadmap-done`, &done),
	)
	if !strings.Contains(overdue, obj) || !strings.Contains(overdue, "due "+past) || !strings.Contains(overdue, "Olivia Owner") {
		t.Errorf("the overview's overdue list %q lacks %s due %s, owned by Olivia Owner", overdue, obj, past)
	}
	if !strings.HasPrefix(done, "0 of ") {
		t.Errorf("overview roadmap progress %q, want 0 done", done)
	}

	a.run("back to the roadmap", chromedp.Navigate(a.base+path+"/roadmap"), chromedp.WaitVisible(css(row)))
	save("save done", "done")
	a.run("overview done",
		chromedp.Navigate(a.base+path),
		chromedp.WaitVisible(css(`#overdue`)),
		textOf(`#overdue`, &overdue),
		textOf(`#roadmap-done`, &done),
	)
	if strings.Contains(overdue, obj) {
		t.Errorf("the overview still lists %s overdue once done: %q", obj, overdue)
	}
	if !strings.HasPrefix(done, "1 of ") {
		t.Errorf("overview roadmap progress %q, want 1 done", done)
	}
	var progress, work, summary string
	a.run("report",
		chromedp.Navigate(a.base+path+"/report"),
		chromedp.WaitVisible(css(`#roadmap-progress`)),
		textOf(`#roadmap-progress`, &progress),
		textOf(byID("work-"+obj), &work),
		textOf(`#summary-next-phase`, &summary),
	)
	if !strings.Contains(progress, "1 of ") || !strings.Contains(work, "done") || !strings.Contains(work, "Olivia Owner") {
		t.Errorf("report: progress %q, %s %q; want 1 done, and done by Olivia Owner", progress, obj, work)
	}
	if !strings.Contains(summary, "Work: 1 of ") {
		t.Errorf("the report's summary of the next phase %q lacks its work", summary)
	}

	var href string
	a.run("pdf link", attrOf(`.exports a[href*="/export/pdf"]`, "href", &href))
	pages := pdfPages(t, a.download(href))
	if len(pages) < 3 {
		t.Fatalf("the PDF has %d pages", len(pages))
	}
	one := strings.Join(strings.Fields(pages[0]), " ")
	for _, want := range []string{"Executive summary", "Scores against targets", "Largest gaps", "Next phase", "Work: 1 of ", "Trend", "Page 1 of"} {
		if !strings.Contains(one, want) {
			t.Errorf("page 1 of the PDF lacks %q:\n%s", want, pages[0])
		}
	}
	if second := strings.TrimSpace(pages[1]); !strings.HasPrefix(second, "How the score is computed") {
		t.Errorf("page 2 starts with %.80q, want the next section", second)
	}
	for i, p := range pages {
		if want := fmt.Sprintf("Page %d of %d", i+1, len(pages)); !strings.Contains(p, want) || !strings.Contains(p, "Roadmap board") {
			t.Errorf("page %d's footer lacks %q or the assessment's name", i+1, want)
		}
	}
}
