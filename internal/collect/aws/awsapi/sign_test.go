package awsapi

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The vectors are AWS's published ones: the Signature Version 4 test suite
// (get-vanilla, get-vanilla-query-order-key-case, post-vanilla: credentials
// AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1, service "service"), the IAM
// ListUsers example of the SigV4 documentation, and the "GET Object"
// example of the Amazon S3 API reference (header-based authentication).
var (
	suiteCreds = Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	suiteTime  = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	s3Creds    = Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	s3Time     = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
)

func TestSignVectors(t *testing.T) {
	tests := []struct {
		name, method, url, service string
		headers                    map[string]string
		creds                      Credentials
		at                         time.Time
		want                       string
	}{
		{"get-vanilla", "GET", "https://example.amazonaws.com/", "service", nil, suiteCreds, suiteTime,
			"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{"get-vanilla-query-order-key-case", "GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", "service", nil, suiteCreds, suiteTime,
			"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
		{"post-vanilla", "POST", "https://example.amazonaws.com/", "service", nil, suiteCreds, suiteTime,
			"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
		{"iam ListUsers", "GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", "iam",
			map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, suiteCreds, suiteTime,
			"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"},
		{"s3 GET Object", "GET", "https://examplebucket.s3.amazonaws.com/test.txt", "s3",
			map[string]string{"Range": "bytes=0-9", "X-Amz-Content-Sha256": emptySHA256}, s3Creds, s3Time,
			"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			req.Header.Set("User-Agent", "not signed")
			Sign(req, emptySHA256, tt.creds, tt.service, "us-east-1", tt.at)
			if got := req.Header.Get("Authorization"); got != tt.want {
				t.Errorf("Authorization\n got %s\nwant %s", got, tt.want)
			}
			if got, want := req.Header.Get("X-Amz-Date"), tt.at.Format("20060102T150405Z"); got != want {
				t.Errorf("X-Amz-Date %s; want %s", got, want)
			}
		})
	}
}

// TestSignSteps checks the intermediate values the documentation gives for
// the IAM ListUsers example: the canonical request's hash and the signing
// key.
func TestSignSteps(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("X-Amz-Date", "20150830T123600Z")
	canonical, signed := canonicalRequest(req, emptySHA256, "iam")
	sum := sha256.Sum256([]byte(canonical))
	if got := hex.EncodeToString(sum[:]); got != "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59" {
		t.Errorf("canonical request hash %s; canonical request:\n%s", got, canonical)
	}
	if signed != "content-type;host;x-amz-date" {
		t.Errorf("signed headers %q", signed)
	}
	if got := hex.EncodeToString(signingKey(suiteCreds.SecretAccessKey, "20150830", "us-east-1", "iam")); got != "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9" {
		t.Errorf("signing key %s", got)
	}
}

// TestSignSessionToken checks that a session token is sent and signed, and
// that it changes the signature.
func TestSignSessionToken(t *testing.T) {
	sign := func(token string) *http.Request {
		req, _ := http.NewRequest("GET", "https://example.amazonaws.com/", nil)
		c := suiteCreds
		c.SessionToken = token
		Sign(req, emptySHA256, c, "service", "us-east-1", suiteTime)
		return req
	}
	plain, withToken := sign(""), sign("IQoJb3JpZ2luX2VjE//token+with/slashes=")
	if got := withToken.Header.Get("X-Amz-Security-Token"); got != "IQoJb3JpZ2luX2VjE//token+with/slashes=" {
		t.Errorf("X-Amz-Security-Token %q", got)
	}
	if plain.Header.Get("X-Amz-Security-Token") != "" {
		t.Error("a security token header without a session token")
	}
	auth := withToken.Header.Get("Authorization")
	if !strings.Contains(auth, "SignedHeaders=host;x-amz-date;x-amz-security-token,") {
		t.Errorf("the token is not signed: %s", auth)
	}
	if auth == plain.Header.Get("Authorization") {
		t.Error("the session token does not change the signature")
	}
}

func TestCanonicalQueryEscapes(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://example.amazonaws.com/?b=a%20b&a=x~y&a=w%2Fz&object-lock", nil)
	if got, want := canonicalQuery(req.URL.Query()), "a=w%2Fz&a=x~y&b=a%20b&object-lock="; got != want {
		t.Errorf("canonical query %q; want %q", got, want)
	}
}
