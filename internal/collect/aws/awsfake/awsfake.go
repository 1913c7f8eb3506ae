// Package awsfake is a fake AWS endpoint for tests and benchmarks of the
// AWS collector: one HTTP server answering every service the collector
// calls, in each service's own protocol (JSON 1.1, REST-JSON, query, EC2
// query, REST-XML), from response templates in responses/ that follow the
// real API shapes. It answers from a World: an organization with OUs,
// accounts, policies and per-region settings, and the faults to inject
// (throttling, access denied). Requests are told apart by their SigV4
// credential scope (service and region) and access key (the caller's, or a
// member account's as issued by the fake sts:AssumeRole).
package awsfake

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/csmm/csmm/internal/collect/aws/awsapi"
)

//go:embed responses
var fakeFiles embed.FS

// OU is an organizational unit.
type OU struct{ ID, Name, Parent string }

// Policy is a service control policy.
type Policy struct {
	ID, Name, Content string
	AWSManaged        bool
}

// User is an IAM user.
type User struct {
	Name      string
	Password  bool
	ActiveKey bool
}

// Trail is a CloudTrail trail of the caller.
type Trail struct {
	Name, Bucket                      string
	MultiRegion, Validation, KMS, Org bool
	Logging                           bool
}

// Account is an account of the organization and its settings.
type Account struct {
	ID, Name, Parent string
	AssumeDenied     bool
	RootMFA          bool
	RootKeys         int
	Users            []User
	PAB              *[4]bool
	// OptedOut lists opt-in regions not enabled for the account.
	OptedOut map[string]bool
	// Off lists features off: "guardduty", "securityhub", "config", "ebs",
	// alone (every region) or as "guardduty/eu-west-1".
	Off      map[string]bool
	Backup   bool
	Analyzer map[string]bool
	IDC      bool
}

func (a *Account) off(feature, region string) bool {
	return a.Off[feature] || a.Off[feature+"/"+region]
}

// World is the state the fake answers from.
type World struct {
	Org, Mgmt, Root string
	OUs             []OU
	Accounts        []*Account
	Policies        map[string]Policy
	Attach          map[string][]string
	Delegated       map[string]string
	Trails          []Trail
	Buckets         map[string][]string
	ObjectLock      map[string]bool
	CentralRoot     bool
	Regions         []string
	OptIn           map[string]bool
	PageSize        int
	// Throttle answers a throttling error that many times (-1: always) to
	// the calls matching a key: "service:Operation", optionally prefixed
	// "account/" or "account/region/".
	Throttle map[string]int
	// Deny answers AccessDenied to the calls matching a key.
	Deny map[string]bool
	// WebIdentityToken is the one OIDC token sts:AssumeRoleWithWebIdentity
	// accepts; empty to accept none.
	WebIdentityToken string
}

// Server is the running endpoint.
type Server struct {
	w      *World
	tmpl   *template.Template
	srv    *httptest.Server
	mu     sync.Mutex
	calls  map[string]int
	left   map[string]int
	byAcct map[string]*Account
}

// New starts a fake endpoint answering from w; it stops when the test ends.
func New(tb testing.TB, w *World) *Server {
	tb.Helper()
	if w.PageSize == 0 {
		w.PageSize = 2
	}
	t := template.New("").Funcs(template.FuncMap{"js": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	}})
	t, err := t.ParseFS(fakeFiles, "responses/*")
	if err != nil {
		tb.Fatal(err)
	}
	f := &Server{w: w, tmpl: t, calls: map[string]int{}, left: map[string]int{}, byAcct: map[string]*Account{}}
	maps.Copy(f.left, w.Throttle)
	for _, a := range w.Accounts {
		f.byAcct[a.ID] = a
	}
	f.srv = httptest.NewServer(f)
	tb.Cleanup(f.srv.Close)
	return f
}

// Config returns a client configuration pointed at the fake through
// BaseEndpoint, with static credentials. Its HTTP client dials the fake for
// every host, so that a client that puts a bucket or an account ID in front
// of the host still reaches it.
func (f *Server) Config() *awsapi.Config {
	addr := f.srv.Listener.Addr().String()
	dialer := &net.Dialer{}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	}
	return &awsapi.Config{
		Region:       "us-east-1",
		Credentials:  awsapi.StaticCredentials{AccessKeyID: "AKIDCALLER", SecretAccessKey: "secret", Source: "awsfake"},
		BaseEndpoint: f.srv.URL,
		HTTPClient:   &http.Client{Transport: tr, Timeout: 30 * time.Second},
	}
}

var credRe = regexp.MustCompile(`Credential=([^/]+)/[^/]+/([^/]+)/([^/]+)/aws4_request`)

// req is one parsed request.
type req struct {
	service, op, account, region, proto string
	params                              map[string]any
	form                                url.Values
	r                                   *http.Request
}

func (p *req) str(k string) string {
	if v, ok := p.params[k].(string); ok {
		return v
	}
	if v := p.form.Get(k); v != "" {
		return v
	}
	return p.r.URL.Query().Get(k)
}

// apiError is an error answer: its code and HTTP status.
type apiError struct {
	code   string
	status int
	msg    string
}

func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	m := credRe.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		// The one unsigned call: sts:AssumeRoleWithWebIdentity.
		if form, _ := url.ParseQuery(string(body)); form.Get("Action") == "AssumeRoleWithWebIdentity" {
			m = []string{"", "", "", "sts"}
		} else {
			http.Error(w, "unsigned request", http.StatusBadRequest)
			return
		}
	}
	p := &req{service: m[3], region: m[2], account: f.w.Mgmt, params: map[string]any{}, r: r}
	if rest, ok := strings.CutPrefix(m[1], "ASIA"); ok {
		p.account = rest
	}
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		t := r.Header.Get("X-Amz-Target")
		p.op, p.proto = t[strings.LastIndex(t, ".")+1:], "json"
		json.Unmarshal(body, &p.params)
	case p.service == "sts" || p.service == "iam" || p.service == "ec2":
		p.form, _ = url.ParseQuery(string(body))
		p.op, p.proto = p.form.Get("Action"), "query"
		if p.service == "ec2" {
			p.proto = "ec2"
		}
	case p.service == "s3" && strings.HasPrefix(r.URL.Path, "/v20180820/"):
		p.service, p.proto = "s3control", "s3control"
		if strings.HasSuffix(r.URL.Path, "/configuration/publicAccessBlock") {
			p.op = "GetPublicAccessBlock"
		}
	case p.service == "s3":
		p.proto = "s3"
		switch {
		case r.URL.Path == "/":
			p.op = "ListBuckets"
		case r.URL.Query().Has("object-lock"):
			p.op = "GetObjectLockConfiguration"
			p.params["Bucket"] = strings.Trim(r.URL.Path, "/")
		}
	default:
		p.proto = "restjson"
		switch path := r.URL.Path; {
		case p.service == "guardduty" && path == "/detector":
			p.op = "ListDetectors"
		case p.service == "guardduty" && strings.HasPrefix(path, "/detector/"):
			p.op, p.params["DetectorId"] = "GetDetector", strings.TrimPrefix(path, "/detector/")
		case p.service == "securityhub" && path == "/accounts":
			p.op = "DescribeHub"
		case p.service == "access-analyzer" && path == "/analyzer":
			p.op = "ListAnalyzers"
		}
	}
	if p.op == "" {
		http.Error(w, "the fake does not know "+r.Method+" "+r.URL.String()+" of "+p.service, http.StatusNotImplemented)
		return
	}
	key := p.service + ":" + p.op
	f.mu.Lock()
	f.calls[key]++
	f.mu.Unlock()
	if e := f.fault(p, key); e != nil {
		f.writeError(w, p, e)
		return
	}
	data, e := f.answer(p)
	if e != nil {
		f.writeError(w, p, e)
		return
	}
	ext := ".json"
	switch p.proto {
	case "query", "ec2", "s3", "s3control":
		ext = ".xml"
		w.Header().Set("Content-Type", "text/xml")
	case "json":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	default:
		w.Header().Set("Content-Type", "application/json")
	}
	if err := f.tmpl.ExecuteTemplate(w, key[:strings.Index(key, ":")]+"."+p.op+ext, data); err != nil {
		panic(err)
	}
}

// fault answers the throttling and access denied errors the world asks for.
func (f *Server) fault(p *req, key string) *apiError {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range []string{p.account + "/" + p.region + "/" + key, p.account + "/" + key, key} {
		if f.w.Deny[k] {
			return &apiError{code: "AccessDenied", status: 403, msg: "User is not authorized to perform: " + key}
		}
		if n, ok := f.left[k]; ok && n != 0 {
			if n > 0 {
				f.left[k] = n - 1
			}
			return &apiError{code: "Throttling", status: 400, msg: "Rate exceeded"}
		}
	}
	return nil
}

func (f *Server) writeError(w http.ResponseWriter, p *req, e *apiError) {
	code := e.code
	if code == "AccessDenied" && (p.proto == "json" || p.proto == "restjson") {
		code = "AccessDeniedException"
	}
	if code == "Throttling" {
		switch p.proto {
		case "json":
			code = "ThrottlingException"
		case "restjson":
			code, e.status = "TooManyRequestsException", 429
		case "ec2":
			code, e.status = "RequestLimitExceeded", 503
		case "s3", "s3control":
			code, e.status = "SlowDown", 503
		}
	}
	esc := func(s string) string {
		var b strings.Builder
		xmlEscape(&b, s)
		return b.String()
	}
	switch p.proto {
	case "json":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(e.status)
		fmt.Fprintf(w, `{"__type": %q, "message": %q}`, code, e.msg)
	case "restjson":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(e.status)
		fmt.Fprintf(w, `{"message": %q}`, e.msg)
	case "query":
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(e.status)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>01234567</RequestId></ErrorResponse>`, code, esc(e.msg))
	case "ec2":
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(e.status)
		fmt.Fprintf(w, `<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>01234567</RequestID></Response>`, code, esc(e.msg))
	case "s3control":
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(e.status)
		fmt.Fprintf(w, `<ErrorResponse><Error><Code>%s</Code><Message>%s</Message></Error><RequestId>01234567</RequestId></ErrorResponse>`, code, esc(e.msg))
	default:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(e.status)
		fmt.Fprintf(w, `<Error><Code>%s</Code><Message>%s</Message><RequestId>01234567</RequestId></Error>`, code, esc(e.msg))
	}
}

// tmplData is what a response template sees.
type tmplData struct {
	Org, Mgmt, Root, Account, Region string
	Item                             any
	Items                            any
	NextToken                        string
}

// page cuts one page of n items from a token ("" or an index).
func page(size, n int, token string) (from, to int, next string) {
	fmt.Sscan(token, &from)
	to = min(from+size, n)
	if to < n {
		next = fmt.Sprint(to)
	}
	return from, to, next
}

func pageOf[T any](f *Server, items []T, token string) ([]T, string) {
	from, to, next := page(f.w.PageSize, len(items), token)
	if from > len(items) {
		return nil, ""
	}
	return items[from:to], next
}

func notFound(code, msg string) *apiError { return &apiError{code: code, status: 404, msg: msg} }

// answer computes the data of a successful response, or an error the
// world's state implies (a role that cannot be assumed, a service off).
func (f *Server) answer(p *req) (tmplData, *apiError) {
	w := f.w
	d := tmplData{Org: w.Org, Mgmt: w.Mgmt, Root: w.Root, Account: p.account, Region: p.region}
	acct := f.byAcct[p.account]
	if acct == nil {
		return d, &apiError{code: "InvalidClientTokenId", status: 403, msg: "unknown account " + p.account}
	}
	if w.OptIn[p.region] && acct.OptedOut[p.region] && p.service != "sts" && p.service != "iam" && p.service != "organizations" {
		return d, &apiError{code: "UnrecognizedClientException", status: 400, msg: "The security token included in the request is invalid"}
	}
	switch p.service + ":" + p.op {
	case "sts:GetCallerIdentity":
	case "sts:AssumeRole":
		arn := p.str("RoleArn")
		parts := strings.Split(arn, ":")
		target := f.byAcct[parts[4]]
		if target == nil || target.AssumeDenied {
			return d, &apiError{code: "AccessDenied", status: 403, msg: "User: arn:aws:sts::" + p.account + ":assumed-role/SecurityAudit/csmm is not authorized to perform: sts:AssumeRole on resource: " + arn}
		}
		d.Item = target.ID
	case "sts:AssumeRoleWithWebIdentity":
		parts := strings.Split(p.str("RoleArn"), ":")
		if w.WebIdentityToken == "" || p.str("WebIdentityToken") != w.WebIdentityToken || len(parts) < 5 || f.byAcct[parts[4]] == nil {
			return d, &apiError{code: "InvalidIdentityToken", status: 400, msg: "Couldn't retrieve verification key from your identity provider"}
		}
		d.Item = parts[4]
	case "organizations:DescribeOrganization", "organizations:ListRoots":
	case "organizations:ListAccountsForParent":
		var items []*Account
		for _, a := range w.Accounts {
			if a.Parent == p.str("ParentId") {
				items = append(items, a)
			}
		}
		d.Items, d.NextToken = pageOf(f, items, p.str("NextToken"))
	case "organizations:ListOrganizationalUnitsForParent":
		var items []OU
		for _, o := range w.OUs {
			if o.Parent == p.str("ParentId") {
				items = append(items, o)
			}
		}
		d.Items, d.NextToken = pageOf(f, items, p.str("NextToken"))
	case "organizations:ListPoliciesForTarget":
		var items []Policy
		for _, id := range w.Attach[p.str("TargetId")] {
			items = append(items, w.Policies[id])
		}
		d.Items, d.NextToken = pageOf(f, items, p.str("NextToken"))
	case "organizations:DescribePolicy":
		pol, ok := w.Policies[p.str("PolicyId")]
		if !ok {
			return d, &apiError{code: "PolicyNotFoundException", status: 400, msg: "no policy"}
		}
		d.Item = pol
	case "organizations:ListDelegatedAdministrators":
		var items []string
		if a, ok := w.Delegated[p.str("ServicePrincipal")]; ok {
			items = append(items, a)
		}
		d.Items = items
	case "organizations:DescribeEffectivePolicy":
		t := f.byAcct[p.str("TargetId")]
		if t == nil || !t.Backup {
			return d, &apiError{code: "EffectivePolicyNotFoundException", status: 400, msg: "no effective policy of type BACKUP_POLICY"}
		}
		d.Account = t.ID
	case "cloudtrail:DescribeTrails":
		d.Items = w.Trails
	case "cloudtrail:GetTrailStatus":
		for _, t := range w.Trails {
			if strings.HasSuffix(p.str("Name"), "/"+t.Name) {
				d.Item = t
			}
		}
		if d.Item == nil {
			return d, &apiError{code: "TrailNotFoundException", status: 400, msg: "unknown trail"}
		}
	case "config:DescribeConfigurationRecorderStatus":
		d.Item = !acct.off("config", p.region)
	case "sso:ListInstances":
		d.Item = acct.IDC
	case "guardduty:ListDetectors":
		d.Items, d.NextToken = []string{"det" + acct.ID}, ""
	case "guardduty:GetDetector":
		d.Item = map[bool]string{false: "ENABLED", true: "DISABLED"}[acct.off("guardduty", p.region)]
	case "securityhub:DescribeHub":
		if acct.off("securityhub", p.region) {
			return d, &apiError{code: "InvalidAccessException", status: 401, msg: "Account " + acct.ID + " is not subscribed to AWS Security Hub"}
		}
	case "access-analyzer:ListAnalyzers":
		var items []string
		if acct.Analyzer[p.region] {
			items = []string{"org-analyzer"}
		}
		d.Items, d.NextToken = pageOf(f, items, p.str("nextToken"))
	case "iam:GetAccountSummary":
		d.Item = acct
	case "iam:ListUsers":
		d.Items, d.NextToken = pageOf(f, acct.Users, p.str("Marker"))
	case "iam:GetLoginProfile", "iam:ListAccessKeys":
		i := slices.IndexFunc(acct.Users, func(u User) bool { return u.Name == p.str("UserName") })
		if i < 0 {
			return d, notFound("NoSuchEntity", "The user with name "+p.str("UserName")+" cannot be found.")
		}
		u := acct.Users[i]
		if p.op == "GetLoginProfile" {
			if !u.Password {
				return d, notFound("NoSuchEntity", "Login Profile for User "+u.Name+" cannot be found.")
			}
			d.Item = u.Name
		} else {
			d.Item = u
		}
	case "iam:ListOrganizationsFeatures":
		if p.account != w.Mgmt {
			return d, &apiError{code: "AccountNotManagementOrDelegatedAdministratorException", status: 400, msg: "not the management account"}
		}
		d.Item = w.CentralRoot
	case "ec2:DescribeRegions":
		type region struct{ Name, OptIn string }
		var items []region
		for _, r := range w.Regions {
			st := "opt-in-not-required"
			if w.OptIn[r] {
				st = map[bool]string{false: "opted-in", true: "not-opted-in"}[acct.OptedOut[r]]
			}
			items = append(items, region{r, st})
		}
		d.Items = items
	case "ec2:GetEbsEncryptionByDefault":
		d.Item = !acct.off("ebs", p.region)
	case "s3:ListBuckets":
		d.Items = w.Buckets[acct.ID]
	case "s3:GetObjectLockConfiguration":
		if !w.ObjectLock[p.str("Bucket")] {
			return d, notFound("ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket")
		}
	case "s3control:GetPublicAccessBlock":
		t := f.byAcct[p.r.Header.Get("X-Amz-Account-Id")]
		if t == nil || t.PAB == nil {
			return d, notFound("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
		}
		d.Item = t.PAB[:]
	default:
		return d, &apiError{code: "InvalidAction", status: 400, msg: "the fake does not answer " + p.service + ":" + p.op}
	}
	return d, nil
}

func xmlEscape(b *strings.Builder, s string) {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	b.WriteString(r.Replace(s))
}

// Calls counts the calls answered so far (errors included), by
// service:Operation as the fake names them (s3control for S3 Control).
func (f *Server) Calls() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.calls)
}
