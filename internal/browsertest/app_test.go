package browsertest

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/csmm/csmm/internal/store"
)

// app is a running server with a signed-in owner in a browser.
type app struct {
	t     *testing.T
	ctx   context.Context
	base  string
	store *store.Store
}

// newApp starts the server and a browser, and creates the organization
// and its owner through the setup page.
func newApp(t *testing.T) *app {
	t.Helper()
	ctx := browser(t)
	srv, st := newServer(t)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	a := &app{t: t, ctx: ctx, base: srv.URL, store: st}
	a.run("setup",
		chromedp.Navigate(a.base+"/"),
		chromedp.WaitVisible(css(`input[name="organization"]`)),
		chromedp.SendKeys(css(`input[name="organization"]`), orgName),
		chromedp.SendKeys(css(`input[name="name"]`), "Olivia Owner"),
		chromedp.SendKeys(css(`input[name="email"]`), email),
		chromedp.SendKeys(css(`input[name="password"]`), password),
		clickJS(`form button[type="submit"]`),
		chromedp.WaitVisible(css(`form[action="/logout"]`)),
	)
	return a
}

// run does one step of a test, failing with the page's text when it fails.
func (a *app) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	a.t.Helper()
	sctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		var loc, body string
		lctx, cancel := context.WithTimeout(a.ctx, 5*time.Second)
		defer cancel()
		_ = chromedp.Do(lctx, locationOf(&loc), textOf("body", &body))
		a.t.Fatalf("%s: %v\nat %s\n%.3000s", step, err, loc, body)
	}
}

// newAssessment creates an assessment with the given scopes from the
// browser and returns its path (/o/{org}/assessments/{id}).
func (a *app) newAssessment(name string, scopes ...string) string {
	a.t.Helper()
	var orgHref string
	a.run("organization link",
		chromedp.Navigate(a.base+"/"),
		chromedp.WaitVisible(css(`header nav a[href$="/assessments"]`)),
		attrOf(`header nav a[href$="/assessments"]`, "href", &orgHref),
	)
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(a.base + orgHref + "/new"),
		chromedp.WaitVisible(css(`#name`)),
		chromedp.SendKeys(css(`#name`), name),
	}
	for i, s := range scopes {
		steps = append(steps, chromedp.SendKeys(css(`#scope-id-`+strconv.Itoa(i+1)), s))
	}
	steps = append(steps, clickJS(label("preset-growing")), clickJS(`main form button[type="submit"]`), chromedp.WaitVisible(css(`#target-IAM`)))
	a.run("new assessment", steps...)
	var loc string
	a.run("location", locationOf(&loc))
	u, err := url.Parse(loc)
	if err != nil {
		a.t.Fatal(err)
	}
	return strings.TrimSuffix(u.Path, "/targets")
}

// orgID returns the ID of the organization of an assessment path.
func (a *app) orgID(path string) string {
	a.t.Helper()
	org, err := a.store.GetOrganizationBySlug(context.Background(), strings.Split(path, "/")[2])
	if err != nil {
		a.t.Fatal(err)
	}
	return org.ID
}

// setFlag evaluates a statement whose value does not matter.
func setFlag(expr string) chromedp.Action[chromedp.Void] {
	var ok bool
	return keep(chromedp.Evaluate[bool](`(function(){`+expr+`;return true})()`), &ok)
}
