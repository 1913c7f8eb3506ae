package awsapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseError(t *testing.T) {
	tests := []struct {
		name           string
		proto          protocol
		status         int
		header         map[string]string
		body           string
		code, msg, rid string
	}{
		{"query", protoQuery, 403, nil,
			`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: x is not authorized</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
			"AccessDenied", "User: x is not authorized", "r-1"},
		{"ec2", protoEC2, 503, nil,
			`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>r-2</RequestID></Response>`,
			"RequestLimitExceeded", "Request limit exceeded.", "r-2"},
		{"s3", protoRESTXML, 404, map[string]string{"X-Amz-Request-Id": "hdr"},
			`<?xml version="1.0" encoding="UTF-8"?><Error><Code>ObjectLockConfigurationNotFoundError</Code><Message>Object Lock configuration does not exist for this bucket</Message><RequestId>r-3</RequestId></Error>`,
			"ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket", "r-3"},
		{"s3 without a body", protoRESTXML, 403, map[string]string{"X-Amz-Request-Id": "hdr"}, ``, "Forbidden", "", "hdr"},
		{"s3control", protoRESTXML, 404, nil,
			`<ErrorResponse><Error><Code>NoSuchPublicAccessBlockConfiguration</Code><Message>none</Message></Error><RequestId>r-4</RequestId></ErrorResponse>`,
			"NoSuchPublicAccessBlockConfiguration", "none", "r-4"},
		{"json 1.1 with a namespace", protoJSON, 400, map[string]string{"X-Amzn-Requestid": "r-5"},
			`{"__type":"com.amazonaws.organizations.v20161128#EffectivePolicyNotFoundException","Message":"no effective policy"}`,
			"EffectivePolicyNotFoundException", "no effective policy", "r-5"},
		{"rest-json header with a URL", protoRESTJSON, 429,
			map[string]string{"X-Amzn-Errortype": "TooManyRequestsException:http://internal.amazon.com/coral/com.amazon.coral.service/"},
			`{"message":"Rate exceeded"}`, "TooManyRequestsException", "Rate exceeded", ""},
		{"rest-json code in the body", protoRESTJSON, 401, nil,
			`{"code":"InvalidAccessException","message":"Account 1 is not subscribed to AWS Security Hub"}`,
			"InvalidAccessException", "Account 1 is not subscribed to AWS Security Hub", ""},
		{"not JSON at all", protoJSON, 502, nil, `<html>Bad Gateway</html>`, "BadGateway", "<html>Bad Gateway</html>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			e := parseError(tt.proto, tt.status, h, []byte(tt.body))
			got := []string{e.Code, e.Message, e.RequestID}
			if d := cmp.Diff([]string{tt.code, tt.msg, tt.rid}, got); d != "" {
				t.Errorf("code, message, request ID (-want +got):\n%s", d)
			}
			if e.StatusCode != tt.status {
				t.Errorf("status %d; want %d", e.StatusCode, tt.status)
			}
		})
	}
}

// server is a test endpoint answering with a function, recording the
// requests.
type server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
	body []string
}

func newServer(t *testing.T, answer func(n int, r *http.Request, body string, w http.ResponseWriter)) *server {
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, r)
		s.body = append(s.body, string(b))
		n := len(s.reqs)
		s.mu.Unlock()
		answer(n, r, string(b), w)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

func testConfig(s *server, attempts int) Config {
	return Config{Region: "eu-west-1", BaseEndpoint: s.URL, MaxAttempts: attempts, MaxBackoff: time.Millisecond,
		Credentials: StaticCredentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}}
}

func TestRetries(t *testing.T) {
	throttle := func(w http.ResponseWriter) {
		w.Header().Set("X-Amzn-Errortype", "TooManyRequestsException")
		w.WriteHeader(429)
		fmt.Fprint(w, `{"message":"Rate exceeded"}`)
	}
	tests := []struct {
		name     string
		attempts int
		fail     int // answers that fail before a success
		answer   func(w http.ResponseWriter)
		calls    int
		code     string
	}{
		{"throttled twice, then answered", 3, 2, throttle, 3, ""},
		{"throttled past the attempts", 3, 10, throttle, 3, "TooManyRequestsException"},
		{"server error retried", 5, 1, func(w http.ResponseWriter) {
			w.WriteHeader(500)
			fmt.Fprint(w, `{"__type":"InternalServerError","message":"oops"}`)
		}, 2, ""},
		{"access denied not retried", 5, 10, func(w http.ResponseWriter) {
			w.Header().Set("X-Amzn-Errortype", "AccessDeniedException")
			w.WriteHeader(403)
			fmt.Fprint(w, `{"message":"denied"}`)
		}, 1, "AccessDeniedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, func(n int, r *http.Request, _ string, w http.ResponseWriter) {
				if n <= tt.fail {
					tt.answer(w)
					return
				}
				fmt.Fprint(w, `{"status":"ENABLED"}`)
			})
			status, err := New(testConfig(s, tt.attempts)).GetDetector(context.Background(), "d1")
			if s.count() != tt.calls {
				t.Errorf("%d calls; want %d", s.count(), tt.calls)
			}
			if got := ErrorCode(err); got != tt.code {
				t.Fatalf("error code %q (%v); want %q", got, err, tt.code)
			}
			if tt.code == "" && status != "ENABLED" {
				t.Errorf("status %q; want ENABLED", status)
			}
			if tt.code != "" {
				oe, ok := errors.AsType[*OperationError](err)
				if !ok || oe.Action != "guardduty:GetDetector" || oe.Service != "GuardDuty" {
					t.Errorf("error %#v; want an OperationError of guardduty:GetDetector", err)
				}
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	for attempt := 1; attempt <= 4; attempt++ {
		for range 50 {
			d := backoff(attempt, 20*time.Second)
			if d < 0 || d >= time.Duration(1<<attempt)*time.Second {
				t.Fatalf("attempt %d: %v outside [0, %ds)", attempt, d, 1<<attempt)
			}
		}
	}
	if d := backoff(5, 20*time.Second); d != 20*time.Second {
		t.Errorf("attempt 5: %v; want the 20s cap", d)
	}
	if d := backoff(1, time.Millisecond); d != time.Millisecond {
		t.Errorf("1ms cap: %v", d)
	}
}

func TestPagination(t *testing.T) {
	// IAM: IsTruncated and Marker, three pages.
	users := [][]string{{"a", "b"}, {"c", "d"}, {"e"}}
	s := newServer(t, func(n int, r *http.Request, body string, w http.ResponseWriter) {
		form, _ := url.ParseQuery(body)
		page := 0
		fmt.Sscan(strings.TrimPrefix(form.Get("Marker"), "m"), &page)
		fmt.Fprint(w, `<ListUsersResponse><ListUsersResult><Users>`)
		for _, u := range users[page] {
			fmt.Fprintf(w, `<member><UserName>%s</UserName></member>`, u)
		}
		fmt.Fprint(w, `</Users>`)
		if page+1 < len(users) {
			fmt.Fprintf(w, `<IsTruncated>true</IsTruncated><Marker>m%d</Marker>`, page+1)
		} else {
			fmt.Fprint(w, `<IsTruncated>false</IsTruncated>`)
		}
		fmt.Fprint(w, `</ListUsersResult></ListUsersResponse>`)
	})
	var got []string
	for u, err := range New(testConfig(s, 1)).ListUsers(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, u.UserName)
	}
	if d := cmp.Diff([]string{"a", "b", "c", "d", "e"}, got); d != "" {
		t.Errorf("users (-want +got):\n%s", d)
	}
	if s.count() != 3 {
		t.Errorf("%d calls; want 3", s.count())
	}
	if !strings.Contains(s.body[2], "Marker=m2") || strings.Contains(s.body[0], "Marker") {
		t.Errorf("markers sent: %q", s.body)
	}

	// Organizations: a NextToken that repeats ends the pages; stopping
	// early fetches no further page.
	o := newServer(t, func(n int, r *http.Request, body string, w http.ResponseWriter) {
		fmt.Fprintf(w, `{"Accounts":[{"Id":"%d","State":"ACTIVE"}],"NextToken":"same"}`, n)
	})
	var ids []string
	for a, err := range New(testConfig(o, 1)).ListAccountsForParent(context.Background(), "r-1") {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	if d := cmp.Diff([]string{"1", "2"}, ids); d != "" {
		t.Errorf("accounts (-want +got):\n%s", d)
	}
	if !strings.Contains(o.body[1], `"NextToken":"same"`) || !strings.Contains(o.body[0], `"ParentId":"r-1"`) {
		t.Errorf("bodies %q", o.body)
	}
	for range New(testConfig(o, 1)).ListAccountsForParent(context.Background(), "r-1") {
		break
	}
	if o.count() != 3 {
		t.Errorf("%d calls after stopping at the first account; want 3", o.count())
	}
}

var scopeRe = regexp.MustCompile(`Credential=[^/]+/\d+/([^/]+)/([^/]+)/aws4_request`)

// TestRequests checks what each protocol sends: method, path, query,
// target and signing scope.
func TestRequests(t *testing.T) {
	s := newServer(t, func(n int, r *http.Request, body string, w http.ResponseWriter) {
		w.Write([]byte(`{}`))
	})
	ctx := context.Background()
	c := New(testConfig(s, 1))
	c.ListAnalyzers(ctx, "ORGANIZATION")(func(Analyzer, error) bool { return false })
	c.DescribeConfigurationRecorderStatus(ctx)
	c.GetPublicAccessBlock(ctx, "123456789012")
	c.GetObjectLockConfiguration(ctx, "trail-bucket")
	c.DescribeRegions(ctx, true)
	type sent struct{ Method, URI, Target, Scope, Account, Body string }
	var got []sent
	for i, r := range s.reqs {
		m := scopeRe.FindStringSubmatch(r.Header.Get("Authorization"))
		got = append(got, sent{r.Method, r.URL.RequestURI(), r.Header.Get("X-Amz-Target"), m[1] + "/" + m[2], r.Header.Get("X-Amz-Account-Id"), s.body[i]})
	}
	want := []sent{
		{"GET", "/analyzer?type=ORGANIZATION", "", "eu-west-1/access-analyzer", "", ""},
		{"POST", "/", "StarlingDoveService.DescribeConfigurationRecorderStatus", "eu-west-1/config", "", "{}"},
		{"GET", "/v20180820/configuration/publicAccessBlock", "", "eu-west-1/s3", "123456789012", ""},
		{"GET", "/trail-bucket?object-lock=", "", "eu-west-1/s3", "", ""},
		{"POST", "/", "", "eu-west-1/ec2", "", "Action=DescribeRegions&AllRegions=true&Version=2016-11-15"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
}

func TestEndpoints(t *testing.T) {
	tests := []struct {
		svc          *service
		region       string
		base, signIn string
	}{
		{svcIAM, "eu-west-1", "https://iam.amazonaws.com", "us-east-1"},
		{svcIAM, "us-gov-east-1", "https://iam.us-gov.amazonaws.com", "us-gov-west-1"},
		{svcIAM, "cn-northwest-1", "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1"},
		{svcOrganizations, "ap-southeast-2", "https://organizations.us-east-1.amazonaws.com", "us-east-1"},
		{svcOrganizations, "cn-north-1", "https://organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"},
		{svcSTS, "eu-central-1", "https://sts.eu-central-1.amazonaws.com", "eu-central-1"},
		{svcS3Control, "us-west-2", "https://s3-control.us-west-2.amazonaws.com", "us-west-2"},
		{svcGuardDuty, "cn-north-1", "https://guardduty.cn-north-1.amazonaws.com.cn", "cn-north-1"},
		{svcSSOAdmin, "eu-west-3", "https://sso.eu-west-3.amazonaws.com", "eu-west-3"},
		{svcConfig, "us-gov-west-1", "https://config.us-gov-west-1.amazonaws.com", "us-gov-west-1"},
	}
	var c Config
	for _, tt := range tests {
		ep := c.resolve(tt.svc, tt.region)
		if ep.base != tt.base || ep.region != tt.signIn {
			t.Errorf("%s in %s: %s signed for %s; want %s signed for %s", tt.svc.id, tt.region, ep.base, ep.region, tt.base, tt.signIn)
		}
	}
	c.ServiceEndpoints = map[string]string{"S3_CONTROL": "http://localhost:4566/"}
	if ep := c.resolve(svcS3Control, "eu-west-1"); ep.base != "http://localhost:4566" || !ep.override || ep.region != "eu-west-1" {
		t.Errorf("AWS_ENDPOINT_URL_S3_CONTROL: %+v", ep)
	}
	if ep := c.resolve(svcS3, "eu-west-1"); ep.override {
		t.Errorf("S3 took S3 Control's endpoint: %+v", ep)
	}
	if got := slices.Sorted(func(yield func(string) bool) {
		for _, p := range []string{"us-east-1", "cn-north-1", "us-gov-west-1"} {
			yield(PartitionOf(p))
		}
	}); !slices.Equal(got, []string{"aws", "aws-cn", "aws-us-gov"}) {
		t.Errorf("partitions %v", got)
	}
}

// TestS3BucketRegion checks that a bucket of another region is asked
// again there, as S3's answer says.
func TestS3BucketRegion(t *testing.T) {
	s := newServer(t, func(n int, r *http.Request, body string, w http.ResponseWriter) {
		if m := scopeRe.FindStringSubmatch(r.Header.Get("Authorization")); m[1] != "ap-south-1" {
			w.Header().Set("X-Amz-Bucket-Region", "ap-south-1")
			w.WriteHeader(301)
			fmt.Fprint(w, `<Error><Code>PermanentRedirect</Code><Message>use the right endpoint</Message></Error>`)
			return
		}
		fmt.Fprint(w, `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>`)
	})
	got, err := New(testConfig(s, 1)).GetObjectLockConfiguration(context.Background(), "b")
	if err != nil || got != "Enabled" {
		t.Fatalf("%q, %v; want Enabled", got, err)
	}
	if s.count() != 2 {
		t.Errorf("%d calls; want 2", s.count())
	}
}

// TestCredentialsCacheRefresh checks that credentials are fetched again
// within five minutes of their expiry, not before, and that keys without
// an expiry are fetched once.
func TestCredentialsCacheRefresh(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	c := NewCredentialsCache(ProviderFunc(func(context.Context) (Credentials, error) {
		n++
		return Credentials{AccessKeyID: fmt.Sprint("K", n), SecretAccessKey: "s", Expires: clock.Add(time.Hour)}, nil
	}))
	c.now = func() time.Time { return clock }
	for _, step := range []struct {
		after time.Duration
		want  string
	}{{0, "K1"}, {54 * time.Minute, "K1"}, {2 * time.Minute, "K2"}, {50 * time.Minute, "K2"}, {6 * time.Minute, "K3"}} {
		clock = clock.Add(step.after)
		got, err := c.Retrieve(context.Background())
		if err != nil || got.AccessKeyID != step.want {
			t.Fatalf("after %v more: %s, %v; want %s", step.after, got.AccessKeyID, err, step.want)
		}
	}
	static := NewCredentialsCache(ProviderFunc(func(context.Context) (Credentials, error) {
		n++
		return Credentials{AccessKeyID: "STATIC", SecretAccessKey: "s"}, nil
	}))
	before := n
	for range 3 {
		static.Retrieve(context.Background())
	}
	if n != before+1 {
		t.Errorf("keys without expiry fetched %d times; want once", n-before)
	}
}

// TestCredentialErrorsNotRetried checks that a call whose credentials
// cannot be had fails at once, naming the operation, without a request.
func TestCredentialErrorsNotRetried(t *testing.T) {
	s := newServer(t, func(int, *http.Request, string, http.ResponseWriter) {})
	cfg := testConfig(s, 5)
	cfg.MaxBackoff = time.Second
	tries := 0
	cfg.Credentials = ProviderFunc(func(context.Context) (Credentials, error) {
		tries++
		return Credentials{}, &url.Error{Op: "Get", URL: "http://169.254.169.254", Err: errors.New("no route to host")}
	})
	_, err := New(cfg).GetCallerIdentity(context.Background())
	if err == nil || !strings.Contains(err.Error(), "operation error STS: GetCallerIdentity") || !strings.Contains(err.Error(), "no route to host") {
		t.Errorf("error %v", err)
	}
	if tries != 1 || s.count() != 0 {
		t.Errorf("%d retrievals and %d requests; want 1 and 0", tries, s.count())
	}
}

// TestClockSkew checks that a request refused for a clock an hour off is
// signed again with AWS's time, and later ones are signed with it at once.
func TestClockSkew(t *testing.T) {
	t.Cleanup(func() { clockSkew.Store(0) })
	serverTime := time.Now().Add(time.Hour).UTC()
	s := newServer(t, func(n int, r *http.Request, body string, w http.ResponseWriter) {
		signed, _ := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
		w.Header().Set("Date", serverTime.Format(http.TimeFormat))
		if signed.Sub(serverTime).Abs() > 5*time.Minute {
			w.WriteHeader(403)
			fmt.Fprint(w, `<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>Signature expired</Message></Error></ErrorResponse>`)
			return
		}
		fmt.Fprint(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
	})
	c := New(testConfig(s, 1))
	for i, want := range []int{2, 3} {
		id, err := c.GetCallerIdentity(context.Background())
		if err != nil || id.Account != "1" {
			t.Fatalf("call %d: %+v, %v", i, id, err)
		}
		if s.count() != want {
			t.Errorf("call %d: %d requests in all; want %d", i, s.count(), want)
		}
	}
}

func TestS3BucketAddressing(t *testing.T) {
	s := newServer(t, func(int, *http.Request, string, http.ResponseWriter) {})
	cfg := testConfig(s, 1)
	cfg.BaseEndpoint = ""
	var hosts []string
	cfg.HTTPClient = &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		hosts = append(hosts, r.URL.Host+r.URL.Path)
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(`<ObjectLockConfiguration/>`)), Header: http.Header{}}, nil
	})}
	for _, b := range []string{"org-trail-archive", "logs.example.com", "Legacy_Bucket", "ab"} {
		New(cfg).GetObjectLockConfiguration(context.Background(), b)
	}
	want := []string{"org-trail-archive.s3.eu-west-1.amazonaws.com/", "s3.eu-west-1.amazonaws.com/logs.example.com",
		"s3.eu-west-1.amazonaws.com/Legacy_Bucket", "s3.eu-west-1.amazonaws.com/ab"}
	if d := cmp.Diff(want, hosts); d != "" {
		t.Errorf("addresses (-want +got):\n%s", d)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestNetworkErrorRetried checks that a connection cut before the answer
// is tried again.
func TestNetworkErrorRetried(t *testing.T) {
	s := newServer(t, func(n int, r *http.Request, body string, w http.ResponseWriter) {
		if n == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		fmt.Fprint(w, `{"HubArn":"arn:aws:securityhub:eu-west-1:1:hub/default"}`)
	})
	arn, err := New(testConfig(s, 3)).DescribeHub(context.Background())
	if err != nil || arn != "arn:aws:securityhub:eu-west-1:1:hub/default" {
		t.Fatalf("%q, %v", arn, err)
	}
	if s.count() != 2 {
		t.Errorf("%d requests; want 2", s.count())
	}
}
