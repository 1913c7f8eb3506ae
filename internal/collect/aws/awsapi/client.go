// Package awsapi is the small AWS client of the csmm collector: SigV4
// signing, the five wire protocols of the services the collector reads
// (query, EC2 query, JSON 1.1, REST-JSON, REST-XML), each operation it
// calls with only the fields it reads, retries with exponential backoff and
// full jitter, public endpoints by partition, and the credential chain a
// command-line tool is expected to follow (see LoadConfig).
package awsapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/csmm/csmm/internal/lazy"
)

// Config is what a client needs: region, credentials, endpoints and the
// retry settings.
type Config struct {
	// Region is the region of regional calls; global services (IAM,
	// Organizations) go to their partition's endpoint.
	Region string
	// Credentials sign the requests.
	Credentials CredentialsProvider
	// BaseEndpoint, when set, receives every request (path-style for S3);
	// requests are then signed for Region. Tests point it at a fake.
	BaseEndpoint string
	// ServiceEndpoints overrides one service's endpoint, by the suffix of
	// its AWS_ENDPOINT_URL_ variable (STS, S3_CONTROL, GUARDDUTY...).
	ServiceEndpoints map[string]string
	// HTTPClient sends the requests; nil for a client with a 30 s timeout.
	HTTPClient *http.Client
	// MaxAttempts bounds the tries of a call (throttling, 5xx and network
	// errors are retried); zero for 10. MaxBackoff caps the delay between
	// tries; zero for 20 s.
	MaxAttempts int
	MaxBackoff  time.Duration
	// Now is the signing clock; nil for time.Now.
	Now func() time.Time
}

// WithRegion returns a copy of c for another region.
func (c Config) WithRegion(region string) Config {
	c.Region = region
	return c
}

// WithCredentials returns a copy of c with other credentials.
func (c Config) WithCredentials(p CredentialsProvider) Config {
	c.Credentials = p
	return c
}

// Client calls AWS operations with a Config.
type Client struct{ cfg Config }

// New returns a client of cfg.
func New(cfg Config) *Client { return &Client{cfg: cfg} }

// defaultHTTPClient is the client of requests that name none, made on
// first use so that commands that call no AWS API do not clone the
// default transport at start.
var defaultHTTPClient = lazy.Value[*http.Client]{New: func() *http.Client { return newHTTPClient(nil) }}

// newHTTPClient returns a client with the connection pool of the AWS SDKs
// (100 idle connections, 10 per host) and a 30 s timeout per request,
// trusting roots when set.
func newHTTPClient(roots *x509.CertPool) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 100, 10
	if roots != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// APIError is an error answered by AWS: its code (AccessDenied,
// ThrottlingException...), message and HTTP status.
type APIError struct {
	Code, Message string
	StatusCode    int
	RequestID     string
}

// Error says the status, request ID, code and message.
func (e *APIError) Error() string {
	s := fmt.Sprintf("https response error StatusCode: %d", e.StatusCode)
	if e.RequestID != "" {
		s += ", RequestID: " + e.RequestID
	}
	return s + ", api error " + e.Code + ": " + e.Message
}

// OperationError is the error of one call: which operation failed, and why.
type OperationError struct {
	// Service is the service ID (GuardDuty, S3 Control...) and Operation
	// the operation's name.
	Service, Operation string
	// Action is the IAM action the call needs (s3:ListAllMyBuckets).
	Action string
	Err    error
}

// Error names the service and operation, then the cause.
func (e *OperationError) Error() string {
	return "operation error " + e.Service + ": " + e.Operation + ", " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *OperationError) Unwrap() error { return e.Err }

// ErrorCode returns the AWS error code of err, or "" when AWS did not
// answer one.
func ErrorCode(err error) string {
	if ae, ok := errors.AsType[*APIError](err); ok {
		return ae.Code
	}
	return ""
}

// IsThrottle reports whether an error code means the call was throttled.
func IsThrottle(code string) bool {
	switch code {
	case "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
		"ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
		"BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
		"EC2ThrottledException":
		return true
	}
	return false
}

func (c *Client) now() time.Time {
	if c.cfg.Now != nil {
		return c.cfg.Now()
	}
	return time.Now()
}

// clockSkew is how far AWS's clock is ahead of this machine's, in
// nanoseconds, once an answer said the signature's time was off.
var clockSkew atomic.Int64

// fixSkew reports whether an error answer says the request's time was too
// far from AWS's and the answer's Date header gives a correction to sign
// with (the AWS SDKs do the same).
func fixSkew(e *APIError, hdr http.Header, now time.Time) bool {
	switch e.Code {
	case "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure":
	default:
		return false
	}
	server, err := http.ParseTime(hdr.Get("Date"))
	if err != nil {
		return false
	}
	skew := server.Sub(now)
	if skew.Abs() < 4*time.Minute || time.Duration(clockSkew.Load()) == skew.Truncate(time.Second) {
		return false
	}
	clockSkew.Store(int64(skew.Truncate(time.Second)))
	return true
}

// credentialsError is a failure to get the credentials of a call.
type credentialsError struct{ err error }

func (e credentialsError) Error() string { return e.err.Error() }
func (e credentialsError) Unwrap() error { return e.err }

// request is one call to make.
type request struct {
	svc    *service
	op     string
	action string // IAM action, when not service:op
	method string
	path   string
	query  url.Values
	header http.Header
	body   []byte
	// bucket, for S3, is put in the host (virtual-hosted style) or the path.
	bucket string
	// hostPrefix is put in front of the host of AWS's endpoint (S3 Control:
	// the account ID).
	hostPrefix string
	// anonymous requests are not signed (web identity, the SSO portal).
	anonymous bool
}

// queryRequest builds a query or EC2 query call.
func queryRequest(svc *service, op string, params url.Values) *request {
	if params == nil {
		params = url.Values{}
	}
	params.Set("Action", op)
	params.Set("Version", svc.version)
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return &request{svc: svc, op: op, method: http.MethodPost, path: "/", header: h, body: []byte(params.Encode())}
}

// jsonRequest builds a JSON 1.1 call.
func jsonRequest(svc *service, op string, in any) *request {
	body, _ := json.Marshal(in)
	h := http.Header{}
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("X-Amz-Target", svc.target+"."+op)
	return &request{svc: svc, op: op, method: http.MethodPost, path: "/", header: h, body: body}
}

// restRequest builds a REST call without a body.
func restRequest(svc *service, op, path string, query url.Values) *request {
	return &request{svc: svc, op: op, method: http.MethodGet, path: path, query: query, header: http.Header{}}
}

// do sends a call, retrying what may succeed later, and decodes a
// successful answer into out (nil to ignore it).
func (c *Client) do(ctx context.Context, r *request, out any) error {
	attempts, maxBackoff := c.cfg.MaxAttempts, c.cfg.MaxBackoff
	if attempts <= 0 {
		attempts = 10
	}
	if maxBackoff <= 0 {
		maxBackoff = 20 * time.Second
	}
	region := c.cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	redirected := false
	var err error
	for attempt := 1; ; attempt++ {
		var body []byte
		var status int
		var hdr http.Header
		body, status, hdr, err = c.send(ctx, r, region)
		if err == nil && status/100 == 2 {
			if out == nil || len(bytes.TrimSpace(body)) == 0 {
				return nil
			}
			if derr := decode(r.svc.proto, body, out); derr != nil {
				return c.opError(r, fmt.Errorf("read the answer: %w", derr))
			}
			return nil
		}
		if err == nil {
			ae := parseError(r.svc.proto, status, hdr, body)
			err = ae
			// S3 answers a bucket of another region with that region.
			if br := hdr.Get("X-Amz-Bucket-Region"); r.bucket != "" && br != "" && br != region && !redirected {
				region, redirected = br, true
				attempt--
				continue
			}
			if fixSkew(ae, hdr, c.now()) {
				continue // signed again with the corrected clock, as one more attempt
			}
			if !retryable(ae) {
				break
			}
		} else if ctx.Err() != nil || !retryableNetwork(err) {
			break
		}
		if attempt >= attempts {
			break
		}
		if werr := sleep(ctx, backoff(attempt, maxBackoff)); werr != nil {
			err = werr
			break
		}
	}
	return c.opError(r, err)
}

func (c *Client) opError(r *request, err error) error {
	action := r.action
	if action == "" {
		action = r.svc.iam + ":" + r.op
	}
	return &OperationError{Service: r.svc.id, Operation: r.op, Action: action, Err: err}
}

// retryable reports whether an error answer may succeed on a later try:
// throttling, time-outs and server errors.
func retryable(e *APIError) bool {
	if IsThrottle(e.Code) {
		return true
	}
	switch e.Code {
	case "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable", "IDPCommunicationError":
		return true
	}
	switch e.StatusCode {
	case 500, 502, 503, 504:
		return true
	}
	return false
}

// retryableNetwork reports whether a transport error may be transient:
// not a certificate that does not verify, nor credentials that could not be
// had (their providers retry what they call).
func retryableNetwork(err error) bool {
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return false
	}
	if _, ok := errors.AsType[credentialsError](err); ok {
		return false
	}
	if _, ok := errors.AsType[*url.Error](err); ok {
		return true
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// backoff is the delay after a failed attempt (1 for the first): a random
// part of 2^attempt seconds, or maxBackoff once that exceeds it (the
// standard retryer of the AWS SDKs).
func backoff(attempt int, maxBackoff time.Duration) time.Duration {
	if float64(attempt) > math.Log2(maxBackoff.Seconds()) {
		return maxBackoff
	}
	return time.Duration(rand.Float64() * float64(int64(1)<<attempt) * float64(time.Second))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// send makes one attempt and returns the answer's body, status and header.
func (c *Client) send(ctx context.Context, r *request, region string) ([]byte, int, http.Header, error) {
	ep := c.cfg.resolve(r.svc, region)
	u, err := url.Parse(ep.base)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("endpoint %q: %w", ep.base, err)
	}
	path := r.path
	if r.bucket != "" {
		if ep.pathStyle || !virtualHostable(r.bucket) {
			path = "/" + r.bucket + strings.TrimSuffix(path, "/")
		} else {
			u.Host = r.bucket + "." + u.Host
		}
	}
	if r.hostPrefix != "" && !ep.override {
		u.Host = r.hostPrefix + u.Host
	}
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = ""
	if len(r.query) > 0 {
		u.RawQuery = strings.ReplaceAll(r.query.Encode(), "+", "%20")
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), bytes.NewReader(r.body))
	if err != nil {
		return nil, 0, nil, err
	}
	for k, vs := range r.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	req.Header.Set("User-Agent", "csmm-collect")
	if !r.anonymous {
		if c.cfg.Credentials == nil {
			return nil, 0, nil, errors.New("no credentials")
		}
		creds, err := c.cfg.Credentials.Retrieve(ctx)
		if err != nil {
			return nil, 0, nil, credentialsError{err}
		}
		hash := hashHex(r.body)
		if r.svc.signing == "s3" {
			req.Header.Set("X-Amz-Content-Sha256", hash)
		}
		Sign(req, hash, creds, r.svc.signing, ep.region, c.now().Add(time.Duration(clockSkew.Load())))
	}
	hc := c.cfg.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient.Get()
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, 0, nil, err
	}
	return body, resp.StatusCode, resp.Header, nil
}

// virtualHostable reports whether a bucket name can be put in a host name
// under TLS: 3 to 63 lowercase letters, digits and hyphens, starting and
// ending with a letter or digit (legacy names with capitals, underscores
// or dots go in the path).
func virtualHostable(b string) bool {
	if len(b) < 3 || len(b) > 63 || b[0] == '-' || b[len(b)-1] == '-' {
		return false
	}
	for i := 0; i < len(b); i++ {
		if c := b[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// decode reads a successful answer.
func decode(p protocol, body []byte, out any) error {
	switch p {
	case protoJSON, protoRESTJSON:
		return json.Unmarshal(body, out)
	}
	return xml.Unmarshal(body, out)
}

// parseError reads an error answer of any protocol: its code, message and
// request ID.
func parseError(p protocol, status int, hdr http.Header, body []byte) *APIError {
	e := &APIError{StatusCode: status, RequestID: firstOf(hdr.Get("X-Amzn-Requestid"), hdr.Get("X-Amz-Request-Id"))}
	switch p {
	case protoJSON, protoRESTJSON:
		var b struct {
			Type     string `json:"__type"`
			Code     string `json:"code"`
			Message  string `json:"message"`
			MessageU string `json:"Message"`
		}
		_ = json.Unmarshal(body, &b)
		e.Code = sanitizeCode(firstOf(hdr.Get("X-Amzn-Errortype"), b.Code, b.Type))
		e.Message = firstOf(b.Message, b.MessageU)
	default:
		code, msg, id := xmlError(body)
		e.Code, e.Message = code, msg
		if id != "" {
			e.RequestID = id
		}
	}
	if e.Code == "" {
		switch status {
		case http.StatusNotFound:
			e.Code = "NotFound"
		case http.StatusForbidden:
			e.Code = "Forbidden"
		default:
			e.Code = strings.ReplaceAll(http.StatusText(status), " ", "")
		}
	}
	if e.Message == "" {
		e.Message = strings.TrimSpace(string(body[:min(len(body), 200)]))
	}
	return e
}

// sanitizeCode strips the namespace (before #) and the documentation URL
// (after :) some services put around an error code.
func sanitizeCode(c string) string {
	if i := strings.IndexByte(c, ':'); i >= 0 {
		c = c[:i]
	}
	if i := strings.LastIndexByte(c, '#'); i >= 0 {
		c = c[i+1:]
	}
	return strings.TrimSpace(c)
}

// xmlError finds the first Code and Message elements of an XML error body
// (query: ErrorResponse/Error, EC2: Response/Errors/Error, S3: Error).
func xmlError(body []byte) (code, msg, requestID string) {
	d := xml.NewDecoder(bytes.NewReader(body))
	var field string
	for {
		tok, err := d.Token()
		if err != nil {
			return code, msg, requestID
		}
		switch t := tok.(type) {
		case xml.StartElement:
			field = t.Name.Local
		case xml.EndElement:
			field = ""
		case xml.CharData:
			v := strings.TrimSpace(string(t))
			switch {
			case field == "Code" && code == "":
				code = v
			case field == "Message" && msg == "":
				msg = v
			case (field == "RequestId" || field == "RequestID") && requestID == "":
				requestID = v
			}
		}
	}
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
