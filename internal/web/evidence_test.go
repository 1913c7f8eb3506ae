package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/store"
)

// uploadEvidence sends a scanner file and a scope as the evidence form does.
func (e *env) uploadEvidence(u *store.User, path, filename, scope string, data []byte) response {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		e.t.Fatal(err)
	}
	fw.Write(data)
	mw.WriteField("scope", scope)
	mw.Close()
	req, err := http.NewRequest("POST", e.srv.URL+path, &body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if u != nil {
		req.Header.Set(testUserHeader, u.ID)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b), header: resp.Header}
}

// TestEvidencePage imports a hand-written generic CSV (3 passed, 1 failed,
// 1 failed muted, for one check; one check unknown to the model) through
// the page, and checks who may see and use it, the summary, the list of
// imports, the category page's evidence and the escaping of file names.
func TestEvidencePage(t *testing.T) {
	e := newEnv(t)
	data, err := os.ReadFile("testdata/scan.csv")
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	ids := evidence.NewIndex(m).Objectives("prowler:aws:iam_root_mfa_enabled")
	if len(ids) == 0 {
		t.Fatal("no objective of the built-in model lists prowler:aws:iam_root_mfa_enabled")
	}
	obj, _ := m.Objective(ids[0])
	path := e.create("Scanned", "production", "development")
	page := path + "/evidence"
	assessor, viewer := e.users[csmm.RoleAssessor], e.users[csmm.RoleViewer]

	t.Run("the overview links to it", func(t *testing.T) {
		d := e.get(viewer, path).doc(t)
		if d.Find(`a[href="`+page+`"]`).Length() != 1 {
			t.Error("no link to the evidence page on the overview")
		}
	})

	t.Run("access by role", func(t *testing.T) {
		for _, tc := range []struct {
			role     csmm.Role
			get      int
			form     bool
			postCode int
		}{
			{csmm.RoleOwner, 200, true, 0},
			{csmm.RoleAdmin, 200, true, 0},
			{csmm.RoleAssessor, 200, true, 0},
			{csmm.RoleViewer, 200, false, http.StatusForbidden},
		} {
			t.Run(string(tc.role), func(t *testing.T) {
				r := e.get(e.users[tc.role], page)
				if r.status != tc.get {
					t.Fatalf("GET: status %d", r.status)
				}
				d := r.doc(t)
				if got := d.Find(`form[enctype="multipart/form-data"] input[type=file][name=file]`).Length() == 1; got != tc.form {
					t.Errorf("upload form shown: %v, want %v", got, tc.form)
				}
				if tc.form {
					var opts []string
					d.Find(`select[name=scope] option`).Each(func(_ int, s *goquery.Selection) { opts = append(opts, s.AttrOr("value", "?")) })
					if strings.Join(opts, ",") != ",production,development" {
						t.Errorf("scope options %q, want every scope then each scope", opts)
					}
				}
				if tc.postCode != 0 {
					if r := e.uploadEvidence(e.users[tc.role], page, "scan.csv", "", data); r.status != tc.postCode {
						t.Errorf("POST: status %d, want %d", r.status, tc.postCode)
					}
				}
			})
		}
		if r := e.get(e.other, page); r.status != http.StatusNotFound {
			t.Errorf("another organization's member: status %d, want 404", r.status)
		}
		if r := e.uploadEvidence(e.other, page, "scan.csv", "", data); r.status != http.StatusNotFound {
			t.Errorf("another organization's member uploads: status %d, want 404", r.status)
		}
		if r := e.get(nil, page); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login") {
			t.Errorf("signed out: status %d to %q, want a redirect to sign in", r.status, r.location)
		}
	})

	t.Run("an invalid file is refused with its location and nothing is stored", func(t *testing.T) {
		bad := []byte("check,status\nprowler:aws:iam_root_mfa_enabled,pass\nprowler:aws:iam_root_mfa_enabled,perhaps\n")
		r := e.uploadEvidence(assessor, page, "bad.csv", "production", bad)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", r.status)
		}
		d := r.doc(t)
		row := d.Find("table.problems tbody tr")
		if row.Length() != 1 || strings.TrimSpace(row.Find("td").Eq(0).Text()) != "3" || !strings.Contains(row.Text(), "perhaps") {
			t.Errorf("problems: %q", row.Text())
		}
		if !strings.Contains(d.Find(".error").Text(), "bad.csv") {
			t.Errorf("error message: %q", d.Find(".error").Text())
		}
		if list, _ := e.store.ListEvidence(t.Context(), e.org.ID, lastSegment(path)); len(list) != 0 {
			t.Errorf("evidence stored from a refused file: %+v", list)
		}
	})

	const hostile = `<img src=x onerror=alert(1)>.csv`
	t.Run("an upload shows the summary and the import", func(t *testing.T) {
		r := e.uploadEvidence(assessor, page, hostile, "production", data)
		if r.status != http.StatusOK {
			t.Fatalf("status %d:\n%s", r.status, r.body)
		}
		if strings.Contains(r.body, "<img") {
			t.Fatal("the file name is not escaped")
		}
		d := r.doc(t)
		sum := d.Find("section.summary")
		for sel, want := range map[string]string{
			".file":     hostile,
			".format":   "generic-csv",
			".findings": "6",
			".status":   "3 pass, 3 fail, 0 manual, 0 other; 1 muted, 0 archived",
			".mapped":   "1: prowler:aws:iam_root_mfa_enabled",
			".unknown":  "1: custom:not_in_the_model",
			".scope":    "scope production; 1 record(s)",
		} {
			if got := strings.TrimSpace(sum.Find(sel).First().Text()); got != want {
				t.Errorf("summary %s = %q, want %q", sel, got, want)
			}
		}
		cells := sum.Find("table.objectives tbody tr").First().Find("td")
		var got []string
		cells.Each(func(_ int, s *goquery.Selection) { got = append(got, strings.TrimSpace(s.Text())) })
		if want := []string{string(obj.Mode), "3", "1", "1", "75%"}; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("objective row %q, want %q", got, want)
		}
		imp := d.Find("table.imports tbody tr")
		if imp.Length() != 1 || imp.Find("td.file").Text() != hostile || !strings.Contains(imp.Text(), "assessor@example.com") || !strings.Contains(imp.Text(), "production") {
			t.Errorf("imports: %q", imp.Text())
		}
		// The path of a name does not survive.
		r = e.uploadEvidence(assessor, page, "<script>alert(1)</script>.csv", "development", data)
		if r.status != http.StatusOK || strings.Contains(r.body, "<script>alert") {
			t.Errorf("status %d; script in the page: %v", r.status, strings.Contains(r.body, "<script>alert"))
		}
	})

	t.Run("the category page shows the evidence, its value and source", func(t *testing.T) {
		d := e.get(viewer, path+"/categories/"+obj.Category).doc(t)
		row := d.Find(`[id="obj-` + obj.ID + `"]`).Find("td.evidence").First()
		text := row.Text()
		for _, want := range []string{"3 passed, 1 failed, 1 muted", "value 75%", "generic-csv:" + hostile} {
			if !strings.Contains(text, want) {
				t.Errorf("evidence cell %q lacks %q", text, want)
			}
		}
		if obj.Mode != model.ModeManual && !strings.Contains(text, "scored from the evidence") {
			t.Errorf("evidence cell %q does not say the value comes from it", text)
		}
		d = e.get(assessor, path+"/categories/"+obj.Category).doc(t)
		if got := d.Find(`[id="obj-` + obj.ID + `"] .evidence-value`).First().Text(); got != "75%" {
			t.Errorf("assessor's form shows evidence value %q", got)
		}
	})

	t.Run("removing an import", func(t *testing.T) {
		if r := e.post(viewer, page+"/remove", url.Values{"source": {"generic-csv:" + hostile}}); r.status != http.StatusForbidden {
			t.Errorf("viewer: status %d, want 403", r.status)
		}
		r := e.post(assessor, page+"/remove", url.Values{"source": {"generic-csv:" + hostile}})
		if r.status != http.StatusSeeOther || r.location != page+"?done=removed" {
			t.Fatalf("status %d to %q", r.status, r.location)
		}
		d := e.get(assessor, r.location).doc(t)
		if n := d.Find("table.imports tbody tr").Length(); n != 1 {
			t.Errorf("%d imports left, want 1 (the other file)", n)
		}
		if r := e.post(assessor, page+"/remove", url.Values{"source": {"generic-csv:" + hostile}}); r.status != http.StatusNotFound {
			t.Errorf("removing it again: status %d, want 404", r.status)
		}
	})
}

func lastSegment(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }
