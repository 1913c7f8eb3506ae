package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/report"
)

// objSel selects an objective's article on the category page.
func objSel(id string) string { return byID("obj-" + id) }

// TestAnswerUpdatesInPlace answers by autosave and by the Save button and
// checks that the objective's status, each scope's line, the progress and
// the category's score change on the page without a reload, and that Not
// applicable without a justification marks the field itself.
func TestAnswerUpdatesInPlace(t *testing.T) {
	a := newApp(t)
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	path := a.newAssessment("In place", "production", "development")
	objs := m.CategoryObjectives("IAM")
	o := objs[0]
	a.run("open IAM",
		chromedp.Navigate(a.base+path+"/categories/IAM"),
		chromedp.WaitVisible(css(`form.answer`)),
		setFlag(`window.notReloaded = true`),
	)
	var status, before, count string
	a.run("before", textOf(objSel(o.ID)+` [data-role="status"]`, &before))
	if before != "Unanswered" {
		t.Errorf("status before answering %q, want Unanswered", before)
	}
	yes := "yes"
	a.run("answer production",
		clickJS(label("a-"+o.ID+"-production-"+yes)),
		poll(fmt.Sprintf(`document.querySelector(%q).textContent === "Saved."`, objSel(o.ID)+` .save-status`)),
		textOf(objSel(o.ID)+` fieldset[data-scope="production"] [data-role="who"]`, &status),
		textOf(`#category-progress .progress[data-scope="production"] .count`, &count),
	)
	if !strings.HasPrefix(status, "Answered by Olivia Owner on ") {
		t.Errorf("production line after the save %q, want Answered by Olivia Owner on …", status)
	}
	if want := fmt.Sprintf("1/%d", len(objs)); count != want {
		t.Errorf("production progress %q, want %q", count, want)
	}
	var dev string
	a.run("development untouched", textOf(objSel(o.ID)+` fieldset[data-scope="development"] [data-role="who"]`, &dev))
	if dev != "Not answered yet" {
		t.Errorf("development line %q, want Not answered yet", dev)
	}
	// The Save button saves without reloading the page.
	var after string
	a.run("save button",
		clickJS(label("a-"+o.ID+"-development-"+yes)),
		chromedp.Sleep(0),
		poll(fmt.Sprintf(`document.querySelector(%q).textContent === "Saved."`, objSel(o.ID)+` .save-status`)),
		clickJS(objSel(o.ID)+` details.note summary`),
		setJS(byID("n-"+o.ID+"-development"), "checked in the console"),
		clickJS(objSel(o.ID)+` .state button`),
		poll(fmt.Sprintf(`document.querySelector(%q).textContent === "Saved." && window.notReloaded === true`, objSel(o.ID)+` .save-status`)),
		textOf(objSel(o.ID)+` [data-role="status"]`, &after),
	)
	if !strings.HasPrefix(after, "Answered") {
		t.Errorf("status after answering both scopes %q, want Answered…", after)
	}
	// The category's score in the page header is the score API's.
	for _, x := range objs[1:5] {
		if x.Binary() {
			continue
		}
		a.run("answer "+x.ID,
			clickJS(label("a-"+x.ID+"-production-yes")),
			clickJS(label("a-"+x.ID+"-development-yes")),
			poll(fmt.Sprintf(`document.querySelector(%q).value === "1" && document.querySelector(%q).textContent === "Saved."`,
				objSel(x.ID)+` input[name="version-development"]`, objSel(x.ID)+` .save-status`)),
		)
	}
	var shown, apiJSON, reloaded string
	slug := strings.Split(path, "/")[2]
	id := strings.Split(path, "/")[4]
	a.run("score",
		textOf(`#category-score`, &shown),
		evalInto(fmt.Sprintf(`fetch(%q).then(r => r.text())`, "/api/v1/orgs/"+slug+"/assessments/"+id+"/score"), &apiJSON),
		evalInto(`String(window.notReloaded)`, &reloaded),
	)
	var res assess.Result
	if err := jsonUnmarshal(apiJSON, &res); err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Categories {
		if c.ID == "IAM" && report.Display(c.Score) != shown {
			t.Errorf("header score %q, score API %s", shown, report.Display(c.Score))
		}
		if c.ID == "IAM" && c.Score <= 1 {
			t.Errorf("IAM score %v: the answers did not count", c.Score)
		}
	}
	if reloaded != "true" {
		t.Error("the page was reloaded")
	}

	// Not applicable without a justification marks the field, unsaved.
	na := objs[6]
	var invalid, msg, version string
	a.run("na without justification",
		clickJS(label("a-"+na.ID+"-production-na")),
		chromedp.WaitVisible(css(byID("j-"+na.ID+"-production"))),
		attrOf(byID("j-"+na.ID+"-production"), "aria-invalid", &invalid),
		textOf(byID("je-"+na.ID+"-production"), &msg),
		attrOf(objSel(na.ID)+` input[name="version-production"]`, "value", &version),
	)
	if invalid != "true" || !strings.Contains(msg, "justification") || version != "0" {
		t.Errorf("N/A without justification: aria-invalid=%q message %q version %q; want true, a message, 0", invalid, msg, version)
	}
	a.run("justify",
		chromedp.SendKeys(css(byID("j-"+na.ID+"-production")), "no human users in production"),
		poll(fmt.Sprintf(`document.querySelector(%q).value === "1"`, objSel(na.ID)+` input[name="version-production"]`)),
		poll(fmt.Sprintf(`!document.querySelector(%q).hasAttribute("aria-invalid")`, byID("j-"+na.ID+"-production"))),
	)
}

// TestKeyboardAnswering answers a whole category in one scope with the
// keyboard only, one key per objective, then continues to the next
// unanswered objective in the next category. It logs the key presses and
// the page height at 1366 px.
func TestKeyboardAnswering(t *testing.T) {
	a := newApp(t)
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	path := a.newAssessment("Keyboard", "production")
	objs := m.CategoryObjectives("IAM")
	var height string
	a.run("open IAM",
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(a.base+path+"/categories/IAM"),
		chromedp.WaitVisible(css(`form.answer`)),
		evalInto(`String(document.documentElement.scrollHeight)`, &height),
	)
	keys := "54321"
	presses := 0
	want := map[string]string{}
	for i, o := range objs {
		k := string(keys[i%len(keys)])
		if o.Binary() && k != "1" && k != "5" {
			k = "5"
		}
		want[o.ID] = map[string]string{"1": "no", "2": "some", "3": "half", "4": "most", "5": "yes"}[k]
		a.run("key for "+o.ID,
			poll(fmt.Sprintf(`document.activeElement === document.body || !!document.activeElement.closest(%q)`, objSel(o.ID))),
			chromedp.KeyEvent(k),
		)
		presses++
	}
	a.run("all saved", poll(`[].every.call(document.querySelectorAll(".save-status"), function(e){return e.textContent === "Saved."})`))
	// After the last objective the focus is on Continue; previous and
	// next move it between objectives.
	var focused string
	a.run("on continue", evalInto(`document.activeElement.id`, &focused))
	if focused != "continue" {
		t.Errorf("after the last objective the focus is on %q, want the Continue link", focused)
	}
	a.run("previous", chromedp.KeyEvent("k"), chromedp.KeyEvent("k"),
		evalInto(`document.activeElement.closest("article").dataset.objective`, &focused))
	if focused != objs[len(objs)-2].ID {
		t.Errorf("after k k the focus is on %q, want %s", focused, objs[len(objs)-2].ID)
	}
	a.run("next", chromedp.KeyEvent("j"), evalInto(`document.activeElement.closest("article").dataset.objective`, &focused))
	if focused != objs[len(objs)-1].ID {
		t.Errorf("after j the focus is on %q, want %s", focused, objs[len(objs)-1].ID)
	}
	ans, err := a.store.ListAnswers(a.ctx, a.orgID(path), strings.Split(path, "/")[4])
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, an := range ans {
		got[an.Objective] = string(an.Answer)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s answered %q by key, want %q", id, got[id], w)
		}
	}
	t.Logf("IAM, one scope, 1366 px, compact layout: %d key presses for %d objectives, page height %s px", presses, len(objs), height)

	// Continue goes on to the first unanswered objective of the next category.
	next := m.Categories[1]
	for i, c := range m.Categories {
		if c.ID == "IAM" && i+1 < len(m.Categories) {
			next = m.Categories[i+1]
		}
	}
	first := m.CategoryObjectives(next.ID)[0]
	var loc, cur string
	a.run("continue",
		chromedp.KeyEvent("c"),
		poll(fmt.Sprintf(`location.pathname.endsWith("/categories/%s") && location.hash === "#obj-%s"`, next.ID, first.ID)),
		poll(`!!document.querySelector("article.current")`),
		locationOf(&loc),
		evalInto(`document.querySelector("article.current").dataset.objective`, &cur),
	)
	if cur != first.ID {
		t.Errorf("after Continue the current objective is %q, want %s (at %s)", cur, first.ID, loc)
	}
	if os.Getenv("CSMM_SCREENSHOTS") != "" {
		var png []byte
		a.run("screenshot", keep(chromedp.FullScreenshot(100), &png))
		_ = os.WriteFile(filepath.Join(os.Getenv("CSMM_SCREENSHOTS"), "category.png"), png, 0o644)
	}
}
