package browsertest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestManageAssessment renames an assessment, adds and renames a scope and
// removes one after its confirmation, archives the assessment (gone from
// the list, shown by the filter, read-only), restores it and deletes it
// after typing its name, all from the browser; then filters the audit
// log to the renames and reads them as sentences.
func TestManageAssessment(t *testing.T) {
	a := newApp(t)
	path := a.newAssessment("Yearly", "production", "development")
	var notice, question string
	a.run("rename",
		chromedp.Navigate(a.base+path),
		chromedp.WaitVisible(css(`#manage`)),
		clickJS(`#manage`),
		chromedp.WaitVisible(css(`#assessment-name`)),
		setJS(`#assessment-name`, "Yearly review"),
		clickJS(`form[action$="/rename"] button`),
		poll(`location.search.includes("done=renamed")`),
		chromedp.WaitVisible(css(`p.notice`)),
		textOf(`h1`, &notice),
	)
	if notice != "Manage Yearly review" {
		t.Errorf("title after renaming %q, want Manage Yearly review", notice)
	}
	a.run("add a scope",
		setJS(`#new-scope-id`, "staging"),
		setJS(`#new-scope-name`, "Staging"),
		clickJS(`form[aria-labelledby="h-add-scope"] button`),
		poll(`location.search.includes("done=scope-added")`),
		chromedp.WaitVisible(css(`#scope-staging`)),
		setJS(`#scope-name-production`, "Production"),
		clickJS(`#scope-production button`),
		poll(`location.search.includes("done=scope-saved")`),
		chromedp.WaitVisible(css(`#scope-development a.remove`)),
		clickJS(`#scope-development a.remove`),
		chromedp.WaitVisible(css(`#confirm-button`)),
		textOf(`#question`, &question),
	)
	if question != "Remove the scope “development” from “Yearly review”?" {
		t.Errorf("confirmation %q", question)
	}
	var scopes string
	a.run("remove development",
		clickJS(`#confirm-button`),
		poll(`location.search.includes("done=scope-removed")`),
		chromedp.WaitVisible(css(`#scope-staging`)),
		evalInto(`Array.from(document.querySelectorAll("table.scopes tbody tr")).map(function(r){return r.id}).join(",")`, &scopes),
	)
	if scopes != "scope-production,scope-staging" {
		t.Errorf("scopes after the removal %q, want production and staging", scopes)
	}
	// The overview names the scopes, not their IDs.
	var heads string
	a.run("overview heads",
		chromedp.Navigate(a.base+path),
		chromedp.WaitVisible(css(`table.overview`)),
		evalInto(`Array.from(document.querySelectorAll("table.overview thead th")).slice(5).map(function(h){return h.textContent}).join(",")`, &heads),
	)
	if heads != "Production,Staging" {
		t.Errorf("overview scope columns %q, want Production,Staging", heads)
	}

	var listed, archivedList, overviewNote string
	var answerButtons int
	org := strings.Join(strings.Split(path, "/")[:3], "/")
	a.run("archive",
		chromedp.Navigate(a.base+path+"/manage"),
		chromedp.WaitVisible(css(`#archive`)),
		clickJS(`#archive`),
		poll(`location.search.includes("done=archived")`),
		chromedp.WaitVisible(css(`#restore`)),
		chromedp.Navigate(a.base+org+"/assessments"),
		chromedp.WaitVisible(css(`#archived-toggle`)),
		evalInto(`document.querySelector("main").textContent`, &listed),
		clickJS(`#archived-toggle`),
		poll(`location.search.includes("archived=1")`),
		chromedp.WaitVisible(css(`tr.archived`)),
		textOf(`tr.archived .status`, &archivedList),
		chromedp.Navigate(a.base+path),
		chromedp.WaitVisible(css(`#archived-note`)),
		textOf(`#archived-note`, &overviewNote),
		chromedp.Navigate(a.base+path+"/categories/IAM"),
		chromedp.WaitVisible(css(`article.objective`)),
		keep(chromedp.Evaluate[int](`document.querySelectorAll("form.answer input:not([type=hidden]), .state button").length`), &answerButtons),
	)
	if strings.Contains(listed, "Yearly review") {
		t.Error("the archived assessment is in the default list")
	}
	if !strings.HasPrefix(archivedList, "Archived") || !strings.Contains(overviewNote, "read-only") {
		t.Errorf("archived status %q, overview note %q", archivedList, overviewNote)
	}
	if answerButtons != 0 {
		t.Errorf("the archived assessment's category page has %d answer controls, want none", answerButtons)
	}

	var afterDelete string
	a.run("restore and delete",
		chromedp.Navigate(a.base+path+"/manage"),
		chromedp.WaitVisible(css(`#restore`)),
		clickJS(`#restore`),
		poll(`location.search.includes("done=restored")`),
		chromedp.WaitVisible(css(`#delete`)),
		clickJS(`#delete`),
		chromedp.WaitVisible(css(`#confirm`)),
		textOf(`#question`, &question),
		setJS(`#confirm`, "Yearly"),
		clickJS(`#confirm-button`),
		chromedp.WaitVisible(css(`p.error`)),
		setJS(`#confirm`, "Yearly review"),
		clickJS(`#confirm-button`),
		poll(`location.search.includes("done=deleted")`),
		chromedp.WaitVisible(css(`p.notice`)),
		textOf(`p.notice`, &afterDelete),
	)
	if question != "Delete the assessment “Yearly review”?" || afterDelete != "The assessment was deleted." {
		t.Errorf("delete: question %q, notice %q", question, afterDelete)
	}

	var sentences string
	a.run("audit filtered to renames",
		chromedp.Navigate(a.base+org+"/settings/audit"),
		chromedp.WaitVisible(css(`#f-action`)),
		setJS(`#f-action`, "assessment.update"),
		clickJS(`form.audit-filter button`),
		poll(`location.search.includes("action=assessment.update")`),
		chromedp.WaitVisible(css(`#clear-filter`)),
		evalInto(`Array.from(document.querySelectorAll("table.audit .sentence")).map(function(s){return s.textContent}).join("\n")`, &sentences),
	)
	if sentences != "Olivia Owner renamed the assessment “Yearly” to “Yearly review”" {
		t.Errorf("renames in the audit log:\n%s", sentences)
	}
}

// phoneFitJS measures a page against the viewport: the document's scroll
// width, and every element whose right edge is beyond the viewport and
// which is not inside a horizontal scroll container that shows its own
// scroll cue (overflow-x auto or scroll on a .scroll box, a table or a
// chart's figure).
const phoneFitJS = `(function(){
var vw=window.innerWidth, out={scrollWidth:document.documentElement.scrollWidth,innerWidth:vw,over:[]};
function scroller(p){var o=getComputedStyle(p).overflowX;return (o==="auto"||o==="scroll")&&(p.classList.contains("scroll")||p.tagName==="TABLE"||p.tagName==="FIGURE"||p.tagName==="PRE")}
document.querySelectorAll("body *").forEach(function(e){
  var r=e.getBoundingClientRect(); if(r.width===0||r.height===0||r.right<=vw+0.5){return}
  for(var p=e.parentElement;p&&p!==document.body;p=p.parentElement){if(scroller(p)){return}}
  out.over.push(e.tagName.toLowerCase()+(e.id?"#"+e.id:"")+(e.className&&typeof e.className==="string"?"."+e.className.split(" ").join("."):"")+" to "+Math.round(r.right)+" px");
});
return JSON.stringify(out);
})()`

// TestPhoneLayouts opens the tokens page, the report and the other pages
// with tables at 390 px: the document is no wider than the viewport and
// no element reaches past it, except inside a scroll box with its cue.
func TestPhoneLayouts(t *testing.T) {
	a := newApp(t)
	path := a.newAssessment("Phone layouts with a long assessment name", "production", "development-environment")
	org := strings.Join(strings.Split(path, "/")[:3], "/")
	a.run("a token to list",
		chromedp.Navigate(a.base+org+"/settings/tokens"),
		chromedp.WaitVisible(css(`#token-name`)),
		chromedp.SendKeys(css(`#token-name`), "a rather long token name for the phone layout check"),
		clickJS(`main form button[type="submit"]`),
		chromedp.WaitVisible(css(`#token-secret`)),
	)
	pages := []struct{ name, path, wait string }{
		{"tokens", org + "/settings/tokens", `#token-name`},
		{"report", path + "/report", `#charts svg`},
		{"assessments", org + "/assessments", `table.list`},
		{"overview", path, `table.overview`},
		{"manage", path + "/manage", `table.scopes`},
		{"audit", org + "/settings/audit", `table.audit`},
		{"members", org + "/settings/members", `table.members`},
	}
	a.run("phone", chromedp.EmulateViewport(390, 844))
	for _, p := range pages {
		var raw string
		a.run(p.name,
			chromedp.Navigate(a.base+p.path),
			chromedp.WaitVisible(css(p.wait)),
			evalInto(phoneFitJS, &raw),
		)
		var got struct {
			ScrollWidth int      `json:"scrollWidth"`
			InnerWidth  int      `json:"innerWidth"`
			Over        []string `json:"over"`
		}
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatal(err)
		}
		if got.InnerWidth != 390 {
			t.Fatalf("%s: viewport %d px, want 390", p.name, got.InnerWidth)
		}
		if got.ScrollWidth > got.InnerWidth {
			t.Errorf("%s: the document is %d px wide at a %d px viewport", p.name, got.ScrollWidth, got.InnerWidth)
		}
		if len(got.Over) > 0 {
			t.Errorf("%s: %d element(s) reach past the viewport: %s", p.name, len(got.Over), strings.Join(got.Over[:min(len(got.Over), 8)], "; "))
		}
	}
}
