package browsertest

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/server"
	"github.com/csmm/csmm/internal/store"
)

// chromiumPath is where the browser is expected; CSMM_CHROMIUM overrides it.
const chromiumPath = "/usr/bin/chromium"

// browser returns a Chromium context with a fresh profile, failing under
// CI=true when the browser is missing and skipping otherwise.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("CSMM_CHROMIUM")
	if path == "" {
		path = chromiumPath
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and Chromium is missing at %s: %v; install it with apt-get install -y chromium", path, err)
		}
		t.Skipf("skipping: Chromium is missing at %s (install it with apt-get install -y chromium)", path)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	return ctx
}

// newServer starts the real server over a temporary SQLite store.
func newServer(t *testing.T) (*httptest.Server, *store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "csmm.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := server.DefaultConfig()
	cfg.PasswordParams = identity.PasswordParams{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	var logs bytes.Buffer
	s, err := server.New(cfg, st, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := s.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
		if t.Failed() && logs.Len() > 0 {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return srv, st
}

// byID selects an element by an id that may hold dots.
func byID(id string) string { return `[id="` + id + `"]` }

// label selects the label of a form control by the control's id.
func label(id string) string { return `label[for="` + id + `"]` }

const (
	orgName  = "Zephyr Holdings"
	email    = "owner@zephyr.example"
	password = "correct horse battery staple"
)

// TestJourney walks through the product end to end in a real browser.
func TestJourney(t *testing.T) {
	ctx := browser(t)
	srv, st := newServer(t)
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	base := srv.URL
	// Start the browser without a deadline: a timeout on the first run
	// would stop the whole browser.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			var loc, body string
			lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			_ = chromedp.Do(lctx, locationOf(&loc), textOf("body", &body))
			t.Fatalf("%s: %v\nat %s\n%s", step, err, loc, body)
		}
		if testing.Verbose() {
			var loc string
			_ = chromedp.Do(sctx, locationOf(&loc))
			t.Logf("%s: done at %s", step, loc)
		}
	}

	// First-run setup creates the organization and its owner, signed in.
	run("setup",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(css(`input[name="organization"]`)),
		chromedp.SendKeys(css(`input[name="organization"]`), orgName),
		chromedp.SendKeys(css(`input[name="name"]`), "Olivia Owner"),
		chromedp.SendKeys(css(`input[name="email"]`), email),
		chromedp.SendKeys(css(`input[name="password"]`), password),
		clickJS(`form button[type="submit"]`),
		chromedp.WaitVisible(css(`form[action="/logout"]`)),
	)
	// Sign out; a page opened signed out comes back after signing in.
	run("sign out", clickJS(`form[action="/logout"] button`), chromedp.WaitVisible(css(`input[name="password"]`)))
	run("sign in",
		chromedp.Navigate(base+"/account"),
		chromedp.WaitVisible(css(`input[name="email"]`)),
		chromedp.SendKeys(css(`input[name="email"]`), email),
		chromedp.SendKeys(css(`input[name="password"]`), password),
		clickJS(`form[action="/login"] button`),
		chromedp.WaitVisible(css(`#current-password`)),
		poll(`location.pathname === "/account"`),
	)

	// The only organization is the home page.
	var orgHref string
	run("organization link",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(css(`header nav a[href$="/assessments"]`)),
		attrOf(`header nav a[href$="/assessments"]`, "href", &orgHref),
	)

	// An API token made in the settings is shown once and works.
	var secret, me string
	run("api token",
		clickJS(`header nav a[href$="/settings"]`),
		chromedp.WaitVisible(css(`main a[href$="/settings/tokens"]`)),
		clickJS(`main a[href$="/settings/tokens"]`),
		chromedp.WaitVisible(css(`#token-name`)),
		chromedp.SendKeys(css(`#token-name`), "journey"),
		clickJS(`main form button[type="submit"]`),
		chromedp.WaitVisible(css(`#token-secret`)),
		textOf(`#token-secret`, &secret),
	)
	run("api token works", evalInto(fmt.Sprintf(`fetch("/api/v1/me", {credentials: "omit", headers: {Authorization: "Bearer " + %q}}).then(r => r.text())`, secret), &me))
	if !strings.Contains(me, email) {
		t.Errorf("the token from the settings page does not authenticate: %s", me)
	}

	// Create an assessment with two scopes from a preset.
	run("new assessment",
		chromedp.Navigate(base+orgHref),
		chromedp.WaitVisible(css(`a.button[href$="/assessments/new"]`)),
		clickJS(`a.button[href$="/assessments/new"]`),
		chromedp.WaitVisible(css(`#name`)),
		chromedp.SendKeys(css(`#name`), "Cloud review 2026"),
		chromedp.SendKeys(css(`#scope-id-1`), "production"),
		chromedp.SendKeys(css(`#scope-weight-1`), "2"),
		chromedp.SendKeys(css(`#scope-id-2`), "development"),
		clickJS(label("preset-growing")),
		clickJS(`main form button[type="submit"]`),
		chromedp.WaitVisible(css(`#target-IAM`)),
	)
	var loc string
	run("location", locationOf(&loc))
	u, _ := url.Parse(loc)
	path := strings.TrimSuffix(u.Path, "/targets")
	parts := strings.Split(path, "/") // /o/{org}/assessments/{id}
	if len(parts) != 5 {
		t.Fatalf("unexpected assessment path %q", path)
	}
	slug, id := parts[2], parts[4]

	// Adjust one target with its reason.
	run("target",
		setJS(`#level-IAM`, "4"),
		setJS(`#reason-IAM`, ""),
		chromedp.SendKeys(css(`#reason-IAM`), "customer contracts require it"),
		clickJS(`button[form="form-target-IAM"]`),
		poll(`location.search.includes("saved=IAM")`),
	)

	// Answer objectives in several categories: by script (autosave) and
	// with the Save button.
	answered := map[string]int{}
	for _, cat := range []string{"IAM", "MON", "NET"} {
		// Objectives on the coverage scale: the answers below use half,
		// most and some, which a binary objective does not offer.
		var objs []*model.Objective
		for _, o := range m.CategoryObjectives(cat) {
			if !o.Binary() {
				objs = append(objs, o)
			}
		}
		run("open "+cat, chromedp.Navigate(base+path+"/categories/"+cat), chromedp.WaitVisible(css(`form.answer`)))
		for i, o := range objs[:2] {
			prod, dev := "yes", "half"
			if i == 1 {
				prod, dev = "most", "yes"
			}
			status := byID("obj-"+o.ID) + ` .save-status`
			run("answer "+o.ID,
				chromedp.ScrollIntoView(css(label("a-"+o.ID+"-production-"+prod))),
				clickJS(label("a-"+o.ID+"-production-"+prod)),
				clickJS(label("a-"+o.ID+"-development-"+dev)),
				poll(fmt.Sprintf(`(function(){var f=document.querySelector(%q);return f&&f.value==="1"&&document.querySelector(%q).textContent==="Saved."})()`,
					byID("obj-"+o.ID)+` input[name="version-development"]`, status)),
			)
			answered[cat]++
		}
		// The explicit Save button saves in place too.
		o := objs[2]
		run("save "+o.ID,
			clickJS(label("a-"+o.ID+"-production-some")),
			clickJS(label("a-"+o.ID+"-development-no")),
			chromedp.Sleep(300*time.Millisecond),
			clickJS(byID("obj-"+o.ID)+` .state button`),
			poll(fmt.Sprintf(`document.querySelector(%q).value === "1" && document.querySelector(%q).textContent === "Saved."`,
				byID("obj-"+o.ID)+` input[name="version-development"]`, byID("obj-"+o.ID)+` .save-status`)),
		)
		answered[cat]++
	}
	// N/A with a justification.
	naObj := m.CategoryObjectives("NET")[3]
	run("na",
		chromedp.Navigate(base+path+"/categories/NET"),
		chromedp.WaitVisible(css(byID("obj-"+naObj.ID))),
		clickJS(label("a-"+naObj.ID+"-development-na")),
		chromedp.SendKeys(css(byID("j-"+naObj.ID+"-development")), "no network in development"),
		poll(fmt.Sprintf(`document.querySelector(%q).value==="1"`, byID("obj-"+naObj.ID)+` input[name="version-development"]`)),
	)

	// Progress shows on the overview.
	var iamCount, progressTotal string
	run("overview",
		chromedp.Navigate(base+path),
		chromedp.WaitVisible(css(`#cat-IAM`)),
		textOf(`#cat-IAM td.progress .count`, &iamCount),
		textOf(`#progress-total`, &progressTotal),
	)
	if want := fmt.Sprintf("%d/%d", answered["IAM"], len(m.CategoryObjectives("IAM"))); iamCount != want {
		t.Errorf("IAM progress in production %q, want %q", iamCount, want)
	}
	if want := fmt.Sprintf("%d / %d", 2*(answered["IAM"]+answered["MON"]+answered["NET"])+1, 2*len(m.Objectives)); progressTotal != want {
		t.Errorf("total progress %q, want %q", progressTotal, want)
	}

	// Request an exemption, then approve it.
	ex := m.CategoryObjectives("DAT")[0]
	run("request exemption",
		chromedp.Navigate(base+path+"/categories/DAT"),
		chromedp.WaitVisible(css(byID("obj-"+ex.ID))),
		clickJS(byID("obj-"+ex.ID)+` details.request summary`),
		chromedp.SendKeys(css(byID("reason-"+ex.ID)), "legacy data store retired in Q2"),
		setJS(byID("until-"+ex.ID), time.Now().AddDate(1, 0, 0).Format(time.DateOnly)),
		clickJS(byID("obj-"+ex.ID)+` details.request button`),
		chromedp.WaitVisible(css(byID("obj-"+ex.ID)+` .exemption-requested`)),
	)
	// Four eyes: another admin decides it.
	(&app{t: t, ctx: ctx, base: base, store: st}).addMember(path, "ciso@zephyr.example", "Casey CISO", csmm.RoleAdmin)
	run("sign in as the other admin",
		clickJS(`form[action="/logout"] button`),
		chromedp.WaitVisible(css(`input[name="password"]`)),
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(css(`input[name="email"]`)),
		chromedp.SendKeys(css(`input[name="email"]`), "ciso@zephyr.example"),
		chromedp.SendKeys(css(`input[name="password"]`), password),
		clickJS(`form[action="/login"] button`),
		chromedp.WaitVisible(css(`form[action="/logout"]`)),
	)
	var exemptText string
	run("approve exemption",
		chromedp.Navigate(base+path+"/exemptions"),
		chromedp.WaitVisible(css(`button[value="approve"]`)),
		clickJS(`button[value="approve"]`),
		chromedp.WaitVisible(css(`p.notice`)),
		chromedp.Navigate(base+path),
		chromedp.WaitVisible(css(`section[aria-labelledby="h-exempt"] li`)),
		textOf(`section[aria-labelledby="h-exempt"]`, &exemptText),
	)
	if !strings.Contains(exemptText, ex.ID) || !strings.Contains(exemptText, "legacy data store") {
		t.Errorf("exempt list %q lacks %s", exemptText, ex.ID)
	}

	// The report shows the scores of the score API.
	var shownExact, shownText string
	var apiJSON string
	run("report",
		chromedp.Navigate(base+path+"/report"),
		chromedp.WaitVisible(css(`#program-score`)),
		attrOf(`#program-score`, "value", &shownExact),
		textOf(`#program-score`, &shownText),
		evalInto(fmt.Sprintf(`fetch(%q).then(r => r.text())`, "/api/v1/orgs/"+slug+"/assessments/"+id+"/score"), &apiJSON),
	)
	var score assess.Result
	if err := jsonUnmarshal(apiJSON, &score); err != nil {
		t.Fatalf("getScore: %v\n%s", err, apiJSON)
	}
	got, err := strconv.ParseFloat(shownExact, 64)
	if err != nil || got != score.Program.Score {
		t.Errorf("report program score %q, API %v", shownExact, score.Program.Score)
	}
	if shownText != report.Display(score.Program.Score) {
		t.Errorf("report shows %q, want %q", shownText, report.Display(score.Program.Score))
	}
	if score.Program.Score <= 1 {
		t.Errorf("program score %v: the answers did not count", score.Program.Score)
	}
	for _, c := range score.Categories {
		var text string
		run("category "+c.ID, textOf(`#category-`+c.ID+` data`, &text))
		if text != report.Display(c.Score) {
			t.Errorf("%s shown %q, API %v", c.ID, text, c.Score)
		}
	}
	var exemptReport string
	run("report exempt", textOf(`table.exempt`, &exemptReport))
	if !strings.Contains(exemptReport, ex.ID) {
		t.Errorf("report exempt table %q lacks %s", exemptReport, ex.ID)
	}

	// Download the PDF with the browser's session.
	var cookies []*network.Cookie
	run("cookies", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base}})
		cookies = res.Cookies
		return err
	}))
	jar, _ := cookiejar.New(nil)
	bu, _ := url.Parse(base)
	for _, c := range cookies {
		jar.SetCookies(bu, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: c.Path}})
	}
	var href string
	run("pdf link", attrOf(`.exports a[href*="/export/pdf"]`, "href", &href))
	resp, err := (&http.Client{Jar: jar, Timeout: 2 * time.Minute}).Get(base + href)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("pdf: status %d, %v: %.200s", resp.StatusCode, err, pdf)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("pdf content type %q", ct)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the download is not a PDF: %q", pdf[:min(16, len(pdf))])
	}
	if !pdfContains(t, pdf, orgName) {
		t.Errorf("the PDF does not hold the organization's name %q", orgName)
	}
}

// pdfContains looks for s in the PDF's document information (Chromium
// writes the page title there, as text or UTF-16 hex) and, when pdftotext
// is installed, in its text.
func pdfContains(t *testing.T, pdf []byte, s string) bool {
	t.Helper()
	u := utf16.Encode([]rune(s))
	be := make([]byte, 2*len(u))
	for i, r := range u {
		binary.BigEndian.PutUint16(be[2*i:], r)
	}
	h := hex.EncodeToString(be)
	if bytes.Contains(pdf, []byte(s)) || bytes.Contains(pdf, be) ||
		bytes.Contains(bytes.ToLower(pdf), []byte(h)) {
		return true
	}
	if p, err := exec.LookPath("pdftotext"); err == nil {
		f := filepath.Join(t.TempDir(), "r.pdf")
		if err := os.WriteFile(f, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(p, f, "-").Output()
		return err == nil && strings.Contains(string(out), s)
	}
	return false
}
