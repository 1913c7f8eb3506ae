package web

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/store"
)

// TestPasswordChange checks the account page: the current password is
// required, the policy applies, and a change ends every session of the
// user while the page asks the server for a new one for this browser.
func TestPasswordChange(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.users[csmm.RoleAssessor]
	const old = "old password 1234"
	hash, err := identity.HashPassword(old, identity.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetPassword(ctx, store.Actor{}, u.ID, hash); err != nil {
		t.Fatal(err)
	}
	var sessions []string
	for range 2 {
		secret, h, err := identity.NewToken(identity.SessionPrefix)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.CreateSession(ctx, store.Session{UserID: u.ID, TokenHash: h, Expires: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, secret)
	}
	live := func() int {
		n := 0
		for _, s := range sessions {
			if _, err := e.store.GetSessionByTokenHash(ctx, identity.HashToken(s)); err == nil {
				n++
			}
		}
		return n
	}

	d := e.get(u, "/account").doc(t)
	noInjectedScript(t, d)
	for _, id := range []string{"current-password", "new-password", "confirm-password"} {
		if d.Find(`label[for="`+id+`"]`).Length() != 1 || d.Find("#"+id).Length() != 1 {
			t.Errorf("no labelled %s field", id)
		}
	}
	if d.Find(`form[action="/logout"] input[name="everywhere"]`).Length() != 1 {
		t.Error("no sign-out-everywhere form")
	}

	refused := []struct {
		name, current, next, confirm, want string
	}{
		{"wrong current password", "nope", "new password 5678", "new password 5678", "current password is wrong"},
		{"confirmation differs", old, "new password 5678", "new password 5679", "confirmation differ"},
		{"too short", old, "short", "short", "at least 12"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post(u, "/account/password", url.Values{"current_password": {tt.current}, "new_password": {tt.next}, "confirm_password": {tt.confirm}})
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.doc(t).Find(".error").Text(), tt.want) {
				t.Fatalf("status %d, error %q; want 422 saying %q", r.status, r.doc(t).Find(".error").Text(), tt.want)
			}
			if strings.Contains(r.body, tt.current) && tt.current != "" {
				t.Error("the page shows a password back")
			}
			if n := live(); n != 2 {
				t.Errorf("%d sessions left after a refused change, want 2", n)
			}
		})
	}

	r := e.post(u, "/account/password", url.Values{"current_password": {old}, "new_password": {"new password 5678"}, "confirm_password": {"new password 5678"}})
	if r.status != http.StatusSeeOther || r.location != "/account?done=password" {
		t.Fatalf("change: status %d location %q\n%s", r.status, r.location, r.body)
	}
	if n := live(); n != 0 {
		t.Errorf("%d other sessions survive the change", n)
	}
	if n := e.started.Load(); n != 1 {
		t.Errorf("%d new sessions for this browser, want 1", n)
	}
	got, _ := e.store.GetUser(ctx, u.ID)
	if ok, _ := identity.VerifyPassword(got.PasswordHash, "new password 5678"); !ok {
		t.Error("the new password does not verify")
	}
	if got := e.get(u, r.location).doc(t).Find(".notice").Text(); got != notices["password"] {
		t.Errorf("notice %q", got)
	}

	t.Run("single sign-on user has no password form", func(t *testing.T) {
		d := e.get(e.users[csmm.RoleViewer], "/account").doc(t)
		if d.Find(`form[action="/account/password"]`).Length() != 0 {
			t.Error("a user without a password is offered to change it")
		}
		r := e.post(e.users[csmm.RoleViewer], "/account/password", url.Values{"current_password": {""}, "new_password": {"new password 5678"}, "confirm_password": {"new password 5678"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("status %d, want 422", r.status)
		}
	})
	t.Run("signed out", func(t *testing.T) {
		if r := e.get(nil, "/account"); r.status != http.StatusSeeOther || r.location != "/login?next=%2Faccount" {
			t.Errorf("status %d location %q", r.status, r.location)
		}
		if r := e.post(nil, "/account/password", url.Values{}); r.status != http.StatusUnauthorized {
			t.Errorf("POST signed out: status %d, want 401", r.status)
		}
	})
}

// TestPasswordGuessLimit checks that wrong current passwords count as failed
// sign-ins of the account: after five, even the right one is refused.
func TestPasswordGuessLimit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.users[csmm.RoleAdmin]
	const right = "right password 1234"
	hash, err := identity.HashPassword(right, identity.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetPassword(ctx, store.Actor{}, u.ID, hash); err != nil {
		t.Fatal(err)
	}
	change := func(current string) response {
		return e.post(u, "/account/password", url.Values{"current_password": {current}, "new_password": {"new password 5678"}, "confirm_password": {"new password 5678"}})
	}
	for i := range 5 {
		if r := change("guess " + strconv.Itoa(i)); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("guess %d: status %d, want 422", i, r.status)
		}
	}
	r := change(right)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.doc(t).Find(".error").Text(), "too many wrong passwords") {
		t.Fatalf("after five wrong guesses: status %d, error %q; want 429", r.status, r.doc(t).Find(".error").Text())
	}
	got, _ := e.store.GetUser(ctx, u.ID)
	if ok, _ := identity.VerifyPassword(got.PasswordHash, right); !ok {
		t.Error("the password changed although the account was locked")
	}
}

// TestHome checks the landing page: one organization redirects to it,
// several are listed with their names as text, none says so.
func TestHome(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if r := e.get(e.users[csmm.RoleOwner], "/"); r.status != http.StatusSeeOther || r.location != "/o/example/" {
		t.Errorf("one organization: status %d location %q", r.status, r.location)
	}
	if r := e.get(nil, "/"); r.status != http.StatusSeeOther || r.location != "/login" {
		t.Errorf("signed out: status %d location %q", r.status, r.location)
	}
	if err := e.store.AddMembership(ctx, e.org.ID, store.Actor{}, e.other.ID, csmm.RoleViewer); err != nil {
		t.Fatal(err)
	}
	r := e.get(e.other, "/")
	if r.status != http.StatusOK {
		t.Fatalf("two organizations: status %d", r.status)
	}
	d := r.doc(t)
	noInjectedScript(t, d)
	var got []string
	d.Find("main ul.organizations a").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		got = append(got, s.Text()+"="+href)
	})
	if want := "Example <Corp>=/o/example/,Other=/o/other/"; strings.Join(got, ",") != want {
		t.Errorf("organizations %q, want %q", strings.Join(got, ","), want)
	}
	if d.Find(`header a[href="/account"]`).Length() != 1 || d.Find(`header a[href$="/settings"]`).Length() != 0 {
		t.Error("the home page header should link to the account and to no organization's settings")
	}
	loner := e.user("loner@example.com", "Loner")
	if r := e.get(loner, "/"); r.status != http.StatusOK || !strings.Contains(r.doc(t).Find("main").Text(), "not a member") {
		t.Errorf("no organization: status %d", r.status)
	}
}

// TestCategoryMode checks that the objective's mode is labelled Mode and
// explained, not shown as its source.
func TestCategoryMode(t *testing.T) {
	e := newEnv(t)
	path := e.create("Modes", "production")
	d := e.get(e.users[csmm.RoleViewer], path+"/categories/IAM").doc(t)
	var labels []string
	d.Find("dl.facts dt").Each(func(_ int, s *goquery.Selection) { labels = append(labels, s.Text()) })
	if strings.Contains(strings.Join(labels, ","), "Source") {
		t.Errorf("facts still labelled Source: %v", labels)
	}
	modes := d.Find("dd.mode")
	if modes.Length() == 0 {
		t.Fatal("no Mode row")
	}
	modes.Each(func(_ int, s *goquery.Selection) {
		if s.Prev().Text() != "Mode" {
			t.Errorf("the mode is labelled %q", s.Prev().Text())
		}
		mode, hint, ok := strings.Cut(s.Text(), ": ")
		if !ok || hint == "" || modeHint(model.Mode(mode)) != hint {
			t.Errorf("mode row %q lacks its explanation", s.Text())
		}
	})
	if got := modeHint(model.ModeEither); got != "a current manual answer, else scanner evidence" {
		t.Errorf("either: %q", got)
	}
}

// TestHeaderContrast checks that the signed-in user's email and role are
// drawn in a colour that meets WCAG AA (4.5:1) on the header's background.
func TestHeaderContrast(t *testing.T) {
	css, err := os.ReadFile("static/web.css")
	if err != nil {
		t.Fatal(err)
	}
	accent := regexp.MustCompile(`--accent:\s*(#[0-9a-fA-F]{6})`).FindSubmatch(css)
	who := regexp.MustCompile(`header\.site \.who \{[^}]*color:\s*(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b[^}]*\}`).FindSubmatch(css)
	if accent == nil || who == nil {
		t.Fatal("web.css has no --accent or no header.site .who colour")
	}
	if strings.Contains(string(who[0]), "opacity: .") {
		t.Error("the header user is drawn translucent")
	}
	if ratio := contrast(string(who[1]), string(accent[1])); ratio < 4.5 {
		t.Errorf("contrast %.2f:1 of %s on %s, want at least 4.5:1", ratio, who[1], accent[1])
	}
}

// contrast is the WCAG 2 contrast ratio of two hex colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	hex = strings.TrimPrefix(hex, "#")
	if len(hex) == 3 {
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	}
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hex[2*i:2*i+2], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}
