package server

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/csmm/csmm/internal/api"
	"github.com/csmm/csmm/internal/csmm"
)

// apiDoc validates responses against the OpenAPI document a server serves:
// every response of the API that a test's client receives is checked
// against the schema the document gives its operation and status.
type apiDoc struct {
	doc map[string]any
	ops []docOp
	c   *jsonschema.Compiler

	mu      sync.Mutex
	schemas map[string]*jsonschema.Schema
	// seen records the operations and statuses validated, for the test
	// that every operation is.
	seen map[string]bool
}

// docOp is one operation of the document.
type docOp struct {
	id, method, pattern string
	re                  *regexp.Regexp
}

const docURL = "https://csmm.test/openapi.json"

var (
	docsMu sync.Mutex
	// docs are the parsed documents by the hash of their bytes, shared by
	// the tests' servers (which serve the same document).
	docs = map[[32]byte]*apiDoc{}
)

// apiDocOf returns the validator of the document the env's server serves.
func apiDocOf(e *env) *apiDoc {
	e.t.Helper()
	if e.doc != nil {
		return e.doc
	}
	resp, err := http.Get(e.ts.URL + api.Prefix + "/openapi.json")
	if err != nil {
		e.t.Fatalf("get the OpenAPI document: %v", err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("get the OpenAPI document: status %d: %s", resp.StatusCode, buf.Bytes())
	}
	sum := sha256.Sum256(buf.Bytes())
	docsMu.Lock()
	defer docsMu.Unlock()
	if d := docs[sum]; d != nil {
		e.doc = d
		return d
	}
	d, err := parseAPIDoc(buf.Bytes())
	if err != nil {
		e.t.Fatal(err)
	}
	docs[sum] = d
	e.doc = d
	return d
}

func parseAPIDoc(data []byte) (*apiDoc, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not JSON: %w", err)
	}
	doc, _ := v.(map[string]any)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, v); err != nil {
		return nil, err
	}
	d := &apiDoc{doc: doc, c: c, schemas: map[string]*jsonschema.Schema{}, seen: map[string]bool{}}
	paths, _ := doc["paths"].(map[string]any)
	for pattern, item := range paths {
		methods, _ := item.(map[string]any)
		re := regexp.MustCompile("^" + pathParam.ReplaceAllString(regexp.QuoteMeta(pattern), `[^/]+`) + "$")
		for method, op := range methods {
			id, _ := op.(map[string]any)["operationId"].(string)
			d.ops = append(d.ops, docOp{id: id, method: strings.ToUpper(method), pattern: pattern, re: re})
		}
	}
	return d, nil
}

// pathParam is a {name} of a path pattern, quoted by regexp.QuoteMeta.
var pathParam = regexp.MustCompile(`\\\{[a-z]+\\\}`)

// op finds the operation of a request path under the API's prefix; a
// literal segment wins over a parameter (assessments/import over {id}).
func (d *apiDoc) op(method, path string) (docOp, bool) {
	var found docOp
	ok := false
	for _, o := range d.ops {
		if o.method == method && o.re.MatchString(path) {
			if !ok || strings.Count(o.pattern, "{") < strings.Count(found.pattern, "{") {
				found, ok = o, true
			}
		}
	}
	return found, ok
}

// pointer escapes a JSON pointer token.
func pointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// check validates one response of the API: its status must be documented
// for the operation (a 4xx by its own code; other errors fall to default),
// its media type among the documented ones, and a JSON body must match the
// schema. It returns the operation's ID; "" for a path the API has no
// operation for.
func (d *apiDoc) check(method, rawPath string, status int, header http.Header, body []byte) (string, error) {
	u, err := url.Parse(rawPath)
	if err != nil {
		return "", err
	}
	path, ok := strings.CutPrefix(u.Path, api.Prefix)
	if !ok {
		return "", nil
	}
	if method == http.MethodHead {
		method = http.MethodGet
	}
	o, ok := d.op(method, path)
	if !ok {
		return "", nil
	}
	opJSON := d.doc["paths"].(map[string]any)[o.pattern].(map[string]any)[strings.ToLower(method)].(map[string]any)
	responses := opJSON["responses"].(map[string]any)
	key := strconv.Itoa(status)
	resp, ok := responses[key].(map[string]any)
	loc := "#/paths/" + pointer(o.pattern) + "/" + strings.ToLower(method) + "/responses/" + key
	if !ok {
		if status >= 400 && status < 500 || status < 300 {
			return o.id, fmt.Errorf("%s %s: status %d is not documented for %s (documented: %v)", method, rawPath, status, o.id, keys(responses))
		}
		resp, loc = responses["default"].(map[string]any), loc[:strings.LastIndexByte(loc, '/')]+"/default"
	}
	if ref, ok := resp["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/responses/")
		resp = d.doc["components"].(map[string]any)["responses"].(map[string]any)[name].(map[string]any)
		loc = ref
	}
	content, _ := resp["content"].(map[string]any)
	if status == http.StatusNoContent || content == nil {
		if len(body) != 0 {
			return o.id, fmt.Errorf("%s %s: status %d documents no body, got %.200s", method, rawPath, status, body)
		}
		d.record(o.id, key)
		return o.id, nil
	}
	media, _, err := mime.ParseMediaType(header.Get("Content-Type"))
	if err != nil {
		return o.id, fmt.Errorf("%s %s: Content-Type %q: %v", method, rawPath, header.Get("Content-Type"), err)
	}
	if _, ok := content[media]; !ok {
		return o.id, fmt.Errorf("%s %s: status %d answered %s, which the document does not list (%v)", method, rawPath, status, media, keys(content))
	}
	if media == "application/json" {
		schema, err := d.schema(loc + "/content/" + pointer(media) + "/schema")
		if err != nil {
			return o.id, err
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err != nil {
			return o.id, fmt.Errorf("%s %s: the body is not JSON: %v", method, rawPath, err)
		}
		if err := schema.Validate(v); err != nil {
			return o.id, fmt.Errorf("%s %s: status %d: the body does not match the document's schema for %s:\n%v\nbody: %.2000s", method, rawPath, status, o.id, err, body)
		}
	}
	d.record(o.id, key)
	return o.id, nil
}

func (d *apiDoc) record(op, status string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seen[op+" "+status] = true
}

// validated reports whether a response of the operation with the status
// has been validated.
func (d *apiDoc) validated(op, status string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.seen[op+" "+status]
}

// schema compiles the schema at a location of the document once.
func (d *apiDoc) schema(loc string) (*jsonschema.Schema, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.schemas[loc]; ok {
		return s, nil
	}
	s, err := d.c.Compile(docURL + loc)
	if err != nil {
		return nil, fmt.Errorf("compile the document's schema %s: %w", loc, err)
	}
	d.schemas[loc] = s
	return s, nil
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestAPIResponsesMatchSchema drives every operation of the API against a
// real server, to success and to its errors, and checks that each answer
// matches the served document's schema for its operation and status (the
// client of every server test checks the same on each API answer).
func TestAPIResponsesMatchSchema(t *testing.T) {
	f := newFixture(t, newDSN(t, "sqlite"))
	e := f.e
	d := apiDocOf(e)
	owner := f.members[csmm.RoleOwner]
	anonymous := e.client()

	// Outside an organization.
	anonymous.get(api.Prefix + "/openapi.json")
	anonymous.get(api.Prefix + "/openapi.json?pretty=maybe")
	for _, p := range []string{"/me", "/orgs"} {
		owner.get(api.Prefix + p)
		owner.get(api.Prefix + p + "?pretty=maybe")
		anonymous.get(api.Prefix + p)
	}
	// Every sign-in first: wrong current passwords count against this
	// address's sign-ins too.
	u := e.addUser("acme-corp", "changer@acme.example", csmm.RoleViewer)
	changer := e.login(u.Email, "password of "+u.Email)
	l := e.addUser("acme-corp", "leaver@acme.example", csmm.RoleViewer)
	leaver := e.login(l.Email, "password of "+l.Email)
	viewerEmail := f.users[csmm.RoleViewer].Email
	other := e.login(viewerEmail, "password of "+viewerEmail)
	ownerToken := e.bearerFor(t, "owner@acme.example", "acme-corp")

	other.json("PUT", api.Prefix+"/me/password", map[string]string{"current_password": "password of " + viewerEmail, "new_password": "new password 2 long"})
	for range 6 {
		changer.json("PUT", api.Prefix+"/me/password", map[string]string{"current_password": "wrong password 1", "new_password": "new password 2 long"})
	}
	anonymous.json("PUT", api.Prefix+"/me/password", map[string]string{})
	ownerToken.json("PUT", api.Prefix+"/me/password", map[string]string{})
	anonymous.do("DELETE", api.Prefix+"/me/sessions", "", nil)
	ownerToken.do("DELETE", api.Prefix+"/me/sessions", "", nil)
	leaver.do("DELETE", api.Prefix+"/me/sessions?pretty=maybe", "", nil)
	leaver.do("DELETE", api.Prefix+"/me/sessions", "", nil)

	// In an organization: success as the owner, 404 in another
	// organization, 403 below the role needed, 401 without credentials, 400
	// for a bad parameter.
	viewer := e.bearerFor(t, "viewer@acme.example", "acme-corp")
	for op, build := range builders {
		req := build(f, f.a, f.users[csmm.RoleOwner])
		owner.do(req.method, api.Prefix+req.path, req.ctype, req.body)
		req = build(f, f.b, f.users[csmm.RoleOwner])
		owner.do(req.method, api.Prefix+req.path, req.ctype, req.body)
		if minRole[op] != csmm.RoleViewer {
			req = build(f, f.a, f.users[csmm.RoleViewer])
			viewer.do(req.method, api.Prefix+req.path, req.ctype, req.body)
		}
		req = build(f, f.a, f.users[csmm.RoleOwner])
		anonymous.do(req.method, api.Prefix+req.path, req.ctype, req.body)
		sep := "?"
		if strings.Contains(req.path, "?") {
			sep = "&"
		}
		owner.do(req.method, api.Prefix+req.path+sep+"pretty=maybe", req.ctype, req.body)
	}

	// The report's JSON and YAML answers besides the md one the builder asks for.
	owner.get(api.Prefix + "/orgs/acme-corp/assessments/" + f.assessA + "/report?format=json")
	owner.get(api.Prefix + "/orgs/acme-corp/assessments/" + f.assessA + "/report?format=csv")
	owner.get(api.Prefix + "/orgs/acme-corp/assessments/" + f.assessA + "/report?format=html")

	// The errors that carry data: an answer's conflict and a file's problems.
	path := api.Prefix + "/orgs/acme-corp/assessments/" + f.assessA + "/answers/IAM-2.1/default"
	owner.json("PUT", path, map[string]any{"answer": "yes", "version": 0})
	owner.json("PUT", path, map[string]any{"answer": "yes", "version": 0})
	owner.do("POST", api.Prefix+"/orgs/acme-corp/models", "application/yaml", []byte("id: broken\n"))
	viewer.json("POST", api.Prefix+"/orgs/acme-corp/tokens", map[string]string{"name": "too high", "role": "owner"})
	owner.do("POST", api.Prefix+"/orgs/acme-corp/assessments/"+f.assessA+"/evidence?name=scan.json", "application/json", []byte("{not json"))

	paths := d.doc["paths"].(map[string]any)
	for pattern, item := range paths {
		for method, op := range item.(map[string]any) {
			op := op.(map[string]any)
			id := op["operationId"].(string)
			for status := range op["responses"].(map[string]any) {
				required := status == "400" || status == "401" || status == "404" || strings.HasPrefix(status, "2")
				if status == "404" && !strings.Contains(pattern, "{org}") {
					required = false
				}
				if required && !d.validated(id, status) {
					t.Errorf("%s %s (%s): no %s response was validated", strings.ToUpper(method), pattern, id, status)
				}
			}
		}
	}
	for _, want := range []string{"putAnswer 409", "uploadModel 400", "importEvidence 400", "changePassword 429", "changePassword 403", "changePassword 204", "createToken 403"} {
		op, status, _ := strings.Cut(want, " ")
		if !d.validated(op, status) {
			t.Errorf("no %s response of %s was validated", status, op)
		}
	}
}
