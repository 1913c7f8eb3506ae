package awsapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/lazy"
)

// emptySHA256 is the hex SHA-256 of an empty payload.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// unsignedHeaders are never part of a signature: proxies and the transport
// may change them.
var unsignedHeaders = lazy.Value[map[string]bool]{New: func() map[string]bool {
	return map[string]bool{
		"authorization": true, "user-agent": true, "x-amzn-trace-id": true, "expect": true,
		"transfer-encoding": true, "connection": true, "content-length": true,
	}
}}

// Sign signs req with AWS Signature Version 4 for a service (its signing
// name) and region at time t: it sets X-Amz-Date, X-Amz-Security-Token
// when the credentials have a session token, and Authorization. payloadHash
// is the hex SHA-256 of the body. Every header already set on req (but the
// ones a transport may rewrite) and Host are signed.
func Sign(req *http.Request, payloadHash string, creds Credentials, service, region string, t time.Time) {
	amzDate := t.UTC().Format("20060102T150405Z")
	day := amzDate[:8]
	req.Header.Set("X-Amz-Date", amzDate)
	if creds.SessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", creds.SessionToken)
	}
	canonical, signed := canonicalRequest(req, payloadHash, service)
	scope := day + "/" + region + "/" + service + "/aws4_request"
	sum := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	sig := hex.EncodeToString(hmacSHA256(signingKey(creds.SecretAccessKey, day, region, service), toSign))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+creds.AccessKeyID+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
}

// signingKey derives the key of one day, region and service.
func signingKey(secret, day, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// canonicalRequest builds the canonical request of SigV4 and the list of
// signed headers.
func canonicalRequest(req *http.Request, payloadHash, service string) (string, string) {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	headers := map[string][]string{"host": {host}}
	for k, vs := range req.Header {
		lk := strings.ToLower(k)
		if unsignedHeaders.Get()[lk] {
			continue
		}
		for _, v := range vs {
			headers[lk] = append(headers[lk], strings.Join(strings.Fields(v), " "))
		}
	}
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	slices.Sort(names)
	var ch strings.Builder
	for _, k := range names {
		ch.WriteString(k + ":" + strings.Join(headers[k], ",") + "\n")
	}
	path := req.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	if service != "s3" {
		// Every service but S3 signs the path encoded twice.
		path = escapePath(path)
	}
	signed := strings.Join(names, ";")
	return req.Method + "\n" + path + "\n" + canonicalQuery(req.URL.Query()) + "\n" + ch.String() + "\n" + signed + "\n" + payloadHash, signed
}

// canonicalQuery encodes a query with keys and values sorted and escaped
// as RFC 3986 says (a space is %20).
func canonicalQuery(q url.Values) string {
	type kv struct{ k, v string }
	var pairs []kv
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, kv{escape(k), escape(v)})
		}
	}
	slices.SortFunc(pairs, func(a, b kv) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k + "=" + p.v)
	}
	return b.String()
}

// escape percent-encodes everything but the unreserved characters.
func escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// escapePath escapes each segment of a path, keeping the slashes.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = escape(s)
	}
	return strings.Join(parts, "/")
}

// hashHex is the hex SHA-256 of b.
func hashHex(b []byte) string {
	if len(b) == 0 {
		return emptySHA256
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
