package awsapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// LoadOptions say where LoadConfig looks.
type LoadOptions struct {
	// Profile is the profile asked for (--profile); it must exist. Empty
	// for AWS_PROFILE, else "default".
	Profile string
	// Region is the region asked for (--home-region); empty for
	// AWS_REGION, AWS_DEFAULT_REGION, then the profile's region.
	Region string
	// Getenv reads the environment; nil for os.Getenv.
	Getenv func(string) string
	// HTTPClient is the client of AWS calls; nil for a default one (with
	// AWS_CA_BUNDLE when set).
	HTTPClient *http.Client
	// MaxAttempts and MaxBackoff configure the retries (see Config).
	MaxAttempts int
	MaxBackoff  time.Duration
}

// LoadConfig resolves the region, endpoints and credentials the way the
// AWS CLI and SDKs do, in this order:
//
//  1. the profile asked for (Options.Profile), from the shared files;
//  2. AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN;
//  3. AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN (and
//     AWS_ROLE_SESSION_NAME): sts:AssumeRoleWithWebIdentity;
//  4. the profile AWS_PROFILE names, else "default", when it exists, from
//     ~/.aws/config and ~/.aws/credentials (AWS_CONFIG_FILE,
//     AWS_SHARED_CREDENTIALS_FILE): static keys, role_arn with
//     source_profile or credential_source (Environment,
//     Ec2InstanceMetadata, EcsContainer), web_identity_token_file,
//     IAM Identity Center (sso_session or sso_start_url, from the token
//     `aws sso login` cached, renewed with its refresh token when it has
//     expired), credential_process;
//  5. container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
//     AWS_CONTAINER_CREDENTIALS_FULL_URI, with
//     AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]);
//  6. the EC2 instance metadata service (IMDSv2; AWS_EC2_METADATA_DISABLED
//     turns it off, AWS_EC2_METADATA_SERVICE_ENDPOINT moves it).
//
// A profile without credentials of its own falls to 5 and 6, then assumes
// its role_arn, as the SDKs do. Endpoints come from AWS_ENDPOINT_URL,
// AWS_ENDPOINT_URL_<SERVICE> and the profile's endpoint_url unless
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true.
func LoadConfig(ctx context.Context, o LoadOptions) (Config, error) {
	l := &loader{getenv: o.Getenv}
	if l.getenv == nil {
		l.getenv = os.Getenv
	}
	cfg := Config{HTTPClient: o.HTTPClient, MaxAttempts: o.MaxAttempts, MaxBackoff: o.MaxBackoff}
	if cfg.HTTPClient == nil {
		hc, err := l.httpClient()
		if err != nil {
			return Config{}, err
		}
		cfg.HTTPClient = hc
	}
	if err := l.readFiles(); err != nil {
		return Config{}, err
	}
	name := o.Profile
	explicit := name != ""
	if !explicit {
		name = firstOf(l.getenv("AWS_PROFILE"), l.getenv("AWS_DEFAULT_PROFILE"), "default")
	}
	prof, found := l.profiles[name]
	if (explicit || name != "default") && !found {
		return Config{}, fmt.Errorf("aws: the profile %q is in neither %s nor %s", name, l.configPath, l.credsPath)
	}
	cfg.Region = firstOf(o.Region, l.getenv("AWS_REGION"), l.getenv("AWS_DEFAULT_REGION"), prof["region"], "us-east-1")
	if strings.EqualFold(firstOf(l.getenv("AWS_USE_FIPS_ENDPOINT"), prof["use_fips_endpoint"]), "true") {
		return Config{}, errors.New("aws: csmm does not resolve FIPS endpoints (AWS_USE_FIPS_ENDPOINT or use_fips_endpoint): " +
			"unset it, or name each service's FIPS endpoint with AWS_ENDPOINT_URL_<SERVICE>")
	}
	if !strings.EqualFold(l.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		cfg.BaseEndpoint = firstOf(l.getenv("AWS_ENDPOINT_URL"), prof["endpoint_url"])
		for _, s := range []*service{svcSTS, svcIAM, svcOrganizations, svcEC2, svcS3, svcS3Control, svcCloudTrail, svcConfig,
			svcSSOAdmin, svcGuardDuty, svcSecurityHub, svcAccessAnalyzer, svcSSO, svcSSOOIDC} {
			if u := l.getenv("AWS_ENDPOINT_URL_" + s.envName()); u != "" {
				if cfg.ServiceEndpoints == nil {
					cfg.ServiceEndpoints = map[string]string{}
				}
				cfg.ServiceEndpoints[s.envName()] = u
			}
		}
	}
	l.base = cfg
	var p CredentialsProvider
	var err error
	switch {
	case explicit:
		p, err = l.fromProfile(name, nil)
	case l.getenv("AWS_ACCESS_KEY_ID") != "" || l.getenv("AWS_ACCESS_KEY") != "":
		p, err = l.fromEnv()
	case l.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != "":
		p, err = l.webIdentity(l.getenv("AWS_WEB_IDENTITY_TOKEN_FILE"), l.getenv("AWS_ROLE_ARN"), l.getenv("AWS_ROLE_SESSION_NAME"), "AWS_WEB_IDENTITY_TOKEN_FILE")
	case found:
		p, err = l.fromProfile(name, nil)
	default:
		p, err = l.machine()
	}
	if err != nil {
		return Config{}, err
	}
	cfg.Credentials = NewCredentialsCache(p)
	return cfg, nil
}

// loader holds what LoadConfig read.
type loader struct {
	getenv                func(string) string
	configPath, credsPath string
	profiles              map[string]map[string]string
	ssoSessions           map[string]map[string]string
	base                  Config
	// now is the clock of the SSO token check; nil for time.Now.
	now func() time.Time
}

func (l *loader) home() string {
	if h := l.getenv("HOME"); h != "" {
		return h
	}
	if h := l.getenv("USERPROFILE"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

func (l *loader) expand(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		return filepath.Join(l.home(), rest)
	}
	return p
}

// readFiles reads the shared config and credentials files (a missing file
// is no error); the credentials file's keys win over the config file's.
func (l *loader) readFiles() error {
	l.configPath = l.expand(firstOf(l.getenv("AWS_CONFIG_FILE"), filepath.Join(l.home(), ".aws", "config")))
	l.credsPath = l.expand(firstOf(l.getenv("AWS_SHARED_CREDENTIALS_FILE"), filepath.Join(l.home(), ".aws", "credentials")))
	l.profiles, l.ssoSessions = map[string]map[string]string{}, map[string]map[string]string{}
	conf, err := readINI(l.configPath)
	if err != nil {
		return err
	}
	for sec, kv := range conf {
		switch {
		case sec == "default":
			if _, ok := l.profiles["default"]; !ok {
				l.profiles["default"] = kv
			}
		case strings.HasPrefix(sec, "profile "):
			l.profiles[strings.TrimSpace(strings.TrimPrefix(sec, "profile "))] = kv
		case strings.HasPrefix(sec, "sso-session "):
			l.ssoSessions[strings.TrimSpace(strings.TrimPrefix(sec, "sso-session "))] = kv
		}
	}
	creds, err := readINI(l.credsPath)
	if err != nil {
		return err
	}
	for sec, kv := range creds {
		p := l.profiles[sec]
		if p == nil {
			p = map[string]string{}
			l.profiles[sec] = p
		}
		for k, v := range kv {
			p[k] = v
		}
	}
	return nil
}

// readINI reads an AWS shared file: [section] lines, key = value lines,
// # and ; comments; indented lines continue the key before (nested
// settings, ignored). A missing file is empty.
func readINI(path string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("aws: read %s: %w", path, err)
	}
	var cur map[string]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, fmt.Errorf("aws: %s:%d: section %q has no closing ]", path, n, line)
			}
			name := strings.Join(strings.Fields(line[1:end]), " ")
			cur = out[name]
			if cur == nil {
				cur = map[string]string{}
				out[name] = cur
			}
			continue
		}
		if raw[0] == ' ' || raw[0] == '\t' {
			continue // a nested setting (s3 =\n  max_concurrent_requests = 10)
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("aws: %s:%d: expected key = value, got %q", path, n, line)
		}
		if cur == nil {
			return nil, fmt.Errorf("aws: %s:%d: %q is outside any [section]", path, n, strings.TrimSpace(k))
		}
		v = strings.TrimSpace(v)
		if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		cur[strings.ToLower(strings.TrimSpace(k))] = v
	}
	return out, sc.Err()
}

func (l *loader) fromEnv() (CredentialsProvider, error) {
	c := StaticCredentials{
		AccessKeyID:     firstOf(l.getenv("AWS_ACCESS_KEY_ID"), l.getenv("AWS_ACCESS_KEY")),
		SecretAccessKey: firstOf(l.getenv("AWS_SECRET_ACCESS_KEY"), l.getenv("AWS_SECRET_KEY")),
		SessionToken:    l.getenv("AWS_SESSION_TOKEN"),
		Source:          "environment",
	}
	if c.SecretAccessKey == "" {
		return nil, errors.New("aws: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
	}
	return c, nil
}

// fromProfile resolves the credentials of a profile; seen guards against
// source_profile cycles.
func (l *loader) fromProfile(name string, seen []string) (CredentialsProvider, error) {
	p, ok := l.profiles[name]
	if !ok {
		return nil, fmt.Errorf("aws: the profile %q is in neither %s nor %s", name, l.configPath, l.credsPath)
	}
	for _, s := range seen {
		if s == name {
			return nil, fmt.Errorf("aws: profile %q: source_profile cycle %s -> %s", seen[0], strings.Join(seen, " -> "), name)
		}
	}
	seen = append(seen, name)
	where := "profile " + name
	keys := func() CredentialsProvider {
		return StaticCredentials{AccessKeyID: p["aws_access_key_id"], SecretAccessKey: p["aws_secret_access_key"],
			SessionToken: p["aws_session_token"], Source: where}
	}
	role := p["role_arn"]
	var base CredentialsProvider
	var err error
	switch {
	case role != "" && p["source_profile"] != "":
		if p["source_profile"] == name && p["aws_access_key_id"] != "" {
			base = keys()
		} else if base, err = l.fromProfile(p["source_profile"], seen); err != nil {
			return nil, err
		}
	case p["aws_access_key_id"] != "":
		base = keys()
	case role != "" && p["credential_source"] != "":
		switch p["credential_source"] {
		case "Environment":
			base, err = l.fromEnv()
		case "Ec2InstanceMetadata":
			base, err = l.imds(), nil
		case "EcsContainer":
			base, err = l.container()
		default:
			err = fmt.Errorf("aws: %s: credential_source %q; expected Environment, Ec2InstanceMetadata or EcsContainer", where, p["credential_source"])
		}
		if err != nil {
			return nil, err
		}
	case p["web_identity_token_file"] != "":
		return l.webIdentity(p["web_identity_token_file"], role, p["role_session_name"], where)
	case p["sso_session"] != "" || p["sso_start_url"] != "":
		base, err = l.sso(name, p)
		if err != nil {
			return nil, err
		}
	case p["credential_process"] != "":
		base = &processProvider{command: p["credential_process"], profile: name}
	default:
		if base, err = l.machine(); err != nil {
			return nil, err
		}
	}
	if role == "" {
		return base, nil
	}
	if p["mfa_serial"] != "" {
		return nil, fmt.Errorf("aws: %s needs an MFA code (mfa_serial), which csmm cannot ask for: run `aws configure export-credentials --profile %s --format env` and export what it prints", where, name)
	}
	in := AssumeRoleInput{RoleARN: role, SessionName: p["role_session_name"], ExternalID: p["external_id"]}
	if d := p["duration_seconds"]; d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return nil, fmt.Errorf("aws: %s: duration_seconds %q is not a number of seconds", where, d)
		}
		in.Duration = time.Duration(n) * time.Second
	}
	return NewCredentialsCache(&AssumeRoleProvider{Config: l.base.WithCredentials(NewCredentialsCache(base)), AssumeRoleInput: in}), nil
}

// machine returns the credentials of the container, else of the EC2
// instance.
func (l *loader) machine() (CredentialsProvider, error) {
	if l.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != "" || l.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") != "" {
		return l.container()
	}
	if strings.EqualFold(l.getenv("AWS_EC2_METADATA_DISABLED"), "true") {
		return nil, errors.New("aws: no credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --profile, " +
			"or a default profile in ~/.aws (the EC2 instance metadata service is disabled by AWS_EC2_METADATA_DISABLED)")
	}
	return l.imds(), nil
}

// webIdentity assumes a role with an OIDC token file, read again at every
// refresh (tokens are rotated).
func (l *loader) webIdentity(file, role, session, where string) (CredentialsProvider, error) {
	if role == "" {
		return nil, fmt.Errorf("aws: %s: a web identity token file needs a role ARN (AWS_ROLE_ARN or role_arn)", where)
	}
	if session == "" {
		session = "csmm-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	}
	cfg := l.base
	return NewCredentialsCache(ProviderFunc(func(ctx context.Context) (Credentials, error) {
		tok, err := os.ReadFile(file)
		if err != nil {
			return Credentials{}, fmt.Errorf("aws: web identity token (%s): %w", where, err)
		}
		return New(cfg).AssumeRoleWithWebIdentity(ctx, role, session, strings.TrimSpace(string(tok)))
	})), nil
}

// processProvider runs a profile's credential_process.
type processProvider struct{ command, profile string }

// Retrieve runs the command and reads the credentials it prints.
func (p *processProvider) Retrieve(ctx context.Context) (Credentials, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		cmd = exec.CommandContext(ctx, "cmd.exe", "/C", p.command)
	} else {
		cmd = exec.CommandContext(ctx, "/bin/sh", "-c", p.command)
	}
	// Its standard error goes to the terminal (helpers prompt there) and
	// into the error message.
	var stderr bytes.Buffer
	cmd.Stderr = io.MultiWriter(os.Stderr, &stderr)
	cmd.Stdin = os.Stdin
	out, err := cmd.Output()
	if err != nil {
		return Credentials{}, fmt.Errorf("aws: profile %s: credential_process %q: %w: %s", p.profile, p.command, err, strings.TrimSpace(stderr.String()))
	}
	var v struct {
		Version                                   int
		AccessKeyID                               string `json:"AccessKeyId"`
		SecretAccessKey, SessionToken, Expiration string
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return Credentials{}, fmt.Errorf("aws: profile %s: credential_process printed no JSON: %w", p.profile, err)
	}
	if v.Version != 1 {
		return Credentials{}, fmt.Errorf("aws: profile %s: credential_process printed Version %d; expected 1", p.profile, v.Version)
	}
	if v.AccessKeyID == "" || v.SecretAccessKey == "" {
		return Credentials{}, fmt.Errorf("aws: profile %s: credential_process printed no AccessKeyId or SecretAccessKey", p.profile)
	}
	c := Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey, SessionToken: v.SessionToken, Source: "credential_process of profile " + p.profile}
	return c, c.setExpiry(v.Expiration)
}

// container returns the credentials of the ECS or EKS (Pod Identity)
// container endpoint.
func (l *loader) container() (CredentialsProvider, error) {
	u := l.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")
	if rel := l.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
		u = "http://169.254.170.2" + rel
	}
	if u == "" {
		return nil, errors.New("aws: container credentials: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set")
	}
	pu, err := url.Parse(u)
	if err != nil {
		return nil, fmt.Errorf("aws: container credentials URI %q: %w", u, err)
	}
	if pu.Scheme != "https" && !allowedContainerHost(pu.Hostname()) {
		return nil, fmt.Errorf("aws: container credentials URI %q: plain http only to a loopback address or the ECS/EKS agent", u)
	}
	token, tokenFile := l.getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"), l.getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
	hc := &http.Client{Timeout: 10 * time.Second}
	return ProviderFunc(func(ctx context.Context) (Credentials, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return Credentials{}, err
		}
		auth := token
		if tokenFile != "" {
			b, err := os.ReadFile(tokenFile)
			if err != nil {
				return Credentials{}, fmt.Errorf("aws: container authorization token: %w", err)
			}
			auth = strings.TrimSpace(string(b))
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		body, err := fetch(hc, req)
		if err != nil {
			return Credentials{}, fmt.Errorf("aws: container credentials (%s): %w", u, err)
		}
		return metadataCredentials(body, "container credentials")
	}), nil
}

// allowedContainerHost reports whether plain http may reach host: the
// loopback interface or the ECS and EKS agents.
func allowedContainerHost(host string) bool {
	switch host {
	case "169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost":
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// imds returns the credentials of the EC2 instance's role through IMDSv2
// (IMDSv1 when the token request is refused as not found or not allowed,
// unless AWS_EC2_METADATA_V1_DISABLED).
func (l *loader) imds() CredentialsProvider {
	base := strings.TrimRight(firstOf(l.getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT"), "http://169.254.169.254"), "/")
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: (&net.Dialer{Timeout: time.Second}).DialContext, Proxy: nil}}
	v1Disabled := strings.EqualFold(l.getenv("AWS_EC2_METADATA_V1_DISABLED"), "true")
	return ProviderFunc(func(ctx context.Context) (Credentials, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+"/latest/api/token", nil)
		if err != nil {
			return Credentials{}, err
		}
		req.Header.Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
		tok, err := fetch(hc, req)
		if se, ok := errors.AsType[statusError](err); ok && (se.code == 403 || se.code == 404 || se.code == 405) && !v1Disabled {
			// No session tokens here: IMDSv1, as the SDKs fall back to.
			tok, err = nil, nil
		}
		if err != nil {
			return Credentials{}, fmt.Errorf("aws: no credentials found (environment, profiles, container), and the EC2 instance metadata service did not answer (%v): "+
				"set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --profile", err)
		}
		get := func(path string) ([]byte, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
			if err != nil {
				return nil, err
			}
			if tok != nil {
				req.Header.Set("X-Aws-Ec2-Metadata-Token", string(tok))
			}
			return fetch(hc, req)
		}
		roles, err := get("/latest/meta-data/iam/security-credentials/")
		if err != nil {
			return Credentials{}, fmt.Errorf("aws: EC2 instance metadata: the instance's role: %w", err)
		}
		role := strings.TrimSpace(strings.SplitN(strings.TrimSpace(string(roles)), "\n", 2)[0])
		if role == "" {
			return Credentials{}, errors.New("aws: EC2 instance metadata: the instance has no IAM role")
		}
		body, err := get("/latest/meta-data/iam/security-credentials/" + role)
		if err != nil {
			return Credentials{}, fmt.Errorf("aws: EC2 instance metadata: credentials of role %s: %w", role, err)
		}
		return metadataCredentials(body, "EC2 instance role "+role)
	})
}

// fetch sends a request and returns the body of a 200 answer.
func fetch(hc *http.Client, req *http.Request) ([]byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, statusError{resp.StatusCode, fmt.Sprintf("%s %s: %s: %s", req.Method, req.URL.Path, resp.Status, strings.TrimSpace(string(body)))}
	}
	return body, nil
}

// statusError is an answer of a metadata endpoint other than 200.
type statusError struct {
	code int
	msg  string
}

func (e statusError) Error() string { return e.msg }

// metadataCredentials reads the JSON of the container and instance
// endpoints.
func metadataCredentials(body []byte, source string) (Credentials, error) {
	var v struct {
		Code, Message                      string
		AccessKeyID                        string `json:"AccessKeyId"`
		SecretAccessKey, Token, Expiration string
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return Credentials{}, fmt.Errorf("aws: %s: %w", source, err)
	}
	if v.Code != "" && v.Code != "Success" {
		return Credentials{}, fmt.Errorf("aws: %s: %s: %s", source, v.Code, v.Message)
	}
	if v.AccessKeyID == "" || v.SecretAccessKey == "" {
		return Credentials{}, fmt.Errorf("aws: %s: no AccessKeyId or SecretAccessKey in the answer", source)
	}
	c := Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey, SessionToken: v.Token, Source: source}
	return c, c.setExpiry(v.Expiration)
}

// sso returns the credentials of an IAM Identity Center profile, from the
// access token `aws sso login` cached and the portal's GetRoleCredentials.
func (l *loader) sso(name string, p map[string]string) (CredentialsProvider, error) {
	where := "profile " + name
	startURL, region, key := p["sso_start_url"], p["sso_region"], p["sso_start_url"]
	if s := p["sso_session"]; s != "" {
		sess, ok := l.ssoSessions[s]
		if !ok {
			return nil, fmt.Errorf("aws: %s: sso_session %q has no [sso-session %s] section in %s", where, s, s, l.configPath)
		}
		startURL, region, key = firstOf(sess["sso_start_url"], startURL), firstOf(sess["sso_region"], region), s
	}
	account, role := p["sso_account_id"], p["sso_role_name"]
	if startURL == "" || region == "" || account == "" || role == "" {
		return nil, fmt.Errorf("aws: %s: an IAM Identity Center profile needs sso_start_url, sso_region, sso_account_id and sso_role_name", where)
	}
	sum := sha1.Sum([]byte(key))
	file := filepath.Join(l.home(), ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json")
	cfg := l.base.WithRegion(region)
	now := l.now
	if now == nil {
		now = time.Now
	}
	login := fmt.Sprintf("run `aws sso login --profile %s`, or export credentials with `aws configure export-credentials --profile %s --format env`", name, name)
	return ProviderFunc(func(ctx context.Context) (Credentials, error) {
		data, err := os.ReadFile(file)
		if err != nil {
			return Credentials{}, fmt.Errorf("aws: %s: no cached IAM Identity Center token (%s): %s", where, file, login)
		}
		var tok map[string]any
		if err := json.Unmarshal(data, &tok); err != nil {
			return Credentials{}, fmt.Errorf("aws: %s: %s is not an IAM Identity Center token: %s", where, file, login)
		}
		str := func(k string) string { s, _ := tok[k].(string); return s }
		if str("accessToken") == "" {
			return Credentials{}, fmt.Errorf("aws: %s: %s is not an IAM Identity Center token: %s", where, file, login)
		}
		if exp, err := time.Parse(time.RFC3339, str("expiresAt")); err != nil || !now().Add(expiryWindow).Before(exp) {
			if err := refreshSSOToken(ctx, cfg, file, tok, now()); err != nil {
				return Credentials{}, fmt.Errorf("aws: %s: the IAM Identity Center token of %s expires at %s and could not be refreshed (%v): %s",
					where, file, str("expiresAt"), err, login)
			}
		}
		c, err := New(cfg).getRoleCredentials(ctx, str("accessToken"), account, role)
		if err != nil {
			return Credentials{}, fmt.Errorf("aws: %s: %w (%s)", where, err, login)
		}
		c.Source = where + " (IAM Identity Center)"
		return c, nil
	}), nil
}

// refreshSSOToken renews an expired IAM Identity Center access token with
// the refresh token `aws sso login` cached (sso-session profiles), through
// the OIDC service's CreateToken, and writes the new token to the cache as
// the AWS CLI does.
func refreshSSOToken(ctx context.Context, cfg Config, file string, tok map[string]any, now time.Time) error {
	str := func(k string) string { s, _ := tok[k].(string); return s }
	if str("refreshToken") == "" || str("clientId") == "" || str("clientSecret") == "" {
		return errors.New("the cache holds no refresh token")
	}
	if exp, err := time.Parse(time.RFC3339, str("registrationExpiresAt")); err == nil && !now.Before(exp) {
		return errors.New("the client registration expired")
	}
	body, _ := json.Marshal(map[string]string{"clientId": str("clientId"), "clientSecret": str("clientSecret"),
		"grantType": "refresh_token", "refreshToken": str("refreshToken")})
	r := &request{svc: svcSSOOIDC, op: "CreateToken", method: http.MethodPost, path: "/token",
		header: http.Header{"Content-Type": {"application/json"}}, body: body, anonymous: true}
	var out struct {
		AccessToken  string `json:"accessToken"`
		ExpiresIn    int    `json:"expiresIn"`
		RefreshToken string `json:"refreshToken"`
	}
	if err := New(cfg).do(ctx, r, &out); err != nil {
		return err
	}
	if out.AccessToken == "" {
		return errors.New("CreateToken answered no access token")
	}
	tok["accessToken"] = out.AccessToken
	tok["expiresAt"] = now.Add(time.Duration(out.ExpiresIn) * time.Second).UTC().Format(time.RFC3339)
	if out.RefreshToken != "" {
		tok["refreshToken"] = out.RefreshToken
	}
	data, err := json.Marshal(tok)
	if err != nil {
		return err
	}
	// The new token is used even if the cache cannot be written.
	_ = os.WriteFile(file, data, 0o600)
	return nil
}

// httpClient is the default client, trusting AWS_CA_BUNDLE's certificates
// when set.
func (l *loader) httpClient() (*http.Client, error) {
	bundle := l.getenv("AWS_CA_BUNDLE")
	if bundle == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(l.expand(bundle))
	if err != nil {
		return nil, fmt.Errorf("aws: AWS_CA_BUNDLE: %w", err)
	}
	pool, _ := x509.SystemCertPool()
	if pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("aws: AWS_CA_BUNDLE %s: no PEM certificate", bundle)
	}
	return newHTTPClient(pool), nil
}
