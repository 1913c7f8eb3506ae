package awsapi_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/collect/aws/awsapi"
	"github.com/csmm/csmm/internal/collect/aws/awsfake"
)

// env is a test environment: variables and a home directory.
type env struct {
	t    *testing.T
	home string
	vars map[string]string
}

func newEnv(t *testing.T) *env {
	home := t.TempDir()
	return &env{t: t, home: home, vars: map[string]string{"HOME": home, "AWS_EC2_METADATA_DISABLED": "true"}}
}

func (e *env) getenv(k string) string { return e.vars[k] }

// write writes a file under the home directory.
func (e *env) write(rel, content string) string {
	e.t.Helper()
	p := filepath.Join(e.home, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// load resolves the configuration and retrieves its credentials.
func (e *env) load(profile string) (awsapi.Config, awsapi.Credentials, error) {
	cfg, err := awsapi.LoadConfig(context.Background(), awsapi.LoadOptions{Profile: profile, Getenv: e.getenv, MaxAttempts: 1})
	if err != nil {
		return cfg, awsapi.Credentials{}, err
	}
	c, err := cfg.Credentials.Retrieve(context.Background())
	return cfg, c, err
}

// stsServer answers sts:AssumeRole with credentials named after the role
// (ASIA<role name>) and records who called it for which role.
type stsServer struct {
	*httptest.Server
	mu    sync.Mutex
	calls []string // caller key -> role ARN
}

var credKeyRe = regexp.MustCompile(`Credential=([^/]+)/`)

func newSTS(t *testing.T) *stsServer {
	s := &stsServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		caller := credKeyRe.FindStringSubmatch(r.Header.Get("Authorization"))
		if form.Get("Action") != "AssumeRole" || caller == nil {
			w.WriteHeader(400)
			fmt.Fprint(w, `<ErrorResponse><Error><Code>InvalidAction</Code><Message>no</Message></Error></ErrorResponse>`)
			return
		}
		role := form.Get("RoleArn")
		s.mu.Lock()
		session := regexp.MustCompile(`^csmm-\d+$`).ReplaceAllString(form.Get("RoleSessionName"), "csmm-N")
		s.calls = append(s.calls, caller[1]+" -> "+role+" as "+session+" ext="+form.Get("ExternalId")+" token="+r.Header.Get("X-Amz-Security-Token"))
		s.mu.Unlock()
		fmt.Fprintf(w, `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA%s</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>tok-%s</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`,
			role[strings.LastIndex(role, "/")+1:], role[strings.LastIndex(role, "/")+1:])
	}))
	t.Cleanup(s.Close)
	return s
}

const sharedConfig = `# comment
[default]
region = eu-west-1

[profile base]
region = eu-central-1
s3 =
  max_concurrent_requests = 10

[profile audit]
role_arn = arn:aws:iam::222222222222:role/Audit
source_profile = base
external_id = ext-1
role_session_name = csmm-test
region = eu-west-2

[profile chained]
role_arn = arn:aws:iam::333333333333:role/Next
source_profile = audit

[profile self]
role_arn = arn:aws:iam::444444444444:role/Self
source_profile = self

[profile from-env]
role_arn = arn:aws:iam::555555555555:role/FromEnv
credential_source = Environment

[profile loop-a]
role_arn = arn:aws:iam::1:role/A
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::1:role/B
source_profile = loop-a

[profile mfa]
role_arn = arn:aws:iam::1:role/Mfa
source_profile = base
mfa_serial = arn:aws:iam::1:mfa/me

[profile proc]
credential_process = ./creds.sh --account 111111111111
`

const sharedCredentials = `[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = secret-default

[base]
aws_access_key_id = AKIDBASE
aws_secret_access_key = secret-base
aws_session_token = token-base

[self]
aws_access_key_id = AKIDSELF
aws_secret_access_key = secret-self
`

func TestChainProfiles(t *testing.T) {
	tests := []struct {
		name, profile string
		vars          map[string]string
		key, token    string
		region        string
		sts           []string
	}{
		{"default profile", "", nil, "AKIDDEFAULT", "", "eu-west-1", nil},
		{"AWS_PROFILE", "", map[string]string{"AWS_PROFILE": "base"}, "AKIDBASE", "token-base", "eu-central-1", nil},
		{"environment before AWS_PROFILE", "", map[string]string{"AWS_PROFILE": "base", "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "x", "AWS_SESSION_TOKEN": "token-env"},
			"AKIDENV", "token-env", "eu-central-1", nil},
		{"--profile before the environment", "base", map[string]string{"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "x"},
			"AKIDBASE", "token-base", "eu-central-1", nil},
		{"AWS_REGION before AWS_DEFAULT_REGION and the profile", "base", map[string]string{"AWS_REGION": "ap-south-1", "AWS_DEFAULT_REGION": "sa-east-1"},
			"AKIDBASE", "token-base", "ap-south-1", nil},
		{"AWS_DEFAULT_REGION before the profile", "base", map[string]string{"AWS_DEFAULT_REGION": "sa-east-1"}, "AKIDBASE", "token-base", "sa-east-1", nil},
		{"role with source_profile", "audit", nil, "ASIAAudit", "tok-Audit", "eu-west-2",
			[]string{"AKIDBASE -> arn:aws:iam::222222222222:role/Audit as csmm-test ext=ext-1 token=token-base"}},
		{"role chained through another role (no region of its own)", "chained", nil, "ASIANext", "tok-Next", "us-east-1",
			[]string{"AKIDBASE -> arn:aws:iam::222222222222:role/Audit as csmm-test ext=ext-1 token=token-base",
				"ASIAAudit -> arn:aws:iam::333333333333:role/Next as csmm-N ext= token=tok-Audit"}},
		{"role with its own keys", "self", nil, "ASIASelf", "tok-Self", "us-east-1", []string{"AKIDSELF -> arn:aws:iam::444444444444:role/Self as csmm-N ext= token="}},
		{"role with credential_source Environment", "from-env", map[string]string{"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "x"},
			"ASIAFromEnv", "tok-FromEnv", "us-east-1", []string{"AKIDENV -> arn:aws:iam::555555555555:role/FromEnv as csmm-N ext= token="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.write(".aws/config", sharedConfig)
			e.write(".aws/credentials", sharedCredentials)
			sts := newSTS(t)
			e.vars["AWS_ENDPOINT_URL_STS"] = sts.URL
			for k, v := range tt.vars {
				e.vars[k] = v
			}
			cfg, c, err := e.load(tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			if c.AccessKeyID != tt.key || c.SessionToken != tt.token || cfg.Region != tt.region {
				t.Errorf("key %s token %q region %s; want %s %q %s", c.AccessKeyID, c.SessionToken, cfg.Region, tt.key, tt.token, tt.region)
			}
			if d := cmp.Diff(tt.sts, sts.calls); d != "" {
				t.Errorf("sts:AssumeRole calls (-want +got):\n%s", d)
			}
			if len(tt.sts) > 0 && !strings.HasPrefix(strings.Fields(tt.sts[0])[0], "AKID") {
				t.Fatal("bad test")
			}
			// Cached: a second retrieval calls STS no more.
			if _, err := cfg.Credentials.Retrieve(context.Background()); err != nil || len(sts.calls) != len(tt.sts) {
				t.Errorf("second retrieval: %v, %d calls", err, len(sts.calls))
			}
		})
	}
}

func TestChainProfileErrors(t *testing.T) {
	tests := []struct {
		name, profile string
		vars          map[string]string
		want          []string
	}{
		{"missing --profile", "nope", nil, []string{`profile "nope"`, ".aws/config"}},
		{"missing AWS_PROFILE", "", map[string]string{"AWS_PROFILE": "gone"}, []string{`profile "gone"`}},
		{"source_profile cycle", "loop-a", nil, []string{"cycle", "loop-a -> loop-b -> loop-a"}},
		{"MFA", "mfa", nil, []string{"mfa_serial", "aws configure export-credentials --profile mfa"}},
		{"no credentials anywhere", "", map[string]string{"HOME": "/nonexistent"}, []string{"no credentials found", "AWS_ACCESS_KEY_ID"}},
		{"FIPS endpoints asked for", "base", map[string]string{"AWS_USE_FIPS_ENDPOINT": "true"}, []string{"FIPS", "AWS_ENDPOINT_URL_<SERVICE>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.write(".aws/config", sharedConfig)
			e.write(".aws/credentials", sharedCredentials)
			for k, v := range tt.vars {
				e.vars[k] = v
			}
			_, _, err := e.load(tt.profile)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestChainFilesFromEnvironment reads the files AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE name; credentials-file keys win over the
// config file's.
func TestChainFilesFromEnvironment(t *testing.T) {
	e := newEnv(t)
	e.vars["AWS_CONFIG_FILE"] = e.write("elsewhere/conf", "[profile ci]\nregion = us-west-2\naws_access_key_id = AKIDCONF\naws_secret_access_key = c\n")
	e.vars["AWS_SHARED_CREDENTIALS_FILE"] = e.write("elsewhere/creds", "[ci]\naws_access_key_id = AKIDCREDS\n")
	cfg, c, err := e.load("ci")
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID != "AKIDCREDS" || c.SecretAccessKey != "c" || cfg.Region != "us-west-2" {
		t.Errorf("%+v in %s; want AKIDCREDS with the config file's secret in us-west-2", c, cfg.Region)
	}
}

func TestChainCredentialProcess(t *testing.T) {
	tests := []struct {
		name, output string
		key, err     string
		expires      time.Time
	}{
		{"temporary", `{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2099-05-01T10:00:00Z"}`,
			"AKIDPROC", "", time.Date(2099, 5, 1, 10, 0, 0, 0, time.UTC)},
		{"long-term", `{"Version": 1, "AccessKeyId": "AKIDLONG", "SecretAccessKey": "s"}`, "AKIDLONG", "", time.Time{}},
		{"wrong version", `{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "s"}`, "", "Version 2", time.Time{}},
		{"not JSON", `oops`, "", "no JSON", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			script := e.write("bin/creds.sh", "#!/bin/sh\n[ \"$2\" = 111111111111 ] || exit 3\ncat <<'EOF'\n"+tt.output+"\nEOF\n")
			if err := os.Chmod(script, 0o755); err != nil {
				t.Fatal(err)
			}
			e.write(".aws/config", strings.ReplaceAll(sharedConfig, "./creds.sh", script))
			_, c, err := e.load("proc")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v; want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.AccessKeyID != tt.key || !c.Expires.Equal(tt.expires) {
				t.Errorf("%s expiring %v; want %s expiring %v", c.AccessKeyID, c.Expires, tt.key, tt.expires)
			}
		})
	}
}

// TestChainWebIdentity assumes a role with a token file through the fake's
// sts:AssumeRoleWithWebIdentity, as CI pipelines do.
func TestChainWebIdentity(t *testing.T) {
	world := awsfake.Example()
	world.WebIdentityToken = "eyJ.oidc.token"
	fake := awsfake.New(t, world)
	for _, tt := range []struct{ token, key, code string }{
		{"eyJ.oidc.token\n", "ASIA" + awsfake.Security, ""},
		{"eyJ.other", "", "InvalidIdentityToken"},
	} {
		e := newEnv(t)
		e.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = e.write("token", tt.token)
		e.vars["AWS_ROLE_ARN"] = "arn:aws:iam::" + awsfake.Security + ":role/ci"
		e.vars["AWS_ENDPOINT_URL"] = fake.Config().BaseEndpoint
		e.write(".aws/credentials", sharedCredentials) // the environment's role comes first
		_, c, err := e.load("")
		if got := awsapi.ErrorCode(err); got != tt.code {
			t.Fatalf("token %q: error %v; want code %q", tt.token, err, tt.code)
		}
		if c.AccessKeyID != tt.key || tt.key != "" && c.SessionToken != "web-identity-token" {
			t.Errorf("token %q: %+v; want key %s", tt.token, c, tt.key)
		}
	}
	if n := fake.Calls()["sts:AssumeRoleWithWebIdentity"]; n != 2 {
		t.Errorf("%d calls of sts:AssumeRoleWithWebIdentity; want 2", n)
	}
}

func TestChainContainer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v2/credentials/abc" || r.Header.Get("Authorization") != "Bearer pod-token" {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"Code":"Unauthorized","Message":"bad token"}`)
			return
		}
		fmt.Fprint(w, `{"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"s","Token":"container-token","Expiration":"2099-02-03T04:05:06Z"}`)
	}))
	defer srv.Close()
	e := newEnv(t)
	e.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = srv.URL + "/v2/credentials/abc"
	e.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = e.write("token", "Bearer pod-token\n")
	_, c, err := e.load("")
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID != "ASIACONTAINER" || c.SessionToken != "container-token" || !c.Expires.Equal(time.Date(2099, 2, 3, 4, 5, 6, 0, time.UTC)) {
		t.Errorf("%+v", c)
	}
	e.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = e.write("token", "Bearer wrong")
	if _, _, err := e.load(""); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong token: %v; want the 401", err)
	}
	e.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://example.com/creds"
	if _, _, err := e.load(""); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("plain http to another host: %v; want a refusal", err)
	}
}

func TestChainIMDS(t *testing.T) {
	var seq []string
	v1 := false // an instance that answers IMDSv1 only
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seq = append(seq, r.Method+" "+r.URL.Path)
		switch {
		case v1 && r.Method == http.MethodPut:
			w.WriteHeader(405)
		case v1 && r.URL.Path == "/latest/meta-data/iam/security-credentials/":
			fmt.Fprint(w, "old-role")
		case v1 && r.URL.Path == "/latest/meta-data/iam/security-credentials/old-role":
			fmt.Fprint(w, `{"Code":"Success","AccessKeyId":"ASIAV1","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z"}`)
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
			if r.Header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds") == "" {
				w.WriteHeader(400)
				return
			}
			fmt.Fprint(w, "imds-session")
		case r.Header.Get("X-Aws-Ec2-Metadata-Token") != "imds-session":
			w.WriteHeader(401)
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/":
			fmt.Fprint(w, "instance-role\n")
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/instance-role":
			fmt.Fprint(w, `{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS","SecretAccessKey":"s","Token":"imds-token","Expiration":"2099-01-01T00:00:00Z"}`)
		default:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	e := newEnv(t)
	delete(e.vars, "AWS_EC2_METADATA_DISABLED")
	e.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = srv.URL
	_, c, err := e.load("")
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID != "ASIAIMDS" || c.SessionToken != "imds-token" || !strings.Contains(c.Source, "instance-role") {
		t.Errorf("%+v", c)
	}
	want := []string{"PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/", "GET /latest/meta-data/iam/security-credentials/instance-role"}
	if d := cmp.Diff(want, seq); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}

	v1 = true
	if _, c, err := e.load(""); err != nil || c.AccessKeyID != "ASIAV1" {
		t.Errorf("IMDSv1 fallback: %+v, %v", c, err)
	}
	e.vars["AWS_EC2_METADATA_V1_DISABLED"] = "true"
	if _, _, err := e.load(""); err == nil || !strings.Contains(err.Error(), "405") {
		t.Errorf("IMDSv1 disabled: %v; want the refused token request", err)
	}
}

func TestChainSSO(t *testing.T) {
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/federation/credentials" || r.Header.Get("X-Amz-Sso_bearer_token") != "cached-access-token" ||
			q.Get("account_id") != "777777777777" || q.Get("role_name") != "ReadOnly" {
			w.Header().Set("X-Amzn-Errortype", "UnauthorizedException")
			w.WriteHeader(401)
			fmt.Fprint(w, `{"message":"Session token not found or invalid"}`)
			return
		}
		fmt.Fprint(w, `{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"s","sessionToken":"sso-token","expiration":4070908800000}}`)
	}))
	defer portal.Close()
	conf := `[profile corp]
sso_session = corp
sso_account_id = 777777777777
sso_role_name = ReadOnly
region = eu-west-1

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 777777777777
sso_role_name = ReadOnly

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
`
	cache := func(key string) string {
		s := sha1.Sum([]byte(key))
		return ".aws/sso/cache/" + hex.EncodeToString(s[:]) + ".json"
	}
	tests := []struct {
		name, profile, cacheKey, expires string
		key, err                         string
	}{
		{"sso-session", "corp", "corp", "2099-01-01T00:00:00Z", "ASIASSO", ""},
		{"legacy start URL", "legacy", "https://legacy.awsapps.com/start", "2099-01-01T00:00:00Z", "ASIASSO", ""},
		{"expired token", "corp", "corp", "2020-01-01T00:00:00Z", "", "aws sso login --profile corp"},
		{"no cached token", "corp", "other", "2099-01-01T00:00:00Z", "", "export-credentials --profile corp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.write(".aws/config", conf)
			e.write(cache(tt.cacheKey), `{"startUrl":"x","region":"eu-west-1","accessToken":"cached-access-token","expiresAt":"`+tt.expires+`"}`)
			e.vars["AWS_ENDPOINT_URL_SSO"] = portal.URL
			_, c, err := e.load(tt.profile)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v; want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.AccessKeyID != tt.key || c.SessionToken != "sso-token" || c.Expires.UTC() != time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC) {
				t.Errorf("%+v", c)
			}
		})
	}
}

// TestChainSSORefresh renews an expired IAM Identity Center token with the
// cached refresh token and writes the new one to the cache.
func TestChainSSORefresh(t *testing.T) {
	var oidcBody string
	oidc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		oidcBody = string(b)
		if r.Method != http.MethodPost || r.URL.Path != "/token" {
			w.WriteHeader(404)
			return
		}
		fmt.Fprint(w, `{"accessToken":"fresh-access-token","expiresIn":3600,"refreshToken":"next-refresh","tokenType":"Bearer"}`)
	}))
	defer oidc.Close()
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Sso_bearer_token") != "fresh-access-token" {
			w.Header().Set("X-Amzn-Errortype", "UnauthorizedException")
			w.WriteHeader(401)
			fmt.Fprint(w, `{"message":"Session token not found or invalid"}`)
			return
		}
		fmt.Fprint(w, `{"roleCredentials":{"accessKeyId":"ASIAFRESH","secretAccessKey":"s","sessionToken":"t","expiration":4070908800000}}`)
	}))
	defer portal.Close()
	e := newEnv(t)
	e.write(".aws/config", "[profile corp]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n")
	sum := sha1.Sum([]byte("corp"))
	cache := e.write(".aws/sso/cache/"+hex.EncodeToString(sum[:])+".json",
		`{"accessToken":"old","expiresAt":"2020-01-01T00:00:00Z","refreshToken":"cached-refresh","clientId":"cid","clientSecret":"csecret","registrationExpiresAt":"2099-01-01T00:00:00Z","region":"eu-west-1","startUrl":"https://corp.awsapps.com/start"}`)
	e.vars["AWS_ENDPOINT_URL_SSO"] = portal.URL
	e.vars["AWS_ENDPOINT_URL_SSO_OIDC"] = oidc.URL
	_, c, err := e.load("corp")
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID != "ASIAFRESH" {
		t.Errorf("%+v", c)
	}
	for _, want := range []string{`"grantType":"refresh_token"`, `"refreshToken":"cached-refresh"`, `"clientId":"cid"`, `"clientSecret":"csecret"`} {
		if !strings.Contains(oidcBody, want) {
			t.Errorf("CreateToken body %s lacks %s", oidcBody, want)
		}
	}
	data, _ := os.ReadFile(cache)
	var saved struct{ AccessToken, RefreshToken, ExpiresAt, StartURL string }
	if err := json.Unmarshal(data, &saved); err != nil {
		t.Fatal(err)
	}
	exp, _ := time.Parse(time.RFC3339, saved.ExpiresAt)
	if saved.AccessToken != "fresh-access-token" || saved.RefreshToken != "next-refresh" || saved.StartURL == "" ||
		exp.Before(time.Now().Add(50*time.Minute)) {
		t.Errorf("cache after refresh: %+v", saved)
	}
}
