package server

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/store"
)

// rootMFACheck is the check of the hand-written Prowler fixture: three
// accounts pass it, one fails and one fails muted.
const rootMFACheck = "prowler:aws:iam_root_mfa_enabled"

// checkedObjective returns the objective of the built-in model that lists
// the fixture's check.
func checkedObjective(t *testing.T) *model.Objective {
	t.Helper()
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	ids := evidence.NewIndex(m).Objectives(rootMFACheck)
	if len(ids) == 0 {
		t.Fatalf("no objective of the built-in model lists %s", rootMFACheck)
	}
	o, _ := m.Objective(ids[0])
	return o
}

// scopeValue returns an objective's value, status and source in one scope
// of the score JSON.
func scopeValue(t *testing.T, c *client, path, objective, scope string) assess.ObjectiveScore {
	t.Helper()
	r := c.get(path + "/score?as_of=2026-12-01")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("score: %d %s", r.StatusCode, r.body)
	}
	var res assess.Result
	r.json(t, &res)
	for _, sr := range res.Scopes {
		if sr.ID != scope {
			continue
		}
		for _, o := range sr.Objectives {
			if o.ID == objective {
				return o
			}
		}
	}
	t.Fatalf("no %s in scope %s of the score", objective, scope)
	return assess.ObjectiveScore{}
}

func TestImportEvidence(t *testing.T) {
	fixture, err := os.ReadFile("testdata/prowler.ocsf.json")
	if err != nil {
		t.Fatal(err)
	}
	broken, err := os.ReadFile("testdata/broken.ocsf.json")
	if err != nil {
		t.Fatal(err)
	}
	obj := checkedObjective(t)
	forEachDB(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		as, err := f.e.st.CreateAssessment(ctx, f.a.ID, storeActor(), store.AssessmentInput{Name: "Scanned",
			Scopes: []store.Scope{{ID: "production", Weight: 2}, {ID: "development"}}})
		if err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/orgs/acme-corp/assessments/" + as.ID
		ann := f.members[csmm.RoleAssessor]
		// A manual answer in development, which an import into production leaves alone.
		if r := ann.json("PUT", path+"/answers/"+obj.ID+"/development", map[string]any{"answer": "yes", "version": 0}); r.StatusCode != http.StatusOK {
			t.Fatalf("answer: %d %s", r.StatusCode, r.body)
		}
		if got := scopeValue(t, ann, path, obj.ID, "production"); got.Status != assess.StatusUnanswered {
			t.Fatalf("before the import, %s in production is %s", obj.ID, got.Status)
		}
		rev, _ := f.e.st.AssessmentRevision(ctx, f.a.ID, as.ID)

		t.Run("an invalid file is refused with its location and nothing is stored", func(t *testing.T) {
			for _, tc := range []struct {
				name, query string
				body        []byte
				status      int
				code, want  string
			}{
				{"malformed JSON", "?name=broken.ocsf.json", broken, 400, "invalid", "broken.ocsf.json (byte 237): record 1: invalid JSON"},
				{"truncated gzip", "?name=scan.json.gz", gzipped(fixture)[:len(gzipped(fixture))-12], 400, "invalid", "scan.json.gz: invalid gzip data (cut short)"},
				{"corrupt gzip", "?name=scan.json.gz", corrupted(gzipped(fixture)), 400, "invalid", "scan.json.gz: invalid gzip data"},
				{"truncated JSON", "?name=scan.json", fixture[:len(fixture)/2], 400, "invalid", "scan.json (byte "},
				{"another tool's file", "?name=notes.txt", []byte("hello\n"), 400, "invalid", "notes.txt: unsupported format"},
				{"empty body", "?name=empty.json", nil, 400, "invalid", "empty"},
				{"undeclared scope", "?name=scan.json&scope=staging", fixture, 400, "invalid", `"staging" is not a scope`},
				{"too large", "?name=big.csv", bytes.Repeat([]byte("x"), testMaxEvidence+1), 413, "too_large", "larger than 4 MiB"},
				{"a value too long", "?name=long.json.gz", gzipped(slices.Concat([]byte(`[{"status_code": "PASS", "metadata": {"event_code": "c1"}, "message": "`), bytes.Repeat([]byte("a"), 20<<20), []byte(`"}]`))), 400, "invalid", "long.json.gz (byte 71): record 1: a JSON value of more than 16 MiB"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					r := ann.do("POST", path+"/evidence"+tc.query, "application/octet-stream", tc.body)
					var body struct {
						Error struct {
							Code, Message string
							Problems      []struct {
								File         string
								Byte         int64
								Line, Column int
							}
						}
					}
					r.json(t, &body)
					if r.StatusCode != tc.status || body.Error.Code != tc.code || !strings.Contains(body.Error.Message, tc.want) {
						t.Errorf("status %d %s, want %d %s with %q", r.StatusCode, r.body, tc.status, tc.code, tc.want)
					}
					if tc.name == "malformed JSON" && (len(body.Error.Problems) != 1 || body.Error.Problems[0].File != "broken.ocsf.json" || body.Error.Problems[0].Byte != 237) {
						t.Errorf("problems: %s", r.body)
					}
				})
			}
			t.Run("an upload cut short", func(t *testing.T) {
				// The client announces the whole file and sends a third of it.
				status := cutUpload(t, ann, path+"/evidence?name=cut.json", gzipped(fixture), len(gzipped(fixture))/3)
				if status != http.StatusBadRequest {
					t.Errorf("status %d, want 400", status)
				}
			})
			t.Run("an upload cancelled by the client", func(t *testing.T) {
				pr, pw := io.Pipe()
				rctx, cancel := context.WithCancel(ctx)
				req, _ := http.NewRequestWithContext(rctx, "POST", f.e.ts.URL+path+"/evidence?name=cancelled.json", pr)
				done := make(chan error, 1)
				go func() {
					resp, err := ann.hc.Do(req)
					if err == nil {
						resp.Body.Close()
					}
					done <- err
				}()
				pw.Write(fixture[:len(fixture)/2])
				cancel()
				// Close the body too: the transport may be waiting to read
				// the rest of it before it reports the cancellation.
				pw.CloseWithError(context.Canceled)
				if err := <-done; err == nil {
					t.Errorf("the cancelled request succeeded")
				}
			})
			list, err := f.e.st.ListEvidence(ctx, f.a.ID, as.ID)
			if err != nil || len(list) != 0 {
				t.Errorf("evidence after refused imports: %+v, %v", list, err)
			}
			if got, _ := f.e.st.AssessmentRevision(ctx, f.a.ID, as.ID); got != rev {
				t.Errorf("revision %d after refused imports, want %d", got, rev)
			}
		})

		t.Run("an import into one scope answers the summary and scores the objective there", func(t *testing.T) {
			r := ann.do("POST", path+"/evidence?scope=production&name="+url.QueryEscape("../scans/prowler.ocsf.json"), "application/json", fixture)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("import: %d %s", r.StatusCode, r.body)
			}
			var got struct {
				Files  []evidence.Summary
				Stored struct{ Records []store.Evidence }
			}
			r.json(t, &got)
			want := []evidence.Summary{{
				Path: "prowler.ocsf.json", Format: evidence.ProwlerOCSF, Findings: 6,
				Status: evidence.StatusCounts{Pass: 3, Fail: 3}, Muted: 1,
				ChecksMapped:  []string{rootMFACheck},
				ChecksUnknown: []string{"prowler:aws:example_check_unknown_to_the_model"},
				Objectives:    []evidence.ObjectiveCount{{ID: obj.ID, Passed: 3, Failed: 1, Muted: 1}},
			}}
			if diff := cmp.Diff(want, got.Files); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
			if !strings.Contains(string(r.body), `"stored":{"source":"prowler-ocsf:prowler.ocsf.json","file_name":"prowler.ocsf.json","format":"prowler-ocsf","scope":"production","replaced":0`) {
				t.Errorf("stored: %s", r.body)
			}
			if len(got.Stored.Records) != 1 || got.Stored.Records[0].Objective != obj.ID || got.Stored.Records[0].Scope != "production" ||
				got.Stored.Records[0].ImportedBy != f.users[csmm.RoleAssessor].ID {
				t.Errorf("stored records: %+v", got.Stored.Records)
			}
			// passed / (passed + failed), muted left out: 3 / 4.
			o := scopeValue(t, ann, path, obj.ID, "production")
			if o.Value == nil || *o.Value != 0.75 || o.Source != assess.SourceAutomated || o.Evidence == nil || o.Evidence.Muted != 1 {
				t.Errorf("%s in production: %+v", obj.ID, o)
			}
			if o := scopeValue(t, ann, path, obj.ID, "development"); o.Value == nil || *o.Value != 1 || o.Source != assess.SourceManual {
				t.Errorf("%s in development changed: %+v", obj.ID, o)
			}
			// The report is rebuilt from the new revision too.
			if r := ann.get(path + "/report?format=md&as_of=2026-12-01"); r.StatusCode != http.StatusOK || !strings.Contains(string(r.body), obj.ID) {
				t.Errorf("report: %d", r.StatusCode)
			}
		})

		if obj.Mode == model.ModeAutomated {
			t.Run("an automated objective takes the evidence over a manual answer", func(t *testing.T) {
				if r := ann.json("PUT", path+"/answers/"+obj.ID+"/production", map[string]any{"answer": "yes", "version": 0}); r.StatusCode != http.StatusOK {
					t.Fatalf("answer: %d %s", r.StatusCode, r.body)
				}
				if o := scopeValue(t, ann, path, obj.ID, "production"); o.Value == nil || *o.Value != 0.75 || o.Source != assess.SourceAutomated {
					t.Errorf("%s in production: %+v", obj.ID, o)
				}
			})
		}

		t.Run("a gzip body is read as sent with Content-Encoding or as a .gz file", func(t *testing.T) {
			for _, hdr := range [][]string{{"Content-Encoding", "gzip"}, nil} {
				r := ann.do("POST", path+"/evidence?scope=production&name=prowler.ocsf.json", "application/octet-stream", gzipped(fixture), hdr...)
				if r.StatusCode != http.StatusOK {
					t.Fatalf("import %v: %d %s", hdr, r.StatusCode, r.body)
				}
				var got struct{ Files []evidence.Summary }
				r.json(t, &got)
				if len(got.Files) != 1 || got.Files[0].Findings != 6 || got.Files[0].Format != evidence.ProwlerOCSF {
					t.Errorf("import %v: %s", hdr, r.body)
				}
			}
		})

		t.Run("viewers list the imports; assessors delete one", func(t *testing.T) {
			r := f.members[csmm.RoleViewer].get(path + "/evidence")
			var l struct {
				Items   []store.Evidence
				Imports []store.EvidenceSource
			}
			r.json(t, &l)
			if r.StatusCode != http.StatusOK || len(l.Items) != 1 || len(l.Imports) != 1 || l.Imports[0].FileName != "prowler.ocsf.json" || l.Imports[0].Format != "prowler-ocsf" {
				t.Fatalf("list: %d %s", r.StatusCode, r.body)
			}
			if r := f.members[csmm.RoleViewer].do("POST", path+"/evidence?name=x.json", "application/json", fixture); r.StatusCode != http.StatusForbidden {
				t.Errorf("viewer import: %d %s", r.StatusCode, r.body)
			}
			if r := ann.do("DELETE", path+"/evidence?source="+url.QueryEscape(l.Imports[0].Source), "", nil); r.StatusCode != http.StatusNoContent {
				t.Fatalf("delete: %d %s", r.StatusCode, r.body)
			}
			if o := scopeValue(t, ann, path, obj.ID, "production"); o.Source == assess.SourceAutomated {
				t.Errorf("%s still automated after the import was deleted: %+v", obj.ID, o)
			}
			if r := ann.do("DELETE", path+"/evidence?source="+url.QueryEscape(l.Imports[0].Source), "", nil); r.StatusCode != http.StatusNotFound {
				t.Errorf("second delete: %d %s", r.StatusCode, r.body)
			}
		})
	})
}

func gzipped(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// corrupted returns gzip data with bytes of its compressed stream changed.
func corrupted(gz []byte) []byte {
	out := bytes.Clone(gz)
	for i := len(out) / 2; i < len(out)/2+8 && i < len(out)-8; i++ {
		out[i] ^= 0x5a
	}
	return out
}

// cutUpload posts body with its full Content-Length but sends only its
// first n bytes, then closes its side of the connection, and returns the
// status the server answers.
func cutUpload(t *testing.T, c *client, path string, body []byte, n int) int {
	t.Helper()
	u, _ := url.Parse(c.e.ts.URL + path)
	var cookies []string
	for _, ck := range c.hc.Jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n",
		u.RequestURI(), u.Host, strings.Join(cookies, "; "), len(body))
	conn.Write(body[:n])
	conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read the response: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
