package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/store"
)

// addMember adds a user with a password and a role to the organization of
// an assessment path.
func (a *app) addMember(path, mail, name string, role csmm.Role) {
	a.t.Helper()
	ctx := context.Background()
	hash, err := identity.HashPassword(password, identity.PasswordParams{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		a.t.Fatal(err)
	}
	u, err := a.store.CreateUser(ctx, store.Actor{}, mail, name, hash)
	if err != nil {
		a.t.Fatal(err)
	}
	if err := a.store.AddMembership(ctx, a.orgID(path), store.Actor{}, u.ID, role); err != nil {
		a.t.Fatal(err)
	}
}

// signInAs signs the browser out and in again as another user.
func (a *app) signInAs(mail string) {
	a.t.Helper()
	a.run("sign in as "+mail,
		clickJS(`form[action="/logout"] button`),
		chromedp.WaitVisible(css(`input[name="password"]`)),
		chromedp.Navigate(a.base+"/login"),
		chromedp.WaitVisible(css(`input[name="email"]`)),
		chromedp.SendKeys(css(`input[name="email"]`), mail),
		chromedp.SendKeys(css(`input[name="password"]`), password),
		clickJS(`form[action="/login"] button`),
		poll(`location.pathname !== "/login"`),
		chromedp.WaitVisible(css(`form[action="/logout"]`)),
	)
}

// TestFourEyesExemption checks that the admin who requested an exemption
// cannot approve it, in the page and by posting the decision, and that
// another admin approves it with a comment that the report shows with the
// requester and the approver.
func TestFourEyesExemption(t *testing.T) {
	a := newApp(t)
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	path := a.newAssessment("Four eyes", "production")
	ex := m.CategoryObjectives("DAT")[0]
	var own, status string
	a.run("request",
		chromedp.Navigate(a.base+path+"/categories/DAT"),
		chromedp.WaitVisible(css(objSel(ex.ID))),
		clickJS(objSel(ex.ID)+` details.request summary`),
		chromedp.SendKeys(css(byID("reason-"+ex.ID)), "legacy data store retired in Q2"),
		setJS(byID("until-"+ex.ID), time.Now().AddDate(1, 0, 0).Format(time.DateOnly)),
		clickJS(objSel(ex.ID)+` details.request button`),
		chromedp.WaitVisible(css(objSel(ex.ID)+` .exemption-requested`)),
		chromedp.Navigate(a.base+path+"/exemptions"),
		chromedp.WaitVisible(css(`table.exemptions .own`)),
		textOf(`table.exemptions .own`, &own),
	)
	var buttons int
	var exID string
	a.run("no buttons", keep(chromedp.Evaluate[int](`document.querySelectorAll('button[value="approve"]').length`), &buttons),
		attrOf(`table.exemptions tbody tr`, "id", &exID))
	if buttons != 0 || !strings.Contains(own, "another admin decides") {
		t.Errorf("the requester sees %d Approve buttons and %q; want none and a note", buttons, own)
	}
	// Posting the decision anyway is refused.
	a.run("post decision", evalInto(fmt.Sprintf(`fetch(%q, {method: "POST", body: new URLSearchParams({decision: "approve"}), credentials: "same-origin"}).then(r => String(r.status))`,
		path+"/exemptions/"+strings.TrimPrefix(exID, "ex-")), &status))
	if status != "403" {
		t.Errorf("the requester approving: status %s, want 403", status)
	}

	a.addMember(path, "ciso@zephyr.example", "Casey CISO", csmm.RoleAdmin)
	a.signInAs("ciso@zephyr.example")
	var decided, report string
	a.run("approve",
		chromedp.Navigate(a.base+path+"/exemptions"),
		chromedp.WaitVisible(css(`button[value="approve"]`)),
		chromedp.SendKeys(css(`form.decide textarea[name="comment"]`), "accepted until the Q2 retirement"),
		clickJS(`button[value="approve"]`),
		chromedp.WaitVisible(css(`p.notice`)),
		textOf(`#h-decided + table`, &decided),
		chromedp.Navigate(a.base+path+"/report"),
		chromedp.WaitVisible(css(`table.exempt`)),
		textOf(`table.exempt`, &report),
	)
	for _, want := range []string{"Olivia Owner", "Casey CISO", "accepted until the Q2 retirement"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report's exempt table %q lacks %q", report, want)
		}
	}
	if !strings.Contains(decided, "accepted until the Q2 retirement") {
		t.Errorf("the decided exemptions %q lack the comment", decided)
	}
}
