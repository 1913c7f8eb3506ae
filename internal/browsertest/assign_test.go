package browsertest

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
)

// TestAssignmentAndMine checks that an admin assigns a category and one
// objective of another category to a member on the overview, that the
// overview shows who owns what with their progress, and that the member
// finds exactly those objectives under "Assigned to me".
func TestAssignmentAndMine(t *testing.T) {
	a := newApp(t)
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	path := a.newAssessment("Assigned", "production")
	a.addMember(path, "ana@zephyr.example", "Ana Assessor", csmm.RoleAssessor)
	var owner string
	a.run("assign IAM",
		chromedp.Navigate(a.base+path),
		chromedp.WaitVisible(css(`#owner-IAM`)),
		setFlag(`var s=document.querySelector("#owner-IAM");for(var i=0;i<s.options.length;i++){if(s.options[i].text==="Ana Assessor"){s.selectedIndex=i}}`),
		clickJS(`#cat-IAM form.assign button`),
		poll(`location.search.includes("assigned=IAM")`),
		chromedp.WaitVisible(css(`#owner-IAM`)),
		evalInto(`document.querySelector("#owner-IAM").selectedOptions[0].text`, &owner),
	)
	if owner != "Ana Assessor" {
		t.Errorf("IAM owner on the overview %q, want Ana Assessor", owner)
	}
	// The overview sums up who owns what and how far they are.
	var ownerRow string
	a.run("who owns what",
		chromedp.WaitVisible(css(`table.owners`)),
		evalInto(`Array.from(document.querySelectorAll("table.owners tbody tr")).map(function(r){return r.innerText.replace(/\s+/g," ").trim()}).join("|")`, &ownerRow),
	)
	if want := fmt.Sprintf("Ana Assessor IAM 0/%d", len(m.CategoryObjectives("IAM"))); ownerRow != want {
		t.Errorf("who owns what %q, want %q", ownerRow, want)
	}
	// One objective of another category, assigned on its own.
	netObj := m.CategoryObjectives("NET")[0]
	a.run("assign one NET objective",
		setJS(`#assign-objective`, netObj.ID),
		setFlag(`var s=document.querySelector("#assign-objective-user");for(var i=0;i<s.options.length;i++){if(s.options[i].text==="Ana Assessor"){s.selectedIndex=i}}`),
		clickJS(`form.assign-objective button`),
		poll(`location.search.includes("assigned=`+netObj.ID+`")`),
		chromedp.WaitVisible(css(`table.owners`)),
		evalInto(`Array.from(document.querySelectorAll("table.owners tbody tr")).map(function(r){return r.innerText.replace(/\s+/g," ").trim()}).join("|")`, &ownerRow),
	)
	if want := fmt.Sprintf("Ana Assessor IAM, %s 0/%d", netObj.ID, len(m.CategoryObjectives("IAM"))+1); ownerRow != want {
		t.Errorf("who owns what after the objective %q, want %q", ownerRow, want)
	}
	a.signInAs("ana@zephyr.example")
	var shown int
	var ownerText, empty string
	a.run("mine in IAM",
		chromedp.Navigate(a.base+path+"/categories/IAM?show=mine"),
		chromedp.WaitVisible(css(`#category-owner`)),
		textOf(`#category-owner`, &ownerText),
		keep(chromedp.Evaluate[int](`document.querySelectorAll("article.objective").length`), &shown),
	)
	if want := len(m.CategoryObjectives("IAM")); shown != want || ownerText != "Ana Assessor" {
		t.Errorf("IAM mine: %d objectives, owner %q; want %d and Ana Assessor", shown, ownerText, want)
	}
	var netShown string
	a.run("mine elsewhere",
		chromedp.Navigate(a.base+path+"/categories/NET?show=mine"),
		chromedp.WaitVisible(css(`article.objective`)),
		evalInto(`Array.from(document.querySelectorAll("article.objective")).map(function(o){return o.id}).join(",")`, &netShown),
		chromedp.Navigate(a.base+path+"/categories/MON?show=mine"),
		chromedp.WaitVisible(css(`#filter-empty`)),
		textOf(`#filter-empty`, &empty),
	)
	if netShown != "obj-"+netObj.ID {
		t.Errorf("NET under Assigned to me shows %q, want only obj-%s", netShown, netObj.ID)
	}
	if empty == "" {
		t.Error("MON under Assigned to me is not empty")
	}
	// Answering one of her objectives moves her progress on the overview.
	first := m.CategoryObjectives("IAM")[0]
	a.run("answer one",
		chromedp.Navigate(a.base+path+"/categories/IAM?show=mine"),
		chromedp.WaitVisible(css(`form.answer`)),
		clickJS(label("a-"+first.ID+"-production-no")),
		poll(fmt.Sprintf(`document.querySelector(%q).textContent === "Saved."`, objSel(first.ID)+` .save-status`)),
		chromedp.Navigate(a.base+path),
		chromedp.WaitVisible(css(`table.owners`)),
		textOf(`table.owners .count`, &ownerText),
	)
	if want := fmt.Sprintf("1/%d", len(m.CategoryObjectives("IAM"))+1); ownerText != want {
		t.Errorf("Ana's progress after one answer %q, want %q", ownerText, want)
	}
}
